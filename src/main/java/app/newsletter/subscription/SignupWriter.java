package app.newsletter.subscription;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import app.newsletter.abuse.RateWindows;
import app.newsletter.http.TooManyRequests;
import app.newsletter.outbox.QueuedMail;
import app.newsletter.platform.Failures;
import app.newsletter.platform.GroupCommit;

/**
 * Group commit for signups. A request prepares its signup (links minted, mail rendered) and hands it to a
 * {@link GroupCommit} of two writers: a request that finds a writer's turn free writes every signup queued so far in
 * one statement that commits on its own, their per-IP limits included, on its own thread; requests that come while
 * both turns are taken share the next write. Two, so that while one group waits for its commit to reach the disk the
 * other sends its statement (bench/README.md). Each request is answered only after the commit that holds its rows, so a reply
 * still
 * means "stored" (or "refused"), while a spike costs one commit per group instead of one or two per signup.
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
    /** Null when every signup is written alone ({@code NEWSLETTER_SIGNUP_BATCH_SIZE=1}). */
    private final GroupCommit<Request, NewSignups.Written> groups;
    /**
     * The group's log line is written off the writing thread: that thread is a request's own, and a line that only
     * groups with new addresses cause must not make their replies slower than a known address's (bench/timing.sh).
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
        this.groups = groupSize > 1 ? new GroupCommit<>(groupSize, WRITERS, this::writeGroup, e -> !ownFault(e))
                : null;
    }

    /**
     * Stores a signup, its client's request counted against the per-IP windows in the same transaction.
     *
     * @throws TooManyRequests when the client's IP has used up its windows (nothing is stored)
     */
    void subscribe(Signup.Valid signup, ClientInfo client) {
        submit(new Request(windows.signupKey(client.ip()), prepare(signup, client)));
    }

    /**
     * Stores a signup made with an API key, whose key took its own window before ({@code ApiKeys}): a backend's
     * visitors share its address, so no per-IP window applies, and the group's statements stay as they are.
     */
    void subscribeWithKey(Signup.Valid signup, ClientInfo client) {
        submit(new Request(null, prepare(signup, client)));
    }

    /**
     * Writes a signup whose known row was gone by the time {@link KnownSignups} locked it (erased or purged meanwhile),
     * as the new address it is again; its IP was counted when it first came in.
     */
    void subscribeAgain(Signup.Valid signup, ClientInfo client) {
        submit(new Request(null, prepare(signup, client)));
    }

    /**
     * Counts a request that stores nothing (invalid, a bot's) against its client's IP, as every signup request counts.
     *
     * @throws TooManyRequests when the client's IP has used up its windows
     */
    void count(ClientInfo client) {
        String key = windows.signupKey(client.ip());
        if (key != null) {
            submit(new Request(key, null));
        }
    }

    private void submit(Request request) {
        NewSignups.Written written;
        if (groups == null) {
            written = alone(request);
        } else {
            try {
                written = groups.submit(request);
            } catch (RuntimeException e) {
                if (!ownFault(e)) {
                    throw e;
                }
                written = alone(request);
            }
        }
        if (written.state() == NewSignups.State.LIMITED) {
            throw new TooManyRequests(written.retryAfter());
        }
    }

    /** A group of one: every signup is written alone, or this request's group failed for a reason of its own. */
    private NewSignups.Written alone(Request request) {
        try {
            return writeGroup(List.of(request)).get(0);
        } catch (SQLException e) {
            throw new IllegalStateException("signup not written: " + e.getMessage(), e);
        }
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
