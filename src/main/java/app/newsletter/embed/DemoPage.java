package app.newsletter.embed;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import app.newsletter.subscription.SubscriptionConfig;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * {@code GET /}: a sample blog article with the signup box in its footer, embedded exactly as a foreign site embeds
 * it, plus the code to copy and a plain HTML form for pages without JavaScript.
 */
@Path("/")
public class DemoPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance demo(String baseUrl, String list, String embedCode, String formCode,
                String liveForm);
    }

    private final SubscriptionConfig config;

    DemoPage(SubscriptionConfig config) {
        this.config = config;
    }

    @GET
    @Produces(MediaType.TEXT_HTML + ";charset=UTF-8")
    public TemplateInstance page() {
        String base = baseUrl(config);
        String list = config.defaultList();
        // The codes are HTML to paste, so the values in them are attribute-escaped; Qute escapes them again to show.
        String codeBase = attribute(base);
        String codeList = attribute(list);
        // The page's own copy hides the honeypot by a class of its style sheet: its Content-Security-Policy blocks
        // style attributes, which the code to paste keeps (the site it goes into has no such class).
        return Templates.demo(base, list, embedCode(codeBase, codeList), formCode(codeBase, codeList, HONEYPOT_STYLE),
                formCode(codeBase, codeList, "class=\"honeypot\""));
    }

    /** The public URL without trailing slashes, e.g. {@code https://news.example.com}. */
    static String baseUrl(SubscriptionConfig config) {
        return config.publicUrl().toString().replaceAll("/+$", "");
    }

    /** The page shows the form code as it is (raw); escaping keeps configured values inside their attributes. */
    private static String attribute(String value) {
        return value.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static String embedCode(String base, String list) {
        return "<div data-newsletter=\"" + list + "\"></div>\n"
                + "<script src=\"" + base + "/widget.js\" async></script>";
    }

    private static final String HONEYPOT_STYLE = "style=\"position:absolute;left:-10000px\"";

    /** @param hideHoneypot the attribute that hides the honeypot field's box */
    static String formCode(String base, String list, String hideHoneypot) {
        return "<form method=\"post\" action=\"" + base + "/api/subscriptions\">\n"
                + "  <input type=\"hidden\" name=\"list\" value=\"" + list + "\">\n"
                + "  <label for=\"nl-email\">Email address</label>\n"
                + "  <input id=\"nl-email\" type=\"email\" name=\"email\" required autocomplete=\"email\">\n"
                + "  <label for=\"nl-name\">Name (optional)</label>\n"
                + "  <input id=\"nl-name\" type=\"text\" name=\"name\" autocomplete=\"name\">\n"
                + "  <div aria-hidden=\"true\" " + hideHoneypot + ">\n"
                + "    <input type=\"text\" name=\"website\" tabindex=\"-1\" autocomplete=\"off\">\n"
                + "  </div>\n"
                + "  <p>We'll email you the ebook and our newsletter. Unsubscribe anytime.</p>\n"
                + "  <button type=\"submit\">Subscribe</button>\n"
                + "</form>";
    }
}
