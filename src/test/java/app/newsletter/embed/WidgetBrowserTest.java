package app.newsletter.embed;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.deque.html.axecore.results.Results;
import com.deque.html.axecore.selenium.AxeBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import app.newsletter.support.Addresses;
import app.newsletter.support.Db;
import app.newsletter.support.ForeignSiteResource;
import app.newsletter.support.GreenMailResource;
import app.newsletter.support.Mailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The widget in a real (headless) Chromium, embedded with the two-line code on a page of another origin, as a blog
 * embeds it. Uses /usr/bin/chromium and /usr/bin/chromedriver (Debian packages chromium, chromium-driver) where both
 * are installed; elsewhere Selenium Manager provides a browser and its driver (a machine with internet access), so that
 * {@code ./mvnw verify} passes on a machine with only a JDK. CI (environment variable {@code CI} set) requires the real
 * Debian browser instead: there, a missing one is a broken runner, not a reason to download.
 */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
@QuarkusTestResource(value = ForeignSiteResource.class, restrictToAnnotatedClass = true)
class WidgetBrowserTest {

    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final Path SCREENSHOTS = Path.of("target", "widget-screenshots");
    private static final String THANKS = "Thank you for subscribing.";
    private static final String WENT_WRONG = "Something went wrong.";

    private static ChromeDriverService driverService;
    private static ChromeDriver browser;
    private static Path profile;

    @TestHTTPResource("/")
    URL service;

    private final String allowedSite = ForeignSiteResource.allowedSite();
    private final String otherSite = ForeignSiteResource.otherSite();

    @Inject
    Db db;

    @BeforeAll
    static void startBrowser() throws IOException {
        boolean debianBrowser = Files.isExecutable(Path.of(CHROMEDRIVER)) && Files.isExecutable(Path.of(CHROMIUM));
        assertTrue(debianBrowser || System.getenv("CI") == null,
                "CI needs " + CHROMIUM + " and " + CHROMEDRIVER
                        + " (apt-get install chromium chromium-driver; .ci/run does it)");
        System.setProperty("SE_AVOID_STATS", "true");
        profile = Files.createTempDirectory("widget-chromium-");
        ChromeOptions options = new ChromeOptions();
        if (debianBrowser) {
            System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
            driverService = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File(CHROMEDRIVER))
                    .usingAnyFreePort()
                    .build();
            options.setBinary(CHROMIUM);
        } else {
            // No driver path and no binary: Selenium Manager resolves (and if need be downloads) both.
            driverService = ChromeDriverService.createDefaultService();
        }
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--window-size=1000,1100");
        browser = new ChromeDriver(driverService, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stopBrowser() throws IOException {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            if (driverService != null) {
                driverService.stop();
            }
            if (profile != null) {
                try (Stream<Path> files = Files.walk(profile)) {
                    files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
                }
            }
        }
    }

    @Test
    void a_visitor_of_an_allowed_site_subscribes_and_gets_the_confirmation_mail() throws IOException {
        String email = Addresses.unique("widget");
        open(allowedSite);
        WebElement box = browser.findElement(By.cssSelector("[data-newsletter] .nlw"));
        assertEquals("Get Our Peptide Evolution Ebook For FREE!", box.findElement(By.tagName("h2")).getText());
        assertTrue(box.getText().contains("Subscribe to our mailing list and get interesting stuff to your email inbox."));
        assertTrue(box.getText().contains("We'll email you the ebook and our newsletter. Unsubscribe anytime."));

        WebElement input = emailInput();
        assertEquals("email", input.getAttribute("type"));
        assertEquals("email", input.getAttribute("autocomplete"));
        assertNotNull(input.getAttribute("required"));
        WebElement label = browser.findElement(By.cssSelector("label[for='" + input.getAttribute("id") + "']"));
        assertTrue(label.isDisplayed());
        assertEquals("Email address", label.getText());
        WebElement name = browser.findElement(By.cssSelector(".nlw input[name=name]"));
        assertTrue(browser.findElement(By.cssSelector("label[for='" + name.getAttribute("id") + "']")).isDisplayed());

        input.sendKeys(email);
        name.sendKeys("Ada Browser");
        submit().click();
        WebElement status = awaitStatus(THANKS);
        assertEquals("polite", status.getAttribute("aria-live"));
        assertEquals(THANKS, status.getText());
        assertTrue(submit().isEnabled());
        screenshot("success.png");

        List<MimeMessage> mails = Mailbox.await(email, 1);
        assertTrue(Mailbox.text(mails.get(0)).contains("/confirm?token="), "a confirmation mail");
        Map<String, Object> row = db.rows("select s.name, s.list_id, s.source from subscriber s where s.email = ?",
                email).get(0);
        assertEquals("Ada Browser", row.get("name"));
        assertEquals("peptide-evolution", row.get("list_id"));
        assertTrue(((String) row.get("source")).startsWith(allowedSite + "/?service="), "source: " + row.get("source"));

        // No cookies, no storage, and nothing fetched from anywhere but the page itself and the service.
        assertEquals("", js("return document.cookie"));
        assertEquals(0L, js("return localStorage.length + sessionStorage.length"));
        @SuppressWarnings("unchecked")
        List<String> fetched = (List<String>) js(
                "return performance.getEntriesByType('resource').map(function (e) { return e.name; })");
        String serviceOrigin = serviceUrl();
        assertFalse(fetched.isEmpty());
        for (String url : fetched) {
            assertTrue(url.startsWith(serviceOrigin + "/") || url.startsWith(allowedSite + "/"), url);
        }
    }

