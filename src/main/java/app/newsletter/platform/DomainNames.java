package app.newsletter.platform;

import java.net.IDN;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Host names in the one form the service compares them in: lower case, ASCII (IDNA), no trailing dot. */
public final class DomainNames {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private DomainNames() {
    }

    /** @return the domain lower-cased and in its ASCII form, or empty when it is not a host name */
    public static Optional<String> ascii(String domain) {
        String ascii;
        try {
            ascii = IDN.toASCII(domain, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (ascii.isEmpty() || ascii.length() > 253 || ascii.endsWith(".")) {
            return Optional.empty();
        }
        for (String label : ascii.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return Optional.empty();
            }
        }
        return Optional.of(ascii);
    }
}
