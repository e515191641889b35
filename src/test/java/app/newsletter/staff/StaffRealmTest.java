package app.newsletter.staff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** Staff passwords are kept as slow (bcrypt) hashes, and a setting that would weaken or bypass that stops start-up. */
class StaffRealmTest {

    /** htpasswd -nbBC 10 alice 'correct horse' */
    private static final String ALICE = "$2y$10$nHbGaowuYLaLzyRl0fwU7utTpnkThvY8O7MrVKdmXc5uEOHyEWXFO";
    /** What the embedded realm of before took: HEX(SHA-512("alice:Quarkus:correct horse")), millions of guesses a second. */
    private static final String SHA512 = "613386de8ceadab888e9661372f35e1e09ccbf5bb31d096b2f60f0e53cbe43a4fcd1604e9defeb814d3951d706b50867f8600ea771b21a32cc7cd85e3e6ebdba";

    @Test
    void the_right_password_signs_in_with_its_roles_and_a_wrong_one_or_an_unknown_user_does_not() {
        StaffRealm realm = realm(Map.of("newsletter.staff.users.alice.password-hash", ALICE,
                "newsletter.staff.users.alice.roles", "marketing,admin"));

        SecurityIdentity alice = realm.identity("Alice", "correct horse".toCharArray());
        assertEquals("alice", alice.getPrincipal().getName());
        assertEquals(Set.of("marketing", "admin"), alice.getRoles());
        // Remembered for a few minutes, and still only for the right password.
        assertEquals("alice", realm.identity("alice", "correct horse".toCharArray()).getPrincipal().getName());
        assertThrows(AuthenticationFailedException.class, () -> realm.identity("alice", "correct horse!".toCharArray()));
        assertThrows(AuthenticationFailedException.class, () -> realm.identity("mallory", "correct horse".toCharArray()));
    }

    @Test
    void a_fast_digest_as_the_embedded_realm_took_it_stops_start_up_naming_the_variable() {
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> realm(Map.of(
                "newsletter.staff.users.alice.password-hash", SHA512, "newsletter.staff.users.alice.roles", "admin")));
        assertTrue(refused.getMessage().startsWith("NEWSLETTER_STAFF_USERS_ALICE_PASSWORD_HASH is not a bcrypt hash"),
                refused.getMessage());
    }

    @Test
    void a_bcrypt_hash_below_cost_ten_stops_start_up_outside_tests() {
        String cheap = "$2y$04$1WExAoe26L5z00vsU4YmXO4JHYrZf7dvUadCokKeRZ39.M6M1Bnfm";
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> realm(Map.of(
                "newsletter.staff.users.mia.password-hash", cheap, "newsletter.staff.users.mia.roles", "marketing")));
        assertTrue(refused.getMessage().contains("bcrypt cost 4, below the least allowed (10)"), refused.getMessage());
    }

    @Test
    void a_role_that_grants_nothing_known_stops_start_up() {
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> realm(Map.of(
                "newsletter.staff.users.alice.password-hash", ALICE, "newsletter.staff.users.alice.roles", "root")));
        assertEquals("NEWSLETTER_STAFF_USERS_ALICE_ROLES names 'root': staff roles are marketing and admin",
                refused.getMessage());
    }

    @Test
    void users_still_set_for_the_embedded_realm_stop_start_up_instead_of_locking_everyone_out_silently() {
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> realm(Map.of(
                "QUARKUS_SECURITY_USERS_EMBEDDED_USERS_ALICE", SHA512)));
        assertTrue(refused.getMessage().startsWith("QUARKUS_SECURITY_USERS_EMBEDDED_USERS_ALICE is no longer read: "
                + "give each staff user NEWSLETTER_STAFF_USERS_<NAME>_PASSWORD_HASH"), refused.getMessage());
    }

    private static StaffRealm realm(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(new HashMap<>(properties), "test", 500))
                .withMapping(StaffConfig.class).build();
        return new StaffRealm(config.getConfigMapping(StaffConfig.class), config);
    }
}