    @Test
    void the_servers_field_message_is_shown_and_the_field_marked_invalid() {
        // Valid for the browser's type=email check, refused by the service (two dots in a row before the @).
        String email = "a..b-" + Addresses.unique("widget-invalid");
        open(allowedSite);
        emailInput().sendKeys(email);
        submit().click();
        WebElement status = awaitStatus(WENT_WRONG);
        assertEquals(WENT_WRONG + " The part before the @ contains characters an email address cannot have.",
                status.getText());
        assertEquals("true", emailInput().getAttribute("aria-invalid"));
        assertEquals(status.getAttribute("id"), emailInput().getAttribute("aria-describedby"));
        assertTrue(submit().isEnabled(), "the button is enabled again after an error");
        assertEquals(0, db.count("select count(*) from subscriber where lower(email) = lower(?)", email));

        // A second try clears the mark.
        emailInput().clear();
        emailInput().sendKeys(Addresses.unique("widget-retry"));
        submit().click();
        awaitStatus(THANKS);
        assertNull(emailInput().getAttribute("aria-invalid"));
    }

    @Test
    void the_honeypot_is_neither_visible_nor_focusable_nor_announced() {
        open(allowedSite);
        WebElement trap = browser.findElement(By.cssSelector(".nlw input[name=website]"));
        assertFalse(trap.isDisplayed());
        assertEquals("-1", trap.getAttribute("tabindex"));
        assertEquals("off", trap.getAttribute("autocomplete"));
        assertEquals(Boolean.TRUE, js("return arguments[0].closest('[aria-hidden=\"true\"]') !== null", trap));
        assertEquals(Boolean.TRUE, js("return arguments[0].getBoundingClientRect().right <= 0", trap));

        // Tab from the email field to the button: the trap is never focused.
        emailInput().click();
        String trapId = trap.getAttribute("id");
        for (int i = 0; i < 5 && !"button".equalsIgnoreCase(browser.switchTo().activeElement().getTagName()); i++) {
            browser.switchTo().activeElement().sendKeys(Keys.TAB);
            assertNotEquals(trapId, browser.switchTo().activeElement().getAttribute("id"));
        }
        assertEquals("button", browser.switchTo().activeElement().getTagName().toLowerCase());
        assertEquals(Boolean.TRUE, js("return arguments[0].closest('.nlw-form').elements.length === 4", trap),
                "email, name, honeypot, button");

        // The accessibility tree (what a screen reader reads) leaves the trap out.
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> nodes = (List<Map<String, Object>>) browser
                .executeCdpCommand("Accessibility.getFullAXTree", Map.of()).get("nodes");
        boolean emailExposed = false;
        for (Map<String, Object> node : nodes) {
            String name = axName(node);
            boolean ignored = Boolean.TRUE.equals(node.get("ignored"));
            if (!ignored && name.equals("Email address")) {
                emailExposed = true;
            }
            assertFalse(!ignored && name.contains("Leave this field empty"), "honeypot exposed: " + node);
        }
        assertTrue(emailExposed, "the accessibility tree holds the email field");
    }

