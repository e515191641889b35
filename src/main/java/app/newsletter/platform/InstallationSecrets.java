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

    /** @return a copy of the named secret */
    public byte[] value(String name) {
        return read.computeIfAbsent(name, this::load).clone();
    }

    @Transactional
    byte[] load(String name) {
        return (byte[]) em.createNativeQuery("select value from installation_secret where name = :name")
                .setParameter("name", name).getSingleResult();
    }
}
