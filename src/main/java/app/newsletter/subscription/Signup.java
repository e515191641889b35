package app.newsletter.subscription;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import app.newsletter.platform.Languages;

/** A signup as submitted (JSON or form), and its validation into something safe to store. */
/**
 * @param lang the language the form asks for (the widget's {@code data-lang}); null to let the list and the browser
 *        decide
 * @param ip the visitor's address as a backend signing up with an API key reports it, for the consent record;
 *        ignored without a key, where the connection tells
 * @param userAgent the visitor's user agent, reported likewise
 */
record Signup(String email, String name, String list, String source, Boolean consent, String website, String pow,
        String lang, String ip, String userAgent) {

    static final int MAX_NAME = 100;
    static final int MAX_SOURCE = 2048;

    /**
     * A validated signup: normalised address, trimmed name (or null), a list that exists, and the language of its
     * confirmation mail.
     */
    record Valid(EmailAddress email, String name, String listId, SubscriptionConfig.MailingList list, String source,
            Locale locale) {
    }

    /** The same signup to another list: a key restricted to one list signs up to it when the body names none. */
    Signup onList(String listId) {
        return new Signup(email, name, listId, source, consent, website, pow, lang, ip, userAgent);
    }

    /** A honeypot field that people never see; anything in it means a bot filled the form. */
    boolean isBot() {
        return website != null && !website.isEmpty();
    }

    /** @param acceptLanguage the browser's Accept-Language header, or null */
    Valid validate(SubscriptionConfig config, String referer, String acceptLanguage) {
        Map<String, String> errors = new LinkedHashMap<>();
        String listId = list == null || list.isBlank() ? config.defaultList() : list.strip();
        SubscriptionConfig.MailingList mailingList = config.lists().get(listId);
        if (mailingList == null) {
            errors.put("list", "There is no list called '" + printable(listId) + "'.");
            listId = null;
        }
        EmailAddress.Result address = EmailAddress.parse(email);
        if (address.error() != null) {
            errors.put("email", address.error());
        }
        String cleanName = name == null || name.isBlank() ? null : name.strip();
        if (cleanName != null && cleanName.codePointCount(0, cleanName.length()) > MAX_NAME) {
            errors.put("name", "The name may be at most " + MAX_NAME + " characters long.");
        } else if (name != null && hasControlCharacters(name)) { // as sent: strip() would hide a trailing CR/LF
            errors.put("name", "The name contains characters that are not allowed (line breaks or control codes).");
        } else if (cleanName != null && looksLikeALink(cleanName)) {
            errors.put("name", "The name may not contain web or e-mail addresses.");
        }
        String cleanSource = source == null || source.isBlank() ? referer : source.strip();
        if (cleanSource != null && (cleanSource.length() > MAX_SOURCE || hasControlCharacters(cleanSource))) {
            errors.put("source", "The source must be a page address of at most " + MAX_SOURCE + " characters.");
        }
        if (Boolean.FALSE.equals(consent)) {
            errors.put("consent", "Please agree to receive the newsletter.");
        }
        if (!errors.isEmpty()) {
            String detail = errors.size() == 1 ? errors.values().iterator().next() : "Some fields are not valid.";
            throw new InvalidSignup(detail, errors, listId == null ? config.defaultList() : listId);
        }
        return new Valid(address.address().orElseThrow(), cleanName, listId, mailingList, cleanSource,
                Languages.pick(lang, mailingList.locale().orElse(null), acceptLanguage));
    }

    /**
     * A web address, an e-mail address or a domain ({@code evil.example}, {@code bit.ly}) in a name: the name is
     * greeted in the confirmation mail, where mail clients turn such text into a link, so a form could send anyone a
     * "Hello Urgent: verify your account at https://evil.example," from this service's domain. Initials with
     * spaces ("J. R. R. Tolkien") pass; a dot straight between a letter or digit and two letters does not.
     */
    static boolean looksLikeALink(String name) {
        return name.contains("@") || name.contains("://") || DOMAIN_LIKE.matcher(name).find();
    }

    private static final java.util.regex.Pattern DOMAIN_LIKE = java.util.regex.Pattern.compile(
            "[\\p{L}\\p{N}-][.\\uFF0E\\u3002][\\p{L}\\p{N}]{2,}|(?i)\\bwww\\b");

    /** Line breaks, control and invisible format characters: nothing a person types into a form field. */
    static boolean hasControlCharacters(String value) {
        // A plain loop: on the signup path, where the JIT's quick tier leaves a stream's lambdas uninlined.
        for (int i = 0; i < value.length();) {
            int c = value.codePointAt(i);
            int type = Character.getType(c);
            if (type == Character.CONTROL || type == Character.FORMAT || c == 0x2028 || c == 0x2029) {
                return true;
            }
            i += Character.charCount(c);
        }
        return false;
    }

    private static String printable(String value) {
        String shortened = value.length() > 40 ? value.substring(0, 40) + "…" : value;
        return shortened.replaceAll("\\p{Cntrl}", "?");
    }
}
