package app.newsletter.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;

import org.junit.jupiter.api.Test;

class LanguagesTest {

    @Test
    void the_first_supported_preference_wins_and_accept_language_weights_count() {
        assertEquals(Locale.GERMAN, Languages.pick("de-AT"));
        assertEquals(Locale.FRENCH, Languages.pick(null, "", "fr-CH, fr;q=0.9, en;q=0.8"));
        assertEquals(Locale.forLanguageTag("es"), Languages.pick("it-IT, es;q=0.5, de;q=0.4"));
        assertEquals(Locale.GERMAN, Languages.pick("de", "fr"), "an explicit choice beats the browser's");
    }

    @Test
    void anything_unsupported_or_malformed_falls_back_to_english() {
        assertEquals(Locale.ENGLISH, Languages.pick("ja-JP, zh;q=0.8"));
        assertEquals(Locale.ENGLISH, Languages.pick(";;;q=x"));
        assertEquals(Locale.ENGLISH, Languages.pick());
    }
}
