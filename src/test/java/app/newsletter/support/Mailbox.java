package app.newsletter.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

import com.icegreen.greenmail.util.GreenMailUtil;

/** What arrived at GreenMail, read per recipient. */
public final class Mailbox {

    private static final Pattern LINK = Pattern.compile("https?://[^\\s\"<>]+");

    private Mailbox() {
    }

    public static List<MimeMessage> to(String recipient) {
        return Arrays.stream(GreenMailResource.Smtp.server().getReceivedMessages())
                .filter(m -> recipients(m).stream().anyMatch(r -> r.equalsIgnoreCase(recipient)))
                .toList();
    }

    /**
     * Waits until {@code count} mails reached the recipient, and fails if more arrive: at once, or within a short
     * settle window after (a duplicate sent by the same dispatcher round, or by a second one, comes then). Before, it
     * returned as soon as {@code size() >= count}, and a duplicate slipped through every caller.
     */
    public static List<MimeMessage> await(String recipient, int count) {
        List<MimeMessage> mails = Awaitility.await("" + count + " mails to " + recipient)
                .atMost(Duration.ofSeconds(20)).until(() -> to(recipient), arrived -> arrived.size() >= count);
        try {
            Awaitility.await("no more than " + count + " mails to " + recipient).during(SETTLE)
                    .atMost(SETTLE.plusSeconds(5)).failFast(() -> to(recipient).size() > count)
                    .until(() -> to(recipient).size() == count);
        } catch (ConditionTimeoutException | TerminalFailureException more) {
            throw new AssertionError(to(recipient).size() + " mails to " + recipient + ", expected " + count, more);
        }
        return mails;
    }

    /** Long enough for the dispatcher's next round after the awaited mail (it wakes on every commit). */
    private static final Duration SETTLE = Duration.ofMillis(400);

    /** Asserts that no further mail reaches the recipient within a few dispatcher rounds. */
    public static void assertStays(String recipient, int count) {
        Awaitility.await("exactly " + count + " mails to " + recipient + " for a few dispatcher rounds")
                .during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                .until(() -> to(recipient).size() == count);
    }

    public static String text(MimeMessage message) {
        return part(message, "text/plain");
    }

    public static String html(MimeMessage message) {
        return part(message, "text/html");
    }

    /** The first link in the text part that starts with the given prefix. */
    public static String link(MimeMessage message, String prefix) {
        Matcher matcher = LINK.matcher(text(message));
        while (matcher.find()) {
            if (matcher.group().startsWith(prefix)) {
                return matcher.group();
            }
        }
        throw new AssertionError("no link starting with " + prefix + " in:\n" + text(message));
    }

    public static String token(String link) {
        return link.substring(link.indexOf("token=") + "token=".length());
    }

    public static String header(MimeMessage message, String name) {
        try {
            String[] values = message.getHeader(name);
            return values == null ? null : values[0];
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String part(MimeMessage message, String type) {
        try {
            return find(message.getContent(), type);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String find(Object content, String type) throws Exception {
        if (content instanceof MimeMultipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                var part = multipart.getBodyPart(i);
                if (part.isMimeType(type)) {
                    return GreenMailUtil.getBody(part).isEmpty() ? "" : (String) part.getContent();
                }
                String nested = find(part.getContent(), type);
                if (nested != null) {
                    return nested;
                }
            }
        }
        return null;
    }

    public static List<String> recipients(Message message) {
        try {
            List<String> result = new ArrayList<>();
            for (var address : message.getAllRecipients()) {
                result.add(address.toString());
            }
            return result;
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
