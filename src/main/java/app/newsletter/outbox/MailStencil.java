package app.newsletter.outbox;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import io.quarkus.mailer.MailTemplate.MailTemplateInstance;
import io.quarkus.qute.HtmlEscaper;

/**
 * A mail template rendered once, with holes where the values that change from mail to mail go (a name, a link):
 * filling the holes gives the same text and HTML as rendering the template with those values.
 * <p>
 * Why: rendering both variants with Qute was a fifth of the service's sampled Java time at 32 connections (JFR,
 * bench/README.md), and a confirmation differs from the next only in its name and links. The template is rendered
 * with a random marker per hole; the parts between markers are kept. HTML holes are escaped as Qute escapes an
 * expression's value, text holes are not, as in Qute. This holds only for templates that print the values as they
 * are (no condition on them, no method called on them): a caller renders one stencil per outcome of any condition
 * (e.g. name present or not), and a test compares stencils with Qute for each template.
 */
public final class MailStencil {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HtmlEscaper HTML = new HtmlEscaper(List.of("text/html"));

    private final String kind;
    private final Part text;
    private final Part html;

    private MailStencil(String kind, Part text, Part html) {
        this.kind = kind;
        this.text = text;
        this.html = html;
    }

    /**
     * @param holes how many values the template takes per mail
     * @param template the template instance for the given markers (one per hole, in order); markers stand where a
     *        value is printed
     */
    public static MailStencil of(String kind, int holes, Function<String[], MailTemplateInstance> template,
            Locale locale) {
        // Unguessable, so that no constant text (a list's name) can be mistaken for a hole.
        String prefix = "stencil" + HexFormat.of().formatHex(nonce()) + "h";
        String[] markers = new String[holes];
        for (int i = 0; i < holes; i++) {
            markers[i] = prefix + i + "z";
        }
        QueuedMail rendered = MailRendering.render(kind, "stencil@invalid", "stencil", template.apply(markers),
                Map.of(), locale);
        return new MailStencil(kind, Part.split(rendered.text(), prefix, holes),
                Part.split(rendered.html(), prefix, holes));
    }

    private static byte[] nonce() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** The mail for these values (as many as holes, in order, none null: absent values need a stencil of their own). */
    public QueuedMail fill(String recipient, String subject, Map<String, String> headers, String... values) {
        return new QueuedMail(kind, recipient, subject, text.fill(values, false), html.fill(values, true), headers);
    }

    /** Constant pieces and, between each two, the index of the value printed there. */
    private record Part(String[] pieces, int[] holes, int constantLength) {

        static Part split(String rendered, String prefix, int count) {
            List<String> pieces = new ArrayList<>();
            List<Integer> holes = new ArrayList<>();
            int from = 0;
            int constant = 0;
            for (int at; (at = rendered.indexOf(prefix, from)) >= 0;) {
                int end = rendered.indexOf('z', at + prefix.length());
                int hole = Integer.parseInt(rendered.substring(at + prefix.length(), end));
                if (hole >= count) {
                    throw new IllegalStateException("a stencil's marker was changed by its template");
                }
                pieces.add(rendered.substring(from, at));
                constant += at - from;
                holes.add(hole);
                from = end + 1;
            }
            pieces.add(rendered.substring(from));
            constant += rendered.length() - from;
            return new Part(pieces.toArray(String[]::new), holes.stream().mapToInt(Integer::intValue).toArray(),
                    constant);
        }

        String fill(String[] values, boolean escape) {
            StringBuilder out = new StringBuilder(constantLength + 64 * holes.length);
            for (int i = 0; i < holes.length; i++) {
                out.append(pieces[i]);
                String value = Objects.requireNonNull(values[holes[i]], "a stencil's value");
                out.append(escape ? HTML.map(value, null) : value);
            }
            return out.append(pieces[holes.length]).toString();
        }
    }
}
