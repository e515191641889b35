package app.newsletter.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.util.GreenMailUtil;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The mailbox helper every mail test relies on: it must fail on a duplicate, not only on a missing mail. */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class MailboxTest {

    @Test
    void awaiting_one_mail_fails_when_a_second_one_arrives_right_after_it() {
        String to = Addresses.unique("twice");
        send(to);
        CompletableFuture.runAsync(() -> send(to), CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS));
        assertThrows(AssertionError.class, () -> Mailbox.await(to, 1));
    }

    @Test
    void awaiting_one_mail_fails_when_two_are_already_there() {
        String to = Addresses.unique("already-twice");
        send(to);
        send(to);
        assertThrows(AssertionError.class, () -> Mailbox.await(to, 1));
    }

    @Test
    void awaiting_the_mails_that_arrive_returns_them() {
        String to = Addresses.unique("once");
        send(to);
        assertEquals(1, Mailbox.await(to, 1).size());
    }

    private static void send(String to) {
        GreenMailUtil.sendTextEmail(to, "test@example.com", "hello", "body",
                GreenMailResource.Smtp.server().getSmtp().getServerSetup());
    }
}
