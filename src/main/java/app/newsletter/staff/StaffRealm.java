package app.newsletter.staff;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.Config;
import org.wildfly.security.password.Password;
import org.wildfly.security.password.PasswordFactory;
import org.wildfly.security.password.WildFlyElytronPasswordProvider;
import org.wildfly.security.password.interfaces.BCryptPassword;
import org.wildfly.security.password.util.ModularCrypt;

import io.quarkus.runtime.Startup;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Staff sign-in (HTTP Basic) against bcrypt hashes from {@link StaffConfig}: a leaked configuration gives a guesser
 * about ten guesses a second per core at cost 10, where the SHA-512 digests of the embedded realm gave millions. Online
 * guessing is stopped before this runs ({@code LoginThrottle}: 429 after ten failures a minute per user name or IP);
 * the hash is checked on a worker thread, never on the event loop. A password checked once is remembered for a few
 * minutes (as an HMAC under a key made at start-up), so that a staff page's requests do not pay the hash each.
 */
// Made at start-up, so that a bad hash or role stops the service with one line instead of refusing every login.
@Startup
@ApplicationScoped
class StaffRealm implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    static final Set<String> ROLES = Set.of("marketing", "admin");
    private static final Duration REMEMBERED = Duration.ofMinutes(5);
    private static final int MAX_REMEMBERED = 1000;
    private static final String LEGACY_PROPERTY = "quarkus.security.users.embedded.users.";
    private static final String LEGACY_VARIABLE = "QUARKUS_SECURITY_USERS_EMBEDDED_USERS_";

    private record Account(Password hash, Set<String> roles) {
    }

    private final Map<String, Account> accounts = new HashMap<>();
    private final PasswordFactory bcrypt;
    private final byte[] rememberKey = new byte[32];
    private final Map<String, Long> remembered = new ConcurrentHashMap<>();

    StaffRealm(StaffConfig config, Config all) {
        refuseLegacyUsers(all);
        try {
            bcrypt = PasswordFactory.getInstance(BCryptPassword.ALGORITHM_BCRYPT, new WildFlyElytronPasswordProvider());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("bcrypt is part of Elytron", e);
        }
        config.users().forEach((name, user) -> accounts.put(name.toLowerCase(Locale.ROOT),
                new Account(hash(name, user.passwordHash(), config.minimumCost()),
                        roles(name, user.roles().orElse(Set.of())))));
        new SecureRandom().nextBytes(rememberKey);
    }

    /**
     * The embedded realm's users were the way to configure staff before; left in place they would now be ignored and
     * lock everyone out without a word.
     */
    private static void refuseLegacyUsers(Config all) {
        boolean embedded = all.getOptionalValue("quarkus.security.users.embedded.enabled", Boolean.class)
                .orElse(false);
        if (embedded) {
            return; // dev mode's plain-text trial users
        }
        for (String name : all.getPropertyNames()) {
            if (name.startsWith(LEGACY_PROPERTY) || name.startsWith(LEGACY_VARIABLE)) {
                throw new IllegalStateException(name + " is no longer read: give each staff user "
                        + "NEWSLETTER_STAFF_USERS_<NAME>_PASSWORD_HASH (a bcrypt hash: htpasswd -nBC 12 <name>) and "
                        + "NEWSLETTER_STAFF_USERS_<NAME>_ROLES instead (README \"Staff\")");
            }
        }
    }

    private Password hash(String name, String modularCrypt, int minimumCost) {
        String variable = "NEWSLETTER_STAFF_USERS_" + variablePart(name) + "_PASSWORD_HASH";
        // $2b$ (OpenBSD, Python) and $2a$ hash alike for every password under 256 bytes; Elytron reads $2a$ and $2y$.
        String normalised = modularCrypt.strip().replaceFirst("^\\$2b\\$", "\\$2a\\$");
        try {
            Password password = ModularCrypt.decode(normalised);
            if (!(password instanceof BCryptPassword bcryptHash)) {
                throw new IllegalArgumentException();
            }
            if (bcryptHash.getIterationCount() < minimumCost) {
                throw new IllegalStateException(variable + " has bcrypt cost " + bcryptHash.getIterationCount()
                        + ", below the least allowed (" + minimumCost + "): make it again with htpasswd -nBC 12 "
                        + name);
            }
            return bcrypt.translate(password);
        } catch (GeneralSecurityException | RuntimeException e) {
            if (e instanceof IllegalStateException refused) {
                throw refused;
            }
            throw new IllegalStateException(variable + " is not a bcrypt hash ($2y$…): make one with htpasswd -nBC 12 "
                    + name + " and take the part after the colon");
        }
    }

    private static Set<String> roles(String name, Set<String> roles) {
        for (String role : roles) {
            if (!ROLES.contains(role)) {
                throw new IllegalStateException("NEWSLETTER_STAFF_USERS_" + variablePart(name) + "_ROLES names '"
                        + role + "': staff roles are marketing and admin");
            }
        }
        return Set.copyOf(roles);
    }

    private static String variablePart(String name) {
        return name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
            AuthenticationRequestContext context) {
        return context.runBlocking(() -> identity(request.getUsername(), request.getPassword().getPassword()));
    }

    SecurityIdentity identity(String user, char[] password) {
        String name = user.toLowerCase(Locale.ROOT);
        Account account = accounts.get(name);
        if (account == null) {
            // The same work as for a known name, so that the reply's time does not tell which names exist.
            verify(accounts.isEmpty() ? null : accounts.values().iterator().next().hash(), password);
            throw new AuthenticationFailedException();
        }
        String memo = memo(name, password);
        Long until = remembered.get(memo);
        long now = System.nanoTime();
        if (until == null || until - now < 0) {
            if (!verify(account.hash(), password)) {
                throw new AuthenticationFailedException();
            }
            if (remembered.size() >= MAX_REMEMBERED) {
                remembered.clear();
            }
            remembered.put(memo, now + REMEMBERED.toNanos());
        }
        return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(name)).addRoles(account.roles())
                .build();
    }

    private boolean verify(Password hash, char[] password) {
        if (hash == null) {
            return false;
        }
        try {
            return bcrypt.verify(hash, password);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private String memo(String name, char[] password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(rememberKey, "HmacSHA256"));
            mac.update(name.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(new String(password).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
