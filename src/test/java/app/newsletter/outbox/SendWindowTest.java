package app.newsletter.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SendWindowTest {

    @Test
    void a_send_started_at_the_last_moment_ends_a_quarter_lease_before_the_lease() {
        SendWindow window = SendWindow.of(Duration.ofMinutes(2), Duration.ofSeconds(30));

        assertEquals(Duration.ofSeconds(30), window.timeout());
        assertEquals(Duration.ofSeconds(60), window.startWithin());
    }

    @Test
    void a_send_timeout_too_long_for_the_lease_is_shortened() {
        Duration lease = Duration.ofSeconds(15);
        SendWindow window = SendWindow.of(lease, Duration.ofSeconds(30));

        assertTrue(window.timeout().compareTo(Duration.ofSeconds(6)) < 0, window.toString());
        assertTrue(window.startWithin().compareTo(Duration.ZERO) > 0, window.toString());
        assertEquals(lease.minus(lease.dividedBy(4)), window.startWithin().plus(window.timeout()));
    }
}
