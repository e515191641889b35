package app.newsletter.staff;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.equalToIgnoringCase;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import app.newsletter.support.GreenMailResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

/** Every staff endpoint, asked by nobody, by a wrong password, by a user without a role, by marketing and by admin. */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class AdminAccessTest {

    static Stream<Arguments> endpoints() {
        return Stream.of(
                Arguments.of("GET", "/api/admin/subscribers.csv", 200),
                Arguments.of("GET", "/api/admin/consents.csv", 200),
                Arguments.of("GET", "/api/admin/exports", 200),
                Arguments.of("GET", "/api/admin/stats", 200),
                Arguments.of("GET", "/api/admin/subscribers/nobody-known@example.com", 404),
                Arguments.of("DELETE", "/api/admin/subscribers/nobody-known@example.com", 404),
                Arguments.of("GET", "/admin", 200));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("endpoints")
    void anonymous_requests_are_challenged_with_401(String method, String path, int ignored) {
        given().when().request(method, path)
                .then().statusCode(401)
                .header("WWW-Authenticate", equalToIgnoringCase("basic realm=\"Newsletter staff\""));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("endpoints")
    void a_wrong_password_is_a_401(String method, String path, int ignored) {
        given().auth().preemptive().basic("mia", "wrong").when().request(method, path)
                .then().statusCode(401);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("endpoints")
    void a_user_without_a_staff_role_is_refused_with_403(String method, String path, int ignored) {
        as("nobody", "nobody-secret").when().request(method, path).then().statusCode(403);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("endpoints")
    void marketing_may_do_everything_but_erase(String method, String path, int allowed) {
        int expected = method.equals("DELETE") ? 403 : allowed;
        as("mia", "mia-secret").when().request(method, path).then().statusCode(expected);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("endpoints")
    void admin_may_do_everything(String method, String path, int allowed) {
        as("ada", "ada-secret").when().request(method, path).then().statusCode(allowed);
    }

    @org.junit.jupiter.api.Test
    void the_admin_page_shows_the_lists_and_an_export_form() {
        String page = as("mia", "mia-secret").when().get("/admin")
                .then().statusCode(200).contentType(containsString("text/html"))
                .extract().asString();
        assertTrue(page.contains("Peptide Evolution"));
        assertTrue(page.contains("action=\"/api/admin/subscribers.csv\""));
        assertTrue(page.contains("Signed in as mia"));
    }

    @org.junit.jupiter.api.Test
    void refused_erasure_says_why_in_a_problem_body() {
        as("mia", "mia-secret").when().delete("/api/admin/subscribers/x@example.com")
                .then().statusCode(403);
        as("ada", "ada-secret").when().get("/api/admin/subscribers/not-an-address")
                .then().statusCode(400).contentType("application/problem+json")
                .body("title", equalTo("Something went wrong."));
    }

    private static RequestSpecification as(String user, String password) {
        return given().auth().preemptive().basic(user, password);
    }
}
