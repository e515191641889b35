package app.newsletter.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import app.newsletter.outbox.MailRendering;
import app.newsletter.outbox.QueuedMail;
import io.quarkus.qute.i18n.Localized;
import io.quarkus.qute.i18n.MessageBundles;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A confirmation filled into its stencil is, byte for byte, the mail Qute renders from the template: for every list,
 * language and kind of name, including names that need escaping and text that looks like a marker.
 */
@QuarkusTest
class ConfirmationStencilTest {

    @Inject
    SubscriptionMails mails;

    @Inject
    SubscriptionConfig config;

    @Inject
    Links links;

    private static final List<String> NAMES = Arrays.asList(null, "", " ", "Ada",
            "<script>alert('x') & \"y\"</script>", "Zoë 山田 🙂", "stencil00h0z", "{name}", "A".repeat(200));

    @Test
    void fills_the_same_mail_that_rendering_the_template_gives() {
        int compared = 0;
        for (String listId : config.lists().keySet()) {
            for (Locale locale : List.of(mails.locale(listId), Locale.ENGLISH, Locale.GERMAN, Locale.FRENCH,
                    Locale.forLanguageTag("es"))) {
                for (String name : NAMES) {
                    String confirmToken = "c" + compared + "_-AZaz09";
                    String unsubscribeToken = "u" + compared;
                    QueuedMail filled = mails.confirmation("ada@example.org", name, listId, confirmToken,
                            unsubscribeToken, locale);

                    assertEquals(rendered("ada@example.org", name, listId, confirmToken, unsubscribeToken, locale),
                            filled, listId + " " + locale + " " + name);
                    compared++;
                }
            }
        }
        assertEquals(config.lists().size() * 5 * NAMES.size(), compared);
    }

    /** What the service did before stencils: the template rendered with this mail's values. */
    private QueuedMail rendered(String email, String name, String listId, String confirmToken,
            String unsubscribeToken, Locale locale) {
        SubscriptionConfig.MailingList list = config.lists().get(listId);
        String unsubscribeUrl = links.unsubscribe(unsubscribeToken);
        String subject = MessageBundles.get(SubscriptionTexts.class, Localized.Literal.of(locale.toLanguageTag()))
                .mailConfirmSubject(list.displayName());
        return MailRendering.render(SubscriptionMails.CONFIRMATION, email, subject,
                new SubscriptionMails.confirmation(name, list.displayName(), list.ebookTitle(),
                        links.confirm(confirmToken), unsubscribeUrl),
                mails.headers(SubscriptionMails.CONFIRMATION, listId, unsubscribeUrl), locale);
    }
}
