package app.newsletter.outbox;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import app.newsletter.platform.InstallationSecrets;
import app.newsletter.platform.Sha256;

/**
 * The home of {@code suppression}: addresses no mail may reach, as salted SHA-256 of the lower-cased address (enough
 * to recognise one, useless for finding out who it was), with the reason. Bounced and complained addresses stop
 * mail: the dispatcher's claim drops queued mail to them ({@link OutboxBatches}), whichever feature queued it. Erased
 * addresses keep a bulk import from bringing them back, but a new signup through a form is a new consent and mails
 * again. Native SQL: the key is a {@code bytea} hash, which JPA cannot use as an identifier.
 */
@ApplicationScoped
public class Suppressions {

    /** Why an address is on the list; a bounce or complaint outranks an erasure. */
    public enum Reason {
        ERASED,
        BOUNCED,
        COMPLAINED
    }

    private final EntityManager em;
    private final InstallationSecrets secrets;

    Suppressions(EntityManager em, InstallationSecrets secrets) {
        this.em = em;
        this.secrets = secrets;
    }

    /**
     * A condition true when the address in {@code recipient} (a column or expression of the caller's statement) may not
     * be mailed: bounced or complained. For the dispatcher's claim ({@link OutboxBatches}), which drops such mail.
     */
    static String stopsMailTo(String recipient) {
        return """
                exists (select 1 from suppression s
                         where s.hash = sha256(%s || convert_to(lower(%s), 'UTF8'))
                           and s.reason <> 'ERASED')""".formatted(InstallationSecrets.valueSql(SALT), recipient);
    }

    /** Adds the address, or raises an erased one's reason; a complaint stays a complaint. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void add(String address, Reason reason) {
        em.createNativeQuery("""
                insert into suppression (hash, created_at, reason) values (decode(:hash, 'hex'), now(), :reason)
                on conflict (hash) do update set reason = excluded.reason
                 where suppression.reason = 'ERASED' or excluded.reason = 'COMPLAINED'""")
                .setParameter("hash", hash(address))
                .setParameter("reason", reason.name())
                .executeUpdate();
    }

    /**
     * The salted hash in hex, as the audit log names an address. Addresses are ASCII (the parser makes the domain so
     * and takes no other local part): lower case here is the database's lower(), which the claim hashes with.
     */
    public String hash(String address) {
        return HexFormat.of().formatHex(Sha256.of(secrets.value(SALT),
                address.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8)));
    }

    static final String SALT = "suppression-salt";
}
