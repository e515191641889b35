package app.newsletter.abuse;

import java.time.Instant;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;

import app.newsletter.http.ProblemException;
import app.newsletter.platform.InstallationSecrets;

/**
 * A self-hosted hash puzzle for lists that ask for one ({@link Puzzle} makes and checks it). A solution counts once:
 * its nonce is spent in {@code proof_of_work_spent}, shared by every instance, until the puzzle would have expired.
 * The HMAC key is the installation's, made by the database migration and the same for every instance.
 */
@ApplicationScoped
public class ProofOfWork {

    /** The puzzle as the widget receives it; {@code required=false} when the list asks for none. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Challenge(boolean required, String algorithm, String challenge, String salt, Integer maxnumber,
            String signature) {
    }

    private final EntityManager em;
    private final ObjectMapper json;
    private final AbuseConfig config;
    private final InstallationSecrets secrets;

    ProofOfWork(EntityManager em, ObjectMapper json, AbuseConfig config, InstallationSecrets secrets) {
        this.em = em;
        this.json = json;
        this.config = config;
        this.secrets = secrets;
    }

    public boolean requiredFor(String listId) {
        AbuseConfig.ListDefence list = config.lists().get(listId);
        return list != null && list.proofOfWork();
    }

    public Challenge create(String listId) {
        if (!requiredFor(listId)) {
            return new Challenge(false, null, null, null, null, null);
        }
        Puzzle.Issued puzzle = Puzzle.issue(key(), listId,
                Instant.now().plus(config.proofOfWork().lifetime()).getEpochSecond(), config.proofOfWork().maxNumber());
        return new Challenge(true, Puzzle.ALGORITHM, puzzle.challenge(), puzzle.salt(), puzzle.maxNumber(),
                puzzle.signature());
    }

    /** Refuses (400, field "pow") a missing, forged, expired, foreign, wrong or already used solution. */
    public void verify(String listId, String payload) {
        Puzzle.Verdict verdict = Puzzle.check(key(), json, listId, payload, Instant.now().getEpochSecond(),
                config.proofOfWork().maxNumber());
        if (verdict.refusal() != null) {
            throw refused(verdict.refusal());
        }
        if (!spend(verdict.nonce(), verdict.expires())) {
            throw refused("The anti-bot proof has already been used. Please reload the page and try again.");
        }
    }

    /**
     * Native: an insert that does nothing on conflict decides "first use" atomically across instances, where a
     * persisted entity would fail its transaction on the duplicate key.
     *
     * @return whether the nonce was unspent (and is spent now, for every instance)
     */
    @Transactional
    boolean spend(String nonce, long expires) {
        return em.createNativeQuery("insert into proof_of_work_spent (nonce, expires_at) "
                + "values (:nonce, to_timestamp(:expires)) on conflict (nonce) do nothing")
                .setParameter("nonce", nonce)
                .setParameter("expires", expires)
                .executeUpdate() == 1;
    }

    /** Spent nonces of puzzles that have expired anyway. */
    @Transactional
    void purgeSpent() {
        em.createNativeQuery("delete from proof_of_work_spent where expires_at < now()").executeUpdate();
    }

    private static ProblemException refused(String message) {
        return new ProblemException(400, message, Map.of("pow", message));
    }

    /** The installation's key, made by the database migration and the same for every instance. */
    private byte[] key() {
        return secrets.value("proof-of-work-key");
    }
}