    @Test
    void a_site_that_is_not_allowed_gets_something_went_wrong_and_nothing_is_stored() {
        String email = Addresses.unique("widget-foreign");
        open(otherSite);
        emailInput().sendKeys(email);
        submit().click();
        WebElement status = awaitStatus(WENT_WRONG);
        assertEquals(WENT_WRONG, status.getText());
        assertTrue(submit().isEnabled());
        assertEquals(0, db.count("select count(*) from subscriber where email = ?", email));
        Mailbox.assertStays(email, 0);
    }

    @Test
    void a_list_that_requires_a_proof_of_work_gets_one_solved_by_the_widget() {
        String email = Addresses.unique("widget-pow-real");
        browser.get(allowedSite + "/?service=" + URLEncoder.encode(serviceUrl(), StandardCharsets.UTF_8)
                + "&list=" + ForeignSiteResource.POW_LIST);
        awaitWidget();
        emailInput().sendKeys(email);
        submit().click();
        awaitStatus(THANKS);
        assertEquals(ForeignSiteResource.POW_LIST,
                db.rows("select list_id from subscriber where email = ?", email).get(0).get("list_id"));
        Mailbox.await(email, 1);
    }

    @Test
    void the_proof_of_work_sent_follows_the_challenge_contract() throws IOException {
        ForeignSiteResource.STUB_SIGNUPS.clear();
        String email = Addresses.unique("widget-pow");
        browser.get(allowedSite + "/?service=" + URLEncoder.encode(allowedSite + "/stub", StandardCharsets.UTF_8));
        awaitWidget();
        emailInput().sendKeys(email);
        submit().click();
        awaitStatus(THANKS);

        assertEquals(1, ForeignSiteResource.STUB_SIGNUPS.size());
        ObjectMapper json = new ObjectMapper();
        JsonNode body = json.readTree(ForeignSiteResource.STUB_SIGNUPS.get(0));
        assertEquals(email, body.get("email").asText());
        assertEquals("peptide-evolution", body.get("list").asText());
        assertTrue(body.get("consent").asBoolean());
        assertEquals("", body.get("website").asText());
        JsonNode pow = json.readTree(Base64.getDecoder().decode(body.get("pow").asText()));
        assertEquals(ForeignSiteResource.STUB_NUMBER, pow.get("number").asInt());
        assertEquals(ForeignSiteResource.STUB_SALT, pow.get("salt").asText());
        assertEquals("SHA-256", pow.get("algorithm").asText());
        assertEquals("5ea1ed", pow.get("signature").asText());
        assertEquals(64, pow.get("challenge").asText().length());
    }

    @Test
    void a_german_widget_speaks_german_and_its_confirmation_mail_too() throws Exception {
        String email = Addresses.unique("widget-de");
        browser.get(allowedSite + "/?service=" + URLEncoder.encode(serviceUrl(), StandardCharsets.UTF_8) + "&lang=de");
        awaitWidget();
        WebElement box = browser.findElement(By.cssSelector("[data-newsletter] .nlw"));
        assertEquals("de", box.getAttribute("lang"));
        assertEquals("E-Mail-Adresse", browser.findElement(By.cssSelector(
                "label[for='" + emailInput().getAttribute("id") + "']")).getText());
        assertEquals("Abonnieren", submit().getText());
        assertNoAxeViolations("German widget", ".nlw");

        emailInput().sendKeys(email);
        submit().click();
        // The outcome sentence stays English, and says so to screen readers.
        WebElement status = awaitStatus(THANKS);
        assertEquals("en", status.getAttribute("lang"));
        assertNoAxeViolations("German widget after signing up", ".nlw");
        assertEquals("Bitte bestätigen Sie Ihre Anmeldung zu Peptide Evolution",
                Mailbox.await(email, 1).get(0).getSubject());
    }

