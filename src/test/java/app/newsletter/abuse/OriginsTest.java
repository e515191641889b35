package app.newsletter.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OriginsTest {

    @Test
    void a_scheme_less_allowed_origin_is_a_setting_error_naming_the_fix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Origins.configured("blog.example", "NEWSLETTER_ALLOWED_ORIGINS"));
        assertTrue(e.getMessage().startsWith("NEWSLETTER_ALLOWED_ORIGINS: 'blog.example' is not an origin"),
                e.getMessage());
        assertTrue(e.getMessage().contains("https://blog.example"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Origins.configured("null", "X"));
    }

    @Test
    void configured_origins_are_normalised() {
        assertEquals("https://blog.example", Origins.configured(" HTTPS://Blog.Example:443/path ", "X"));
        assertEquals("http://localhost:8080", Origins.configured("http://localhost:8080", "X"));
        assertEquals("*", Origins.configured("*", "X"));
    }
}
