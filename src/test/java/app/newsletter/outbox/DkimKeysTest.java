package app.newsletter.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** DKIM keys in the forms operators hold them (fixtures: src/test/resources/dkim/README.md). */
class DkimKeysTest {

    private final String expected = resource("signing-key.b64");

    @Test
    void a_pkcs8_pem_file_from_openssl_genpkey_becomes_the_signers_bare_base64() {
        assertEquals(expected, DkimKeys.read(resource("signing-key.pem")).base64());
    }

    @Test
    void a_pkcs1_pem_file_begin_rsa_private_key_becomes_the_same_pkcs8_key() {
        assertEquals(expected, DkimKeys.read(resource("signing-key-pkcs1.pem")).base64());
    }

    @Test
    void bare_base64_der_passes_through_unchanged_even_with_line_breaks() {
        assertEquals(expected, DkimKeys.read(expected).base64());
        assertEquals(expected, DkimKeys.read(expected.replaceAll("(.{64})", "$1\n")).base64());
        String pkcs1 = resource("signing-key-pkcs1.pem").replaceAll("-----[A-Z ]+-----", "");
        assertEquals(expected, DkimKeys.read(pkcs1).base64(), "bare base64 of PKCS#1 DER is wrapped too");
    }

    @Test
    void the_dns_record_carries_the_public_half_of_the_key() {
        DkimKeys.Key key = DkimKeys.read(resource("signing-key.pem"));
        assertEquals("v=DKIM1; k=rsa; p=" + resource("public-key.b64"), key.dnsRecord());
        assertEquals(2048, key.bits());
    }

    @Test
    void an_encrypted_key_is_refused_with_what_to_do() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> DkimKeys.read(resource("encrypted.pem")));
        assertTrue(refused.getMessage().contains("encrypted") && refused.getMessage().contains("openssl pkey"),
                refused.getMessage());
    }

    @Test
    void a_non_rsa_key_is_refused_naming_what_the_file_holds() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> DkimKeys.read(resource("ec-key.pem")));
        assertTrue(refused.getMessage().contains("RSA"), refused.getMessage());
        IllegalArgumentException certificate = assertThrows(IllegalArgumentException.class,
                () -> DkimKeys.read("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"));
        assertTrue(certificate.getMessage().contains("CERTIFICATE"), certificate.getMessage());
    }

    @Test
    void text_that_is_no_key_is_refused() {
        assertThrows(IllegalArgumentException.class, () -> DkimKeys.read("not a key at all!"));
        assertThrows(IllegalArgumentException.class, () -> DkimKeys.read("c2hvcnQ="));
    }

    static String resource(String name) {
        try (InputStream in = DkimKeysTest.class.getResourceAsStream("/dkim/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
