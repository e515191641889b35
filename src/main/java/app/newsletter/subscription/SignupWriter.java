package app.newsletter.subscription;

import app.newsletter.http.TooManyRequests;

import app.newsletter.outbox.QueuedMail;
import app.newsletter.platform.Failures;
import app.newsletter.abuse.RateWindows;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.jboss.logging.Logger;

/**
 * Group commit for signups. A request prepares its signup (links minted, mail rendered) and hands it to the writer
 * threads; a writer takes every signup that queued up while it was busy and writes them together in one transaction,
 * their per-IP limits included. Two writers, so that while one waits for its commit to reach the disk (half the
 * time of a lone writer, in pg_stat_activity samples) the other sends its group's statements (bench/README.md). Each request is answered only after the commit that holds
 * its rows, so a reply still means "stored" (or "refused"), while a spike costs one commit per group instead of one or
 * two per signup.
 * <p>
 * Every signup of a group that failed for a reason of its own (say a deadlock with another instance) is written
 * again as a group of one. Addresses already on their list are queued in the same transaction for
 * {@link KnownSignups}, which applies their rules right behind the reply.
 */
@ApplicationScoped
class SignupWriter {

    private static final Logger LOG = Logger.getLogger(SignupWriter.class);

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

    /** ALONE: this request's group failed; it is written again on its own. */
    private record Outcome(NewSignups.State state, long retryAfter, boolean alone) {
        static final Outcome ALONE = new Outcome(null, 0, true);
    }

    private record Job(Request request, CompletableFuture<Outcome> outcome) {
    }

    private static final Job STOP = new Job(null, null);

    private final NewSignups store;
    private final SubscriptionMails mails;
    private final RateWindows windows;
    private final int groupSize;
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private volatile boolean open;
    private static final int WRITERS = 2;
    private final List<Thread> writers = new ArrayList<>();

    SignupWriter(NewSignups store, SubscriptionMails mails, RateWindows windows, SubscriptionConfig config) {
        this.store = store;
        this.mails = mails;
        this.windows = windows;
        this.groupSize = config.signupBatchSize();
    }

    void start(@Observes StartupEvent event) {
        if (groupSize > 1) {
            open = true;
            for (int i = 0; i < WRITERS; i++) {
                Thread writer = new Thread(this::run, "signup-writer-" + i);
                writer.setDaemon(true);
                writer.start();
                writers.add(writer);
            }
        }
    }

    /** After HTTP has drained (graceful shutdown), the signups still queued are written before the writer ends. */
    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        open = false;
        writers.forEach(writer -> queue.add(STOP));
        long deadline = System.nanoTime() + 30_000_000_000L;
        for (Thread writer : writers) {
            writer.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
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

    private Outcome submit(Request request) {
        Outcome outcome = open ? inGroup(request) : Outcome.ALONE;
        if (outcome.alone()) {
            outcome = alone(request);
        }
        if (outcome.state() == NewSignups.State.LIMITED) {
            throw new TooManyRequests(outcome.retryAfter());
        }
        return outcome;
    }

    private Outcome inGroup(Request request) {
        Job job = new Job(request, new CompletableFuture<>());
        queue.add(job);
        try {
            return job.outcome().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
    }

    /** A group of one, in the caller's thread: the writer is off, closed, or this request's group failed. */
    private Outcome alone(Request request) {
        try {
            NewSignups.Written[] written = store.write(List.of(request));
            NewSignups.logSignups(List.of(request), written);
            return new Outcome(written[0].state(), written[0].retryAfter(), false);
        } catch (SQLException e) {
            throw new IllegalStateException("signup not written: " + e.getMessage(), e);
        }
    }

    private NewSignup prepare(Signup.Valid signup, ClientInfo client) {
        Tokens.Minted confirm = Tokens.mint();
        Tokens.Minted unsubscribe = Tokens.mint();
        QueuedMail mail = mails.confirmation(signup.email().value(), signup.name(), signup.listId(), confirm.token(),
                unsubscribe.token());
        return new NewSignup(signup, client, confirm, unsubscribe, mail);
    }

    private void run() {
        List<Job> group = new ArrayList<>(groupSize);
        while (true) {
            try {
                group.add(queue.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            queue.drainTo(group, groupSize - 1);
            int stops = removeStops(group);
            if (!group.isEmpty()) {
                write(group);
            }
            group.clear();
            if (stops > 0) {
                // One stop per writer: this one ends once nothing is left to write, and hands the others theirs.
                boolean done = queue.isEmpty();
                for (int i = done ? 1 : 0; i < stops; i++) {
                    queue.add(STOP);
                }
                if (done) {
                    return;
                }
            }
        }
    }

    private void write(List<Job> group) {
        try {
            List<Request> requests = group.stream().map(Job::request).toList();
            NewSignups.Written[] written = store.write(requests);
            for (int i = 0; i < written.length; i++) {
                group.get(i).outcome().complete(new Outcome(written[i].state(), written[i].retryAfter(), false));
            }
            NewSignups.logSignups(requests, written);
        } catch (Exception | Error e) {
            if (ownFault(e)) {
                LOG.infof("a group of %d signups failed (%s); writing them one by one", group.size(),
                        Failures.rootMessage(e));
                group.forEach(job -> job.outcome().complete(Outcome.ALONE));
            } else {
                // The database is away. Signups that queued while this group waited for it would wait as long again
                // behind the next group: they fail now too, so that every request answers 503 within one wait.
                List<Job> waiting = new ArrayList<>();
                queue.drainTo(waiting);
                for (int stops = removeStops(waiting); stops > 0; stops--) {
                    queue.add(STOP);
                }
                group.forEach(job -> job.outcome().completeExceptionally(e));
                waiting.forEach(job -> job.outcome().completeExceptionally(e));
            }
        }
    }

    private static int removeStops(List<Job> jobs) {
        int stops = 0;
        while (jobs.remove(STOP)) {
            stops++;
        }
        return stops;
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
