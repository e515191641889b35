package app.newsletter.subscription;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import app.newsletter.abuse.RateWindows;
import app.newsletter.http.TooManyRequests;
import app.newsletter.outbox.QueuedMail;
import app.newsletter.platform.Failures;
import app.newsletter.platform.GroupCommit;

/**
 * Group commit for signups. A request prepares its signup (links minted, mail rendered) and hands it to a
 * {@link GroupCommit} with two writer threads: an idle writer takes every signup queued so far and writes them in one
 * statement that commits on its own, their per-IP limits included; signups that come while both write share the next
 * group. Two, so that while one group waits for its commit to reach the disk the other sends its statement
 * (bench/README.md). The JSON endpoint hands its signup in from the HTTP event loop and answers when the stage
 * completes, so a reply still means "stored" (or "refused"), while a spike costs one commit per group instead of one
 * or two per signup, and no request holds a thread while it waits.
 * <p>
 * Every signup of a group that failed for a reason of its own (say a deadlock with another instance) is written
 * again as a group of one. When the database is away, the signups still queued fail with the group, so that every
 * request answers 503 within one wait. Addresses already on their list are queued in the same transaction for
 * {@link KnownSignups}, which applies their rules right behind the reply.
 */
@ApplicationScoped
class SignupWriter {

    private static final Logger LOG = Logger.getLogger(SignupWriter.class);
    private static final int WRITERS = 2;
    /** With {@code NEWSLETTER_SIGNUP_BATCH_SIZE=1} each write holds one signup: more of them at once. */
    private static final int WRITERS_ALONE = 8;

    /** A signup ready to write: everything that needs no database is done before it waits for the shared commit. */
    record NewSignup(Signup.Valid signup, ClientInfo client, Tokens.Minted confirm, Tokens.Minted unsubscribe,
            QueuedMail mail) {
    }

    /**
     * One request for the group: its per-IP window key (null when the limit is off) and its signup (null for a request
     * that only counts against its IP).
     */
    record Request(String limitKey, NewSignup signup) {
    }

    private final NewSignups store;
    private final SubscriptionMails mails;
    private final RateWindows windows;
    private final GroupCommit<Request, NewSignups.Written> groups;
    /**
     * The group's log line is written off the writer's thread: a line that only groups with new addresses cause must
     * not make their replies slower than a known address's (bench/timing.sh).
     */
    private final ExecutorService logLines = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "signup-log");
        thread.setDaemon(true);
        return thread;
    });

    SignupWriter(NewSignups store, SubscriptionMails mails, RateWindows windows, SubscriptionConfig config) {
        this.store = store;
        this.mails = mails;
        this.windows = windows;
        int groupSize = config.signupBatchSize();
        this.groups = new GroupCommit<>("signup-writer", groupSize, groupSize > 1 ? WRITERS : WRITERS_ALONE,
                this::writeGroup, e -> !ownFault(e));
    }

    /**
     * Stores a signup, its client's request counted against the per-IP windows in the same transaction.
     *
     * @throws TooManyRequests when the client's IP has used up its windows (nothing is stored)
     */
    void subscribe(Signup.Valid signup, ClientInfo client) {
        Failures.join(subscribeAsync(signup, client));
    }

    /**
     * {@link #subscribe} without blocking the caller: for the HTTP event loop. The stage completes on a writer's
     * thread, failed with {@link TooManyRequests} when the client's IP has used up its windows.
     */
    CompletableFuture<Void> subscribeAsync(Signup.Valid signup, ClientInfo client) {
        return submit(new Request(windows.signupKey(client.ip()), prepare(signup, client)));
    }

    /**
     * Stores a signup made with an API key, whose key took its own window before ({@code ApiKeys}): a backend's
     * visitors share its address, so no per-IP window applies, and the group's statements stay as they are.
     */
    void subscribeWithKey(Signup.Valid signup, ClientInfo client) {
        Failures.join(submit(new Request(null, prepare(signup, client))));
    }

    /**
     * Writes a signup whose known row was gone by the time {@link KnownSignups} locked it (erased or purged meanwhile),
     * as the new address it is again; its IP was counted when it first came in.
     */
    void subscribeAgain(Signup.Valid signup, ClientInfo client) {
        Failures.join(submit(new Request(null, prepare(signup, client))));
    }

    /**
     * Counts a request that stores nothing (invalid, a bot's) against its client's IP, as every signup request counts.
     *
     * @throws TooManyRequests when the client's IP has used up its windows
     */
    void count(ClientInfo client) {
        Failures.join(countAsync(client));
    }

    /** {@link #count} without blocking the caller. */
    CompletableFuture<Void> countAsync(ClientInfo client) {
        String key = windows.signupKey(client.ip());
        return key == null ? CompletableFuture.completedFuture(null) : submit(new Request(key, null));
    }

    @PreDestroy
    void stop() {
        groups.close();
    }

    private CompletableFuture<Void> submit(Request request) {
        return groups.submitAsync(request)
                .exceptionallyCompose(e -> ownFault(e) ? groups.submitAlone(request) : CompletableFuture.failedFuture(e))
                .thenApply(written -> {
                    if (written.state() == NewSignups.State.LIMITED) {
                        throw new TooManyRequests(written.retryAfter());
                    }
                    return null;
                });
    }

    private List<NewSignups.Written> writeGroup(List<Request> requests) throws SQLException {
        List<NewSignups.Written> written;
        try {
            written = List.of(store.write(requests));
        } catch (SQLException | RuntimeException e) {
            if (ownFault(e) && requests.size() > 1) {
                LOG.infof("a group of %d signups failed (%s); writing them one by one", requests.size(),
                        Failures.rootMessage(e));
            }
            throw e;
        }
        logLines.execute(() -> NewSignups.logSignups(requests, written.toArray(NewSignups.Written[]::new)));
        return written;
    }

    private NewSignup prepare(Signup.Valid signup, ClientInfo client) {
        Tokens.Minted confirm = Tokens.mint();
        Tokens.Minted unsubscribe = Tokens.mint();
        QueuedMail mail = mails.confirmation(signup.email().value(), signup.name(), signup.listId(), confirm.token(),
                unsubscribe.token(), signup.locale());
        return new NewSignup(signup, client, confirm, unsubscribe, mail);
    }

    /**
     * Failures that one signup or this group's timing caused (constraint, bad data, deadlock, serialization), as
     * opposed to the database being unreachable, where writing one by one would only take longer to fail.
     */
    private static boolean ownFault(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                return state.startsWith("22") || state.startsWith("23") || state.startsWith("40");
            }
        }
        return false;
    }
}
