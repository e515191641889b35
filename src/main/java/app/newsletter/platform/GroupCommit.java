package app.newsletter.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.function.Predicate;

/**
 * Group commit: callers hand in items and block until theirs is written; whoever holds one of {@code writers} turns
 * writes every item queued so far (up to {@code maxGroup}) in one call, for everyone. Items that arrive while a write
 * is in progress therefore share the next one, and a lone caller writes its own item at once, on its own thread, with
 * no hand-off to another thread and back.
 * <p>
 * A failed write fails every item of its group with the same exception; what a caller does then (write its item alone,
 * answer 503) is the caller's business. When {@code failQueued} says the failure will hit the next group as well (the
 * database is away), the items still queued fail with it at once, instead of each waiting for the same timeout again.
 *
 * @param <T> what callers hand in
 * @param <R> what each of them gets back, in the order of the group
 */
public final class GroupCommit<T, R> {

    /** Writes one group; returns one result per item, in order. */
    @FunctionalInterface
    public interface Writer<T, R> {
        List<R> write(List<T> group) throws Exception;
    }

    private static final class Job<T, R> {
        final T item;
        final CompletableFuture<R> result = new CompletableFuture<>();
        /** Set by the writer that took it: its owner then only waits. */
        volatile boolean taken;

        Job(T item) {
            this.item = item;
        }
    }

    private final int maxGroup;
    private final Semaphore turns;
    private final Writer<T, R> writer;
    private final Predicate<Exception> failQueued;
    private final Queue<Job<T, R>> queue = new ConcurrentLinkedQueue<>();

    public GroupCommit(int maxGroup, int writers, Writer<T, R> writer, Predicate<Exception> failQueued) {
        if (maxGroup < 1 || writers < 1) {
            throw new IllegalArgumentException("a group holds at least one item and one writer writes it");
        }
        this.maxGroup = maxGroup;
        this.turns = new Semaphore(writers, true);
        this.writer = writer;
        this.failQueued = failQueued;
    }

    /**
     * Blocks until the item is written (by this thread or another) and returns its result.
     *
     * @throws RuntimeException the write's failure (a checked one wrapped in {@link CompletionException})
     */
    public R submit(T item) {
        Job<T, R> job = new Job<>(item);
        queue.add(job);
        // Each turn writes the oldest items; this caller's may be beyond that group, or taken by another writer, in
        // which case it waits for that writer rather than spinning on turns.
        while (!job.taken) {
            turns.acquireUninterruptibly();
            try {
                if (!job.taken) {
                    writeQueued();
                }
            } finally {
                turns.release();
            }
        }
        try {
            return job.result.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
    }

    /** Items handed in but not yet taken by a writer. */
    public int queued() {
        return queue.size();
    }

    private void writeQueued() {
        List<Job<T, R>> group = new ArrayList<>();
        for (Job<T, R> next; group.size() < maxGroup && (next = queue.poll()) != null;) {
            next.taken = true;
            group.add(next);
        }
        if (group.isEmpty()) {
            return;
        }
        List<R> results;
        try {
            results = writer.write(group.stream().map(job -> job.item).toList());
        } catch (Exception e) {
            group.forEach(job -> job.result.completeExceptionally(e));
            if (failQueued.test(e)) {
                for (Job<T, R> waiting; (waiting = queue.poll()) != null;) {
                    waiting.taken = true;
                    waiting.result.completeExceptionally(e);
                }
            }
            return;
        } catch (Error e) {
            group.forEach(job -> job.result.completeExceptionally(e));
            throw e;
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
}
