package app.newsletter.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What the signup form accepts as an address, and what it stores: plain logic, no service needed. */
class EmailAddressTest {

    @ParameterizedTest(name = "{0} is stored as {1}")
    @CsvSource(delimiter = '|', value = {
            "ada@example.com|ada@example.com",
            "  ada@example.com  |ada@example.com",
            "Ada.Lovelace@Example.COM|Ada.Lovelace@example.com",
            "ada+news@example.com|ada+news@example.com",
            "o'brien@example.ie|o'brien@example.ie",
            "juergen@bücher.example|juergen@xn--bcher-kva.example",
            "x@a-b.example|x@a-b.example"
    })
    void an_address_is_trimmed_its_domain_lower_cased_and_made_ascii_its_local_part_kept_as_typed(String input,
            String stored) {
        EmailAddress.Result result = EmailAddress.parse(input);
        assertNull(result.error());
        assertEquals(stored, result.address().orElseThrow().value());
    }

    @ParameterizedTest(name = "{0} is refused")
    @ValueSource(strings = { "", "   ", "ada", "@example.com", "ada@", "ada@@example.com", "ada..l@example.com",
            ".ada@example.com", "ada.@example.com", "\"ada\"@example.com", "ada l@example.com", "ada@[192.0.2.1]",
            "ada@-example.com", "ada@example-.com", "ada@example..com", "ada@example.com.", "ada@exa_mple.com",
            "ada@example.com\r\n", "ada\n@example.com", "ada@exam\u0000ple.com" })
    void an_address_the_form_cannot_take_is_refused_with_a_reason(String input) {
        EmailAddress.Result result = EmailAddress.parse(input);
        assertTrue(result.address().isEmpty(), input);
        assertTrue(result.error() != null && !result.error().isBlank(), input);
    }

    @org.junit.jupiter.api.Test
    void a_missing_address_asks_for_one() {
        assertEquals("Please enter your email address.", EmailAddress.parse(null).error());
    }

    @org.junit.jupiter.api.Test
    void the_lengths_of_rfc_5321_are_the_limits() {
        String local64 = "a".repeat(EmailAddress.MAX_LOCAL);
        assertTrue(EmailAddress.parse(local64 + "@example.com").address().isPresent());
        assertTrue(EmailAddress.parse(local64 + "a@example.com").error().contains("64"));

        String label = "b".repeat(60);
        String domain = label + "." + label + "." + label + "." + "c".repeat(50) + ".example"; // 241 characters
        String atLimit = "a".repeat(EmailAddress.MAX_TOTAL - domain.length() - 1) + "@" + domain;
        assertEquals(EmailAddress.MAX_TOTAL, atLimit.length());
        assertTrue(EmailAddress.parse(atLimit).address().isPresent());
        assertTrue(EmailAddress.parse("a" + atLimit).error().contains("254"));
    }
}
