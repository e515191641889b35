package app.newsletter.subscription;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;

import org.junit.jupiter.api.Test;

/** The default list's check at start-up: plain logic, no service needed. */
class FormRepliesTest {

    @Test
    void a_default_list_that_names_no_configured_list_is_a_setting_error_saying_what_to_set() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> FormReplies.checkDefaultList("spring-news", Set.of("peptide-evolution", "autumn")));
        assertEquals("NEWSLETTER_DEFAULT_LIST: 'spring-news' is not a configured list; name one of [autumn, "
                + "peptide-evolution] or configure it (NEWSLETTER_LISTS_SPRING_NEWS_DISPLAY_NAME and the rest)",
                error.getMessage());
    }

    @Test
    void a_default_list_among_the_configured_ones_passes() {
        assertDoesNotThrow(() -> FormReplies.checkDefaultList("autumn", Set.of("peptide-evolution", "autumn")));
    }
}
