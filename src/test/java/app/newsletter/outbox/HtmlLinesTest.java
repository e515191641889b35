package app.newsletter.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** An HTML body leaves in few long lines that render as the short ones did. */
class HtmlLinesTest {

    private static final String PAGE = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>Confirm</title>
            </head>
            <body>
            <p>Hello Ada,</p>
            <p>please confirm.</p>
            </body>
            </html>
            """;

    @Test
    void joins_short_lines_with_a_space_which_html_renders_as_the_line_break_it_replaces() {
        String joined = HtmlLines.join(PAGE);

        assertEquals(1, joined.lines().count());
        assertEquals(PAGE.replace('\n', ' ').strip(), joined.replace('\n', ' ').strip());
    }

    @Test
    void starts_a_new_line_before_one_would_pass_the_limit() {
        String line = "<p>" + "x".repeat(300) + "</p>";
        String html = String.join("\n", line, line, line, line, line);

        String joined = HtmlLines.join(html);

        assertTrue(joined.lines().allMatch(l -> l.length() <= HtmlLines.MAX), joined);
        assertEquals(3, joined.lines().count());
        assertEquals(html.replace('\n', ' '), joined.replace('\n', ' '));
    }

    @Test
    void leaves_a_line_longer_than_the_limit_as_it_is() {
        String longLine = "<p>" + "y".repeat(HtmlLines.MAX + 50) + "</p>";
        String joined = HtmlLines.join("<p>a</p>\n" + longLine + "\n<p>b</p>");

        assertTrue(Arrays.asList(joined.split("\n")).contains(longLine), joined);
    }

    @Test
    void leaves_bodies_with_preformatted_text_alone() {
        String html = "<p>a</p>\n<PRE>line one\nline two</PRE>\n<p>b</p>";

        assertEquals(html, HtmlLines.join(html));
        String form = "<textarea>one\ntwo</textarea>\n<p>b</p>";
        assertEquals(form, HtmlLines.join(form));
    }

    @Test
    void drops_carriage_returns_with_the_line_breaks() {
        assertEquals("<p>a</p> <p>b</p>", HtmlLines.join("<p>a</p>\r\n<p>b</p>"));
    }
}
