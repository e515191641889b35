package app.newsletter.apikeys;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import app.newsletter.abuse.AbuseConfig;
import app.newsletter.abuse.RateWindows;
import app.newsletter.platform.AuditLog;
import io.quarkus.runtime.Startup;

/**
 * API keys: the one home of {@code api_key}. Staff make, list and revoke keys (audited under the staff user's name);
 * backends send them as {@code Authorization: Bearer nlk_…} to sign people up or to read the subscribers. A key is
 * shown once, when it is made, and stored only as its hash ({@link KeyMaterial}).
 */
@ApplicationScoped
@Startup // a negative listing lag stops start-up, not the first listing
public class ApiKeys {

    private static final Logger LOG = Logger.getLogger(ApiKeys.class);
    private static final int MAX_NAME = 100;

    /**
     * One statement finds a live key by its hash and counts the use: a signup with a key costs this, its window and
     * the group commit. Native because JPQL updates return no rows.
     */
    private static final String USE = """
            update api_key set use_count = use_count + 1, last_used_at = :now
             where key_hash = :hash and revoked_at is null
            returning *""";

    /** What staff ask for: a name, scopes, optionally one list. */
    public record NewKey(String name, List<String> scopes, String list) {
    }

    /** What making a key came to. */
    public sealed interface Creation {
    }

    /** The key, shown this once. */
    public record Created(long id, String key, String prefix, String name, List<String> scopes, String list,
            Instant createdAt) implements Creation {
    }

    /** Fields that are not valid, by name. */
    public record Invalid(Map<String, String> errors) implements Creation {
    }

    /** A key as listed to staff: everything but the key. */
    public record Listed(long id, String prefix, String name, List<String> scopes, String list, Instant createdAt,
            String createdBy, Instant revokedAt, String revokedBy, long useCount, Instant lastUsedAt) {
    }

    private final EntityManager em;
    private final RateWindows windows;
    private final AuditLog audit;
    private final ApiKeysConfig config;
    private final Set<String> lists;

    ApiKeys(EntityManager em, RateWindows windows, AuditLog audit, ApiKeysConfig config, AbuseConfig lists) {
        this.em = em;
        this.windows = windows;
        this.audit = audit;
        this.config = config;
        this.lists = Set.copyOf(lists.lists().keySet());
        if (config.listingLag().isNegative()) {
            throw new IllegalArgumentException("NEWSLETTER_API_KEYS_LISTING_LAG must not be negative (it is "
                    + config.listingLag() + "); PT3M is safe with the default transaction timeout");
        }
    }

    /** @return whether the header carries Bearer credentials, without looking anything up */
    public static boolean isBearer(String authorization) {
        return authorization != null && authorization.regionMatches(true, 0, "Bearer", 0, 6)
                && (authorization.length() == 6 || Character.isWhitespace(authorization.charAt(6)));
    }

    /** How far behind the present the subscriber listing stays ({@link ApiKeysConfig#listingLag()}). */
    public Duration listingLag() {
        return config.listingLag();
    }

    /**
     * Finds the request's key, counts its use and checks that it holds the scope; a {@link Scope#SIGNUP} also takes
     * a place in the key's window ({@code api-key:<id>} in {@link RateWindows}, shared by every instance). All in one
     * transaction: the use counts even when the scope or the window refuses it, as every request with the key is one.
     */
    @Transactional
    public Authorization authorize(String authorization, Scope scope) {
        if (!isBearer(authorization)) {
            return new Authorization.Anonymous();
        }
        String key = authorization.substring(6).strip();
        if (!KeyMaterial.wellFormed(key)) {
            return new Authorization.Unauthenticated("The Authorization header holds no valid API key.");
        }
        Instant now = Instant.now();
        @SuppressWarnings("unchecked")
        List<ApiKey> found = em.createNativeQuery(USE, ApiKey.class).setParameter("now", now)
                .setParameter("hash", KeyMaterial.hash(key)).getResultList();
        if (found.isEmpty()) {
            LOG.debug("a request came with an unknown or revoked API key");
            return new Authorization.Unauthenticated("This API key is unknown or has been revoked.");
        }
        ApiKey row = found.get(0);
        if (!Arrays.asList(row.scopes).contains(scope.label())) {
            return new Authorization.Forbidden("This API key may not " + (scope == Scope.SIGNUP ? "sign people up"
                    : "read the subscribers") + " (it lacks the scope '" + scope.label() + "').");
        }
        if (scope == Scope.SIGNUP) {
            long retryAfter = windows.take(List.of("api-key:" + row.id), config.perMinute(), config.perDay(), now)[0];
            if (retryAfter > 0) {
                LOG.infof("API key %d used up its signup window", row.id);
                return new Authorization.Limited(retryAfter);
            }
        }
        return new Authorization.Granted(new Authorization.Caller(row.id, row.prefix, row.listId));
    }

