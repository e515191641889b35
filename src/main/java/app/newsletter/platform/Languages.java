package app.newsletter.platform;

import java.util.List;
import java.util.Locale;

/**
 * The languages pages, mails and the widget speak: English, German, Spanish and French. A reader gets the first of
 * the given preferences that is one of them (a language tag such as {@code de} or {@code de-AT}, or a whole
 * {@code Accept-Language} header, whose weights are honoured), else English.
 */
public final class Languages {

    public static final List<String> SUPPORTED = List.of("en", "de", "es", "fr");
    public static final Locale DEFAULT = Locale.ENGLISH;

    private Languages() {
    }

    /** @param preferences most binding first; nulls and blanks are skipped */
    public static Locale pick(String... preferences) {
        for (String preference : preferences) {
            if (preference == null || preference.isBlank()) {
                continue;
            }
            try {
                for (Locale.LanguageRange range : Locale.LanguageRange.parse(preference)) {
                    String language = range.getRange().split("-", 2)[0].toLowerCase(Locale.ROOT);
                    if (SUPPORTED.contains(language)) {
                        return Locale.forLanguageTag(language);
                    }
                }
            } catch (IllegalArgumentException malformed) {
                // A header no browser sends: the next preference decides.
            }
        }
        return DEFAULT;
    }
}
