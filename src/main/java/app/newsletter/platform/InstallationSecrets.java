package app.newsletter.platform;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * The installation's own secrets ({@code installation_secret}): random values the migrations made, the same for every
 * instance without any configuration (the proof-of-work key, the salt of erased addresses' hashes). They never
 * change, so each is read once.
 */
@ApplicationScoped
public class InstallationSecrets {

    private final EntityManager em;
    private final Map<String, byte[]> read = new ConcurrentHashMap<>();

    InstallationSecrets(EntityManager em) {
        this.em = em;
    }

    private static final String VALUE = "select value from installation_secret where name = %s";

    /**
     * A scalar subquery of the named secret, for a statement of another room that needs it inside the database (the
     * suppression list's salt, in the mail claim).
     */
    public static String valueSql(String name) {
        if (!name.matches("[a-z-]+")) {
            throw new IllegalArgumentException("not a secret's name: " + name);
        }
        return "(" + VALUE.formatted("'" + name + "'") + ")";
    }

    /** @return a copy of the named secret */
    public byte[] value(String name) {
        return read.computeIfAbsent(name, this::load).clone();
    }

    @Transactional
    byte[] load(String name) {
        return (byte[]) em.createNativeQuery(VALUE.formatted(":name"))
                .setParameter("name", name).getSingleResult();
    }
}
