package app.newsletter.staff;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The staff who sign in to {@code /admin} and {@code /api/admin} (README "Staff": users). */
@ConfigMapping(prefix = "newsletter.staff")
public interface StaffConfig {

    /** Staff users by user name ({@code NEWSLETTER_STAFF_USERS_<NAME>_…}; names are lower case). */
    Map<String, User> users();

    /**
     * The least bcrypt cost a stored hash may have: each step doubles the work of checking one guess. 10 takes about
     * 0.1 s on one core here; lower it only for tests.
     */
    @WithDefault("10")
    @Min(4)
    @Max(31)
    int minimumCost();

    /** One staff user. */
    interface User {

        /**
         * The password's bcrypt hash in modular crypt form ({@code $2y$12$…}, as {@code htpasswd -nBC 12 <name>}
         * prints it after the colon; {@code $2a$} and {@code $2b$} are read too). The password itself is stored
         * nowhere.
         */
        String passwordHash();

        /**
         * Comma-separated roles: {@code marketing} (statistics, export, look-up) and {@code admin} (also erasure). A
         * user without one may sign in and do nothing.
         */
        Optional<Set<String>> roles();
    }
}
