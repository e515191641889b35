package app.newsletter.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import app.newsletter.platform.DomainNames;

/** Which addresses the domain blocklist drops: plain logic, no service needed. */
class DomainBlocklistTest {

    /** As the signup asks: with the address's domain in the form the address parser leaves it. */
    private static boolean blocks(DomainBlocklist list, String address) {
        String domain = address.substring(address.lastIndexOf('@') + 1);
        return list.blocks(DomainNames.ascii(domain).orElseThrow());
    }

    @Test
    void an_entry_blocks_its_domain_and_every_subdomain_but_not_a_domain_that_only_ends_alike() {
        DomainBlocklist list = new DomainBlocklist(false, List.of("spam.example"));
        assertTrue(blocks(list, "a@spam.example"));
        assertTrue(blocks(list, "a@mx.eu.spam.example"));
        assertFalse(blocks(list, "a@notspam.example"));
        assertFalse(blocks(list, "a@spam.example.org"));
        assertFalse(blocks(list, "a@example"));
    }

    @Test
    void a_wildcard_entry_says_the_same_explicitly_and_covers_the_domain_itself() {
        DomainBlocklist list = new DomainBlocklist(false, List.of("*.spam.example"));
        assertTrue(blocks(list, "a@spam.example"));
        assertTrue(blocks(list, "a@sub.spam.example"));
        assertFalse(blocks(list, "a@other.example"));
    }

    @Test
    void entries_are_matched_as_addresses_arrive_whatever_case_trailing_dot_or_script_the_operator_wrote() {
        DomainBlocklist list = new DomainBlocklist(false, List.of(" Spam.EXAMPLE. ", "bücher.example"));
        assertTrue(blocks(list, "a@SPAM.example"));
        assertTrue(blocks(list, "a@bücher.example"));
        assertTrue(blocks(list, "a@xn--bcher-kva.example"));
    }

    @Test
    void an_entry_that_is_no_domain_name_is_a_setting_error_naming_the_variable() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new DomainBlocklist(false, List.of("spam..example")));
        assertEquals("NEWSLETTER_BLOCKLIST_DOMAINS: 'spam..example' is not a domain name; write it as example.com "
                + "or *.example.com", error.getMessage());
    }

    @Test
    void the_shipped_disposable_list_is_on_by_default_and_blocks_nothing_else() {
        DomainBlocklist shipped = new DomainBlocklist(true, List.of());
        assertTrue(blocks(shipped, "a@mailinator.com"));
        assertTrue(blocks(shipped, "a@x.10minutemail.com"));
        assertFalse(blocks(shipped, "a@example.com"));
        assertFalse(blocks(new DomainBlocklist(false, List.of()), "a@mailinator.com"));
    }
}
