package app.newsletter.outbox;

import java.util.Locale;

/**
 * Joins an HTML body's short lines into long ones before it is sent.
 * <p>
 * Why: the Vert.x mail client writes a part line by line, each line its own socket write once the one before has
 * gone out, so each of a confirmation's 23 HTML lines cost a write; the event loop that carries the SMTP connections
 * spent most of the mail line on such writes (bench/README.md). Outside {@code pre} and {@code textarea} a line break
 * in HTML is plain white space, so joining lines with a space renders the same. Lines stay well under RFC 5322's 998
 * characters, so
 * an ASCII body still goes out as 7-bit text; a body with other characters (a name such as Zoë) goes out
 * quoted-printable, wrapped at 76 characters, either way, and gains nothing.
 */
final class HtmlLines {

    /** Longest joined line; a single longer line is left as it is. */
    static final int MAX = 900;

    private HtmlLines() {
    }

    static String join(String html) {
        String lower = html.toLowerCase(Locale.ROOT);
        if (lower.contains("<pre") || lower.contains("<textarea")) {
            return html;
        }
        StringBuilder out = new StringBuilder(html.length());
        int lineStart = 0;
        for (String line : html.split("\n", -1)) {
            String piece = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            if (out.length() == lineStart) {
                out.append(piece);
            } else if (out.length() - lineStart + 1 + piece.length() <= MAX) {
                out.append(' ').append(piece);
            } else {
                out.append('\n');
                lineStart = out.length();
                out.append(piece);
            }
        }
        return out.toString();
    }
}
