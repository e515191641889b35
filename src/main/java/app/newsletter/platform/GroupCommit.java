package app.newsletter.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;

/**
 * Group commit: callers hand in items and get a future for their result; {@code writers} threads of its own each take
 * every item queued so far (up to {@code maxGroup}) and write them in one call, for everyone. Items that arrive while
 * a write is in progress therefore share the next one, and a lone item is written at once by an idle writer.
 * <p>
 * The writers are threads of their own so that callers need not be: an HTTP event loop hands in an item and goes on
 * with other requests, where a blocking caller would hold a worker thread and two thread switches per item
 * (bench/README.md, "signups without a worker thread").
 * <p>
 * A failed write fails every item of its group with the same exception; what a caller does then (write its item alone,
 * answer 503) is the caller's business. When {@code failQueued} says the failure will hit the next group as well (the
 * database is away), the items still queued fail with it at once, instead of each waiting for the same timeout again.
 *
 * @param <T> what callers hand in
 * @param <R> what each of them gets back, in the order of the group
 */
public final class GroupCommit<T, R> implements AutoCloseable {

    /** Writes one group; returns one result per item, in order. */
    @FunctionalInterface
    public interface Writer<T, R> {
        List<R> write(List<T> group) throws Exception;
    }

    /** {@code alone}: written in a group of its own (its shared group failed for a reason of its own). */
    private record Job<T, R>(T item, boolean alone, CompletableFuture<R> result) {
    }

    private final int maxGroup;
    private final Writer<T, R> writer;
    private final Predicate<Exception> failQueued;
    private final BlockingQueue<Job<T, R>> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    /** @param name the writers' thread name, numbered */
    public GroupCommit(String name, int maxGroup, int writers, Writer<T, R> writer, Predicate<Exception> failQueued) {
        if (maxGroup < 1 || writers < 1) {
            throw new IllegalArgumentException("a group holds at least one item and one writer writes it");
        }
        this.maxGroup = maxGroup;
        this.writer = writer;
        this.failQueued = failQueued;
        for (int i = 1; i <= writers; i++) {
            Thread thread = new Thread(this::writeWhileOpen, name + "-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /** Queues the item; the future completes, on a writer's thread, once the group that holds it is written. */
    public CompletableFuture<R> submitAsync(T item) {
        return queue(new Job<>(item, false, new CompletableFuture<>()));
    }

    /** As {@link #submitAsync}, but the item is written in a group of its own. */
    public CompletableFuture<R> submitAlone(T item) {
        return queue(new Job<>(item, true, new CompletableFuture<>()));
    }

    private CompletableFuture<R> queue(Job<T, R> job) {
        if (closed) {
            job.result.completeExceptionally(new IllegalStateException("shutting down"));
            return job.result;
        }
        queue.add(job);
        if (closed) {
            // Closed while it was being queued: no writer may be left to take it.
            failAll(new IllegalStateException("shutting down"));
        }
        return job.result;
    }

    /**
     * Blocks until the item is written and returns its result.
     *
     * @throws RuntimeException the write's failure (a checked one wrapped in {@link CompletionException})
     */
    public R submit(T item) {
        return Failures.join(submitAsync(item));
    }

    /** Items handed in but not yet taken by a writer. */
    public int queued() {
        return queue.size();
    }

    /** Stops the writers after their current group; items still queued fail. */
    @Override
    public void close() {
        closed = true;
        threads.forEach(Thread::interrupt);
        failAll(new IllegalStateException("shutting down"));
    }

    private void writeWhileOpen() {
        List<Job<T, R>> group = new ArrayList<>(maxGroup);
        while (!closed) {
            try {
                group.add(queue.take());
            } catch (InterruptedException e) {
                continue;
            }
            queue.drainTo(group, maxGroup - 1);
            List<Job<T, R>> shared = group;
            if (group.stream().anyMatch(Job::alone)) {
                shared = group.stream().filter(job -> !job.alone()).toList();
                group.stream().filter(Job::alone).forEach(job -> write(List.of(job)));
            }
            if (!shared.isEmpty()) {
                write(shared);
            }
            group.clear();
        }
    }

    private void write(List<Job<T, R>> group) {
        List<R> results;
        try {
            results = writer.write(group.stream().map(Job::item).toList());
        } catch (Exception e) {
            group.forEach(job -> job.result.completeExceptionally(e));
            if (failQueued.test(e)) {
                failAll(e);
            }
            return;
        } catch (Error e) {
            // The callers hear of it; the writer lives on, or every later caller would wait for ever.
            group.forEach(job -> job.result.completeExceptionally(e));
            return;
        }
        if (results.size() != group.size()) {
            IllegalStateException wrong = new IllegalStateException(
                    "a group of " + group.size() + " got " + results.size() + " results");
            group.forEach(job -> job.result.completeExceptionally(wrong));
            return;
        }
        for (int i = 0; i < group.size(); i++) {
            group.get(i).result.complete(results.get(i));
        }
    }

    private void failAll(Throwable e) {
        for (Job<T, R> waiting; (waiting = queue.poll()) != null;) {
            waiting.result.completeExceptionally(e);
        }
    }
}