    /**
     * axe-core (Deque's engine, WCAG 2.x A and AA rules) finds nothing on any page a subscriber or staff member sees,
     * in English and in German, nor on the widget in its states: the demo page, the confirm page that confirms by
     * itself, the confirmed page, the unsubscribe page and its result, the failure page, the staff page.
     */
    @Test
    void no_page_and_no_widget_state_has_an_axe_violation() {
        // The demo page loads the widget from the public URL (http://localhost:8080 here, where nothing listens):
        // checked as a page; the widget's own states are checked on the foreign site, the box alone.
        browser.get(serviceUrl() + "/");
        assertNoAxeViolations("demo page");
        open(allowedSite);
        assertNoAxeViolations("widget", ".nlw");
        emailInput().sendKeys("a..b@example.com");
        submit().click();
        awaitStatus(WENT_WRONG);
        assertNoAxeViolations("widget showing an error", ".nlw");
        emailInput().clear();
        emailInput().sendKeys(Addresses.unique("axe-widget"));
        submit().click();
        awaitStatus(THANKS);
        assertNoAxeViolations("widget after signing up", ".nlw");

        for (String list : List.of("peptide-evolution", "berlin")) {
            String email = Addresses.unique("axe-" + list);
            given().contentType(ContentType.JSON).body(Map.of("email", email, "list", list)).post(serviceUrl()
                    + "/api/subscriptions").then().statusCode(202);
            MimeMessage mail = Mailbox.await(email, 1).get(0);
            String confirm = Mailbox.link(mail, "http://localhost:8080/confirm").replace("http://localhost:8080",
                    serviceUrl());
            browser.get(confirm); // posts itself and lands on the confirmed page
            new WebDriverWait(browser, Duration.ofSeconds(15)).until(
                    ExpectedConditions.presenceOfElementLocated(By.cssSelector("a.button[href*='ebook']")));
            assertNoAxeViolations(list + ": confirmed page");
            String unsubscribe = Mailbox.link(mail, "http://localhost:8080/unsubscribe")
                    .replace("http://localhost:8080", serviceUrl());
            browser.get(unsubscribe);
            assertNoAxeViolations(list + ": unsubscribe page");
            browser.findElement(By.cssSelector("button[type=submit]")).click();
            new WebDriverWait(browser, Duration.ofSeconds(15)).until(ExpectedConditions.urlContains("unsubscribe"));
            new WebDriverWait(browser, Duration.ofSeconds(15)).until(d -> d.getPageSource().contains("<h1>"));
            assertNoAxeViolations(list + ": unsubscribed page");
        }
        browser.get(serviceUrl() + "/confirm?token=" + "x".repeat(43));
        assertNoAxeViolations("failure page");
        browser.get(serviceUrl().replace("://", "://mia:mia-secret@") + "/admin");
        new WebDriverWait(browser, Duration.ofSeconds(15)).until(d -> d.getPageSource().contains("Export"));
        assertNoAxeViolations("staff page");
    }

    /** @param within CSS selectors to check only (the widget inside a page that is not ours); none: the page */
    private static void assertNoAxeViolations(String what, String... within) {
        AxeBuilder axe = new AxeBuilder().withTags(List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"));
        for (String selector : within) {
            axe.include(selector);
        }
        Results results = axe.analyze(browser);
        List<String> found = results.getViolations().stream()
                .map(rule -> rule.getId() + " (" + rule.getNodes().size() + ": " + rule.getHelp() + ")").toList();
        assertTrue(found.isEmpty(), what + " at " + browser.getCurrentUrl() + ": " + found);
    }

    // --- helpers ---

    private void open(String site) {
        browser.get(site + "/?service=" + URLEncoder.encode(serviceUrl(), StandardCharsets.UTF_8));
        awaitWidget();
    }

    private String serviceUrl() {
        return service.toString().replaceAll("/$", "");
    }

    private static void awaitWidget() {
        new WebDriverWait(browser, Duration.ofSeconds(15))
                .until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".nlw input[type=email]")));
    }

    private static WebElement emailInput() {
        return browser.findElement(By.cssSelector(".nlw input[name=email]"));
    }

    private static WebElement submit() {
        return browser.findElement(By.cssSelector(".nlw button[type=submit]"));
    }

    private static WebElement awaitStatus(String text) {
        By status = By.cssSelector(".nlw [aria-live]");
        new WebDriverWait(browser, Duration.ofSeconds(20))
                .until(ExpectedConditions.textToBePresentInElementLocated(status, text));
        return browser.findElement(status);
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    @SuppressWarnings("unchecked")
    private static String axName(Map<String, Object> node) {
        Object name = node.get("name");
        if (name instanceof Map<?, ?> map && map.get("value") != null) {
            return String.valueOf(map.get("value"));
        }
        return "";
    }

    private static void screenshot(String fileName) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        File shot = browser.getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(fileName), StandardCopyOption.REPLACE_EXISTING);
    }
}