    /** Makes a key and records who made it; the key itself goes into the answer and nowhere else. */
    @Transactional
    public Creation create(NewKey request, String actor) {
        Map<String, String> errors = new LinkedHashMap<>();
        String name = request.name() == null ? null : request.name().strip();
        if (name == null || name.isEmpty()) {
            errors.put("name", "Give the key a name that says who uses it.");
        } else if (name.codePointCount(0, name.length()) > MAX_NAME
                || name.codePoints().anyMatch(Character::isISOControl)) {
            errors.put("name", "The name must be at most " + MAX_NAME + " characters, without line breaks.");
        }
        Set<String> scopes = new LinkedHashSet<>();
        if (request.scopes() == null || request.scopes().isEmpty()) {
            errors.put("scopes", "Name at least one scope: signup, read.");
        } else {
            for (String scope : request.scopes()) {
                Optional<Scope> known = scope == null ? Optional.empty()
                        : Scope.of(scope.strip().toLowerCase(Locale.ROOT));
                if (known.isEmpty()) {
                    errors.put("scopes", "Unknown scope '" + printable(scope) + "'. Known scopes: signup, read.");
                    break;
                }
                scopes.add(known.get().label());
            }
        }
        String list = request.list() == null || request.list().isBlank() ? null : request.list().strip();
        if (list != null && !lists.contains(list)) {
            errors.put("list", "There is no list called '" + printable(list) + "'.");
        }
        if (!errors.isEmpty()) {
            return new Invalid(errors);
        }
        KeyMaterial.Minted minted = KeyMaterial.mint();
        ApiKey row = new ApiKey();
        row.name = name;
        row.keyHash = minted.hash();
        row.prefix = minted.prefix();
        row.scopes = scopes.toArray(String[]::new);
        row.listId = list;
        row.createdAt = Instant.now();
        row.createdBy = actor;
        row.persist();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("id", row.id);
        details.put("prefix", row.prefix);
        details.put("name", name);
        details.put("scopes", List.copyOf(scopes));
        details.put("list", list);
        audit.record(actor, "api-key.create", details, null);
        return new Created(row.id, minted.key(), row.prefix, name, List.copyOf(scopes), list, row.createdAt);
    }

    /** Every key, newest first, revoked ones included (with who revoked them). */
    @Transactional
    public List<Listed> list() {
        List<Listed> keys = new ArrayList<>();
        for (ApiKey row : ApiKey.<ApiKey> find("#ApiKey.all").list()) {
            keys.add(new Listed(row.id, row.prefix, row.name, List.of(row.scopes), row.listId, row.createdAt,
                    row.createdBy, row.revokedAt, row.revokedBy, row.useCount, row.lastUsedAt));
        }
        return keys;
    }

    /**
     * Revokes a key at once, on every instance (each request looks its key up).
     *
     * @return false when there is no such live key (unknown, or revoked already)
     */
    @Transactional
    public boolean revoke(long id, String actor) {
        int revoked = ApiKey.update("#ApiKey.revoke", id, Instant.now(), actor);
        if (revoked == 0) {
            return false;
        }
        audit.record(actor, "api-key.revoke", Map.of("id", id), null);
        return true;
    }

    /** For error details: what the caller sent, shortened and without control characters. */
    private static String printable(String value) {
        if (value == null) {
            return "null";
        }
        String shortened = value.length() > 40 ? value.substring(0, 40) + "…" : value;
        return shortened.replaceAll("\\p{Cntrl}", "?");
    }
}
