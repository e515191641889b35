package app.newsletter.webhooks;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.standardwebhooks.Webhook;

/** Plain unit tests: the signature against the official Standard Webhooks library, and what a secret must be. */
class SignaturesTest {

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String NEXT = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final String BODY = "{\"type\":\"subscription.created\",\"data\":{\"list\":\"a\"}}";

    @Test
    void one_secret_signs_exactly_as_the_official_library_does() throws Exception {
        long timestamp = 1_614_265_330;
        assertEquals(new Webhook(SECRET).sign(ID, timestamp, BODY),
                Signatures.of(List.of(SECRET)).sign(ID, timestamp, BODY));
    }

    @Test
    void the_specifications_example_signature_comes_out() {
        // The example of the Standard Webhooks specification (its secret, id, timestamp and payload).
        String signature = Signatures.of(List.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
                .sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, "{\"test\": 2432232314}");
        assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    @Test
    void two_secrets_give_two_signatures_and_a_receiver_on_either_verifies() {
        long now = System.currentTimeMillis() / 1000;
        String header = Signatures.of(List.of(SECRET, NEXT)).sign(ID, now, BODY);
        assertEquals(2, header.split(" ").length, header);
        Map<String, List<String>> headers = Map.of("webhook-id", List.of(ID), "webhook-timestamp",
                List.of(Long.toString(now)), "webhook-signature", List.of(header));
        assertDoesNotThrow(() -> new Webhook(SECRET).verify(BODY, headers));
        assertDoesNotThrow(() -> new Webhook(NEXT).verify(BODY, headers));
    }

    @Test
    void a_secret_must_be_whsec_base64_of_at_least_24_bytes() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Signatures.of(List.of("MfKQ9r8GKYqrTwjU")))
                .getMessage().contains("whsec_"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Signatures.of(List.of("whsec_!!!")))
                .getMessage().contains("base64"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Signatures.of(List.of("whsec_c2hvcnQ=")))
                .getMessage().contains("at least 24 bytes"));
        assertThrows(IllegalArgumentException.class, () -> Signatures.of(List.of()));
    }
}
