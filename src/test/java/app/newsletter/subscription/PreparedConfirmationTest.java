package app.newsletter.subscription;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import app.newsletter.outbox.QueuedMail;

/** A prepared confirmation is sent only when it says what one rendered for the subscriber now would say. */
class PreparedConfirmationTest {

    private static PreparedConfirmation preparedFor(String recipient, String name) {
        return new PreparedConfirmation(name, new byte[32], new byte[32], new QueuedMail("confirmation", recipient,
                "Please confirm", "Hello", "<p>Hello</p>", Map.of()));
    }

    private static Subscriber subscriber(String email, String name) {
        Subscriber subscriber = new Subscriber();
        subscriber.email = email;
        subscriber.name = name;
        return subscriber;
    }

    @Test
    void fits_the_same_address_and_name() {
        assertTrue(preparedFor("ada@example.org", "Ada").fits(subscriber("ada@example.org", "Ada")));
        assertTrue(preparedFor("ada@example.org", null).fits(subscriber("ada@example.org", null)));
    }

    @Test
    void does_not_fit_a_subscriber_whose_kept_name_the_form_left_out() {
        assertFalse(preparedFor("ada@example.org", null).fits(subscriber("ada@example.org", "Ada")));
    }

    @Test
    void does_not_fit_the_stored_spelling_of_the_address_when_the_form_typed_another() {
        assertFalse(preparedFor("Ada@Example.org", "Ada").fits(subscriber("ada@example.org", "Ada")));
    }
}
