package app.newsletter.subscription;

import app.newsletter.outbox.QueuedMail;
import app.newsletter.platform.Failures;
import app.newsletter.platform.NewsletterConfig;
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
 * Group commit for signups. A request prepares its signup (links minted, mail rendered) and hands it to one writer
 * thread; the writer takes every signup that queued up while it was committing the previous group and writes them
 * together in one transaction. Each request is answered only after the commit that holds its rows, so a reply still
 * means "stored", while a spike costs one commit per group instead of one per signup.
 * <p>
 * Every signup of a group that failed for a reason of its own (say a deadlock with another instance) is written
 * again as a group of one; addresses already on their list go on to {@link SubscriptionService#subscribeKnown}.
 */
@ApplicationScoped
class SignupWriter {

    private static final Logger LOG = Logger.getLogger(SignupWriter.class);

    /** A signup ready to write: everything that needs no database is done before it waits for the shared commit. */
    record NewSignup(Signup.Valid signup, ClientInfo client, Tokens.Minted confirm, Tokens.Minted unsubscribe,
            QueuedMail mail) {
    }

    private enum Outcome { WRITTEN, EXISTS, ALONE }

    private record Job(NewSignup signup, CompletableFuture<Outcome> outcome) {
    }

    private static final Job STOP = new Job(null, null);

    private final NewSignups store;
    private final SubscriptionService service;
    private final SubscriptionMails mails;
    private final int groupSize;
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private volatile boolean open;
    private Thread writer;

    SignupWriter(NewSignups store, SubscriptionService service, SubscriptionMails mails, NewsletterConfig config) {
        this.store = store;
        this.service = service;
        this.mails = mails;
        this.groupSize = config.signupBatchSize();
    }

    void start(@Observes StartupEvent event) {
        if (groupSize > 1) {
            writer = new Thread(this::run, "signup-writer");
            writer.setDaemon(true);
            open = true;
            writer.start();
        }
    }

    /** After HTTP has drained (graceful shutdown), the signups still queued are written before the writer ends. */
    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        if (writer != null) {
            open = false;
            queue.add(STOP);
            writer.join(30_000);
        }
    }

    void subscribe(Signup.Valid signup, ClientInfo client) {
        NewSignup prepared = prepare(signup, client);
        Outcome outcome = open ? inGroup(prepared) : Outcome.ALONE;
        if (outcome == Outcome.ALONE) {
            outcome = alone(prepared);
        }
        // A row erased between the insert's conflict and the lock: the address is new again, once more.
        if (outcome == Outcome.EXISTS && !service.subscribeKnown(signup, client) && alone(prepared) == Outcome.EXISTS) {
            service.subscribeKnown(signup, client);
        }
    }

    private Outcome inGroup(NewSignup prepared) {
        Job job = new Job(prepared, new CompletableFuture<>());
        queue.add(job);
        try {
            return job.outcome().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
    }

    /** A group of one, in the caller's thread: the writer is off, closed, or this signup's group failed. */
    private Outcome alone(NewSignup prepared) {
        try {
            return store.write(List.of(prepared))[0] ? Outcome.WRITTEN : Outcome.EXISTS;
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
            boolean stopping = group.remove(STOP);
            if (!group.isEmpty()) {
                write(group);
            }
            group.clear();
            if (stopping && queue.isEmpty()) {
                return;
            }
        }
    }

    private void write(List<Job> group) {
        try {
            boolean[] written = store.write(group.stream().map(Job::signup).toList());
            for (int i = 0; i < written.length; i++) {
                group.get(i).outcome().complete(written[i] ? Outcome.WRITTEN : Outcome.EXISTS);
            }
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
                if (waiting.remove(STOP)) {
                    queue.add(STOP);
                }
                group.forEach(job -> job.outcome().completeExceptionally(e));
                waiting.forEach(job -> job.outcome().completeExceptionally(e));
            }
        }
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
