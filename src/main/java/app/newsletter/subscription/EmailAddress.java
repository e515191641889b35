package app.newsletter.subscription;

import java.util.Optional;
import java.util.regex.Pattern;

import app.newsletter.platform.DomainNames;

/**
 * A mailbox address as the service accepts it: a dot-atom local part (RFC 5322 without comments, quoted strings or
 * address literals, which real signup forms never need and many mail systems mishandle) at a host name. The domain
 * is lower-cased and converted to its ASCII (IDNA) form; the local part is kept as typed, because only the receiving
 * system may interpret its case.
 */
public record EmailAddress(String value) {

    static final int MAX_LOCAL = 64;
    static final int MAX_TOTAL = 254;

    private static final Pattern LOCAL = Pattern
            .compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*");

    /** @return the normalised address, or empty with the reason it is refused */
    public static Result parse(String input) {
        if (input == null || input.isBlank()) {
            return Result.error("Please enter your email address.");
        }
        // Checked before trimming: strip() would silently drop a CR/LF at either end (RFC 5322 calls that an error).
        if (Signup.hasControlCharacters(input)) {
            return Result.error("The email address contains line breaks or control characters.");
        }
        String trimmed = input.strip();
        int at = trimmed.lastIndexOf('@');
        if (at <= 0 || at == trimmed.length() - 1) {
            return Result.error("The email address needs a name, an @ and a domain, like name@example.com.");
        }
        String local = trimmed.substring(0, at);
        if (local.length() > MAX_LOCAL) {
            return Result.error("The part before the @ may be at most " + MAX_LOCAL + " characters long.");
        }
        if (!LOCAL.matcher(local).matches()) {
            return Result.error("The part before the @ contains characters an email address cannot have.");
        }
        Optional<String> domain = DomainNames.ascii(trimmed.substring(at + 1));
        if (domain.isEmpty()) {
            return Result.error("The domain after the @ is not a valid domain name.");
        }
        String address = local + "@" + domain.get();
        if (address.length() > MAX_TOTAL) {
            return Result.error("The email address may be at most " + MAX_TOTAL + " characters long.");
        }
        return new Result(Optional.of(new EmailAddress(address)), null);
    }

    /** The part after the @: lower case, ASCII. */
    String domain() {
        return value.substring(value.lastIndexOf('@') + 1);
    }

    public record Result(Optional<EmailAddress> address, String error) {
        static Result error(String message) {
            return new Result(Optional.empty(), message);
        }
    }
}
