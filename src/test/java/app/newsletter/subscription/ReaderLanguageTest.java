package app.newsletter.subscription;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.GreenMailResource;
import app.newsletter.support.Mailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Pages and mails in the reader's language: the form's explicit {@code lang}, else the list's {@code locale}, else
 * the browser's Accept-Language among English, German, Spanish and French. The two outcome sentences stay English.
 */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class ReaderLanguageTest {

    @Test
    void a_french_browser_gets_french_mails_and_pages_through_the_whole_double_opt_in() {
        String email = Addresses.unique("fr");
        given().header("Accept-Language", "fr-CH, fr;q=0.9, en;q=0.5").contentType(ContentType.JSON)
                .body(Map.of("email", email, "name", "Zoë"))
                .when().post("/api/subscriptions")
                .then().statusCode(202).body("message", equalTo("Thank you for subscribing."));

        MimeMessage confirmation = Mailbox.await(email, 1).get(0);
        assertEquals("Confirmez votre inscription à Peptide Evolution", subject(confirmation));
        assertTrue(Mailbox.text(confirmation).startsWith("Bonjour Zoë,"), Mailbox.text(confirmation));
        assertTrue(Mailbox.html(confirmation).contains("<html lang=\"fr\">"), Mailbox.html(confirmation));
        assertTrue(Mailbox.html(confirmation).contains("Confirmer mon inscription"));

        String token = Mailbox.token(Mailbox.link(confirmation, "http://localhost:8080/confirm"));
        given().header("Accept-Language", "fr").queryParam("token", token).when().get("/confirm")
                .then().statusCode(200).body(containsString("<html lang=\"fr\">"))
                .body(containsString("Confirmez votre inscription à Peptide Evolution"));
        given().header("Accept-Language", "fr").contentType(ContentType.URLENC).formParam("token", token)
                .when().post("/confirm")
                .then().statusCode(200).body(containsString("Vous êtes inscrit à Peptide Evolution."))
                .body(containsString("Télécharger le livre numérique"));

        MimeMessage ebook = Mailbox.await(email, 2).get(1);
        assertEquals("Votre livre numérique gratuit : Peptide Evolution Ebook", subject(ebook));
        assertTrue(Mailbox.text(ebook).contains("merci de votre inscription à Peptide Evolution"));
    }

    @Test
    void a_list_with_its_own_locale_speaks_it_whatever_the_browser_and_an_explicit_lang_beats_both() {
        String german = Addresses.unique("de");
        given().header("Accept-Language", "en-US").contentType(ContentType.JSON)
                .body(Map.of("email", german, "list", "berlin"))
                .when().post("/api/subscriptions").then().statusCode(202);
        MimeMessage mail = Mailbox.await(german, 1).get(0);
        assertEquals("Bitte bestätigen Sie Ihre Anmeldung zu Berliner Briefe", subject(mail));
        assertTrue(Mailbox.text(mail).startsWith("Hallo,"), Mailbox.text(mail));

        String spanish = Addresses.unique("es");
        given().header("Accept-Language", "de").contentType(ContentType.JSON)
                .body(Map.of("email", spanish, "list", "berlin", "lang", "es"))
                .when().post("/api/subscriptions").then().statusCode(202);
        assertEquals("Confirme su suscripción a Berliner Briefe", subject(Mailbox.await(spanish, 1).get(0)));
    }

    @Test
    void form_pages_translate_everything_but_the_two_outcome_sentences() {
        given().header("Accept-Language", "de-DE").contentType(ContentType.URLENC)
                .formParam("email", Addresses.unique("form-de"))
                .when().post("/api/subscriptions")
                .then().statusCode(200)
                .body(containsString("<html lang=\"de\">"))
                .body(containsString("<h1>Thank you for subscribing.</h1>"))
                .body(containsString("Wir haben Ihnen eine E-Mail geschickt."));
        given().header("Accept-Language", "es").contentType(ContentType.URLENC).formParam("email", "not-an-address")
                .when().post("/api/subscriptions")
                .then().statusCode(400)
                .body(containsString("<html lang=\"es\">"))
                .body(containsString("Something went wrong."))
                .body(containsString("Vuelva a la página anterior e inténtelo de nuevo."));
        // Nothing asked for, or a language the service does not speak: English.
        given().header("Accept-Language", "ja").contentType(ContentType.URLENC)
                .formParam("email", Addresses.unique("form-ja"))
                .when().post("/api/subscriptions")
                .then().statusCode(200).body(containsString("<html lang=\"en\">"))
                .body(containsString("We have sent you an email."));
    }

    private static String subject(MimeMessage mail) {
        try {
            return mail.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
