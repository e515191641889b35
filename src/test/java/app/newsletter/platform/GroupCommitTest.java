package app.newsletter.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The group-commit primitive on its own: plain threads, no database. */
class GroupCommitTest {

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    private static List<Integer> doubled(List<Integer> group) {
        return group.stream().map(i -> i * 2).toList();
    }

    @Test
    void a_lone_caller_writes_its_own_item_at_once_on_its_own_thread() {
        List<Thread> writers = new ArrayList<>();
        GroupCommit<Integer, Integer> commit = new GroupCommit<>(10, 2, group -> {
            writers.add(Thread.currentThread());
            return doubled(group);
        }, e -> false);
        assertEquals(42, commit.submit(21));
        assertEquals(List.of(Thread.currentThread()), writers);
    }

    @Test
    void items_that_arrive_during_a_write_share_the_next_one_up_to_the_group_size() throws Exception {
        CountDownLatch firstWriteStarted = new CountDownLatch(1);
        CountDownLatch releaseFirstWrite = new CountDownLatch(1);
        List<List<Integer>> groups = Collections.synchronizedList(new ArrayList<>());
        GroupCommit<Integer, Integer> commit = new GroupCommit<>(4, 1, group -> {
            groups.add(group);
            if (groups.size() == 1) {
                firstWriteStarted.countDown();
                releaseFirstWrite.await();
            }
            return doubled(group);
        }, e -> false);
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> commit.submit(0), threads);
        assertTrue(firstWriteStarted.await(5, TimeUnit.SECONDS));
        List<CompletableFuture<Integer>> later = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            int item = i;
            later.add(CompletableFuture.supplyAsync(() -> commit.submit(item), threads));
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> commit.queued() == 6);
        releaseFirstWrite.countDown();

        assertEquals(0, first.get(5, TimeUnit.SECONDS));
        for (int i = 1; i <= 6; i++) {
            assertEquals(i * 2, later.get(i - 1).get(5, TimeUnit.SECONDS));
        }
        assertEquals(3, groups.size(), "one write, then the six queued meanwhile in groups of at most four: " + groups);
        assertEquals(List.of(4, 2), List.of(groups.get(1).size(), groups.get(2).size()));
    }

    @Test
    void never_more_writes_at_once_than_writers_and_every_caller_gets_its_own_result() throws Exception {
        AtomicInteger writing = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        AtomicInteger written = new AtomicInteger();
        GroupCommit<Integer, Integer> commit = new GroupCommit<>(16, 2, group -> {
            mostAtOnce.accumulateAndGet(writing.incrementAndGet(), Math::max);
            Thread.sleep(1); // a commit's wait for the disk
            written.addAndGet(group.size());
            writing.decrementAndGet();
            return doubled(group);
        }, e -> false);
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            int item = i;
            results.add(CompletableFuture.supplyAsync(() -> commit.submit(item), threads));
        }
        for (int i = 0; i < 500; i++) {
            assertEquals(i * 2, results.get(i).get(20, TimeUnit.SECONDS));
        }
        assertEquals(500, written.get(), "each item written exactly once");
        assertTrue(mostAtOnce.get() <= 2, "writes at once: " + mostAtOnce.get());
    }

    /** The first group fails with {@code failure} once a second item has queued behind it; both callers' futures. */
    private List<CompletableFuture<Integer>> failFirstWithOneQueued(GroupCommit<Integer, Integer>[] made,
            Exception failure, boolean failQueued) throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch fail = new CountDownLatch(1);
        GroupCommit<Integer, Integer> commit = new GroupCommit<>(1, 1, group -> {
            if (group.get(0) == 0) {
                writing.countDown();
                fail.await();
                throw failure;
            }
            return doubled(group);
        }, e -> failQueued && e == failure);
        made[0] = commit;
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> commit.submit(0), threads);
        assertTrue(writing.await(5, TimeUnit.SECONDS));
        CompletableFuture<Integer> queued = CompletableFuture.supplyAsync(() -> commit.submit(1), threads);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> commit.queued() == 1);
        fail.countDown();
        return List.of(first, queued);
    }

    @Test
    @SuppressWarnings("unchecked")
    void a_failed_write_fails_its_group_and_the_queue_when_the_failure_says_the_next_would_fail_too()
            throws Exception {
        IllegalStateException away = new IllegalStateException("database away");
        GroupCommit<Integer, Integer>[] commit = new GroupCommit[1];
        List<CompletableFuture<Integer>> callers = failFirstWithOneQueued(commit, away, true);

        assertSame(away, assertThrows(Exception.class, () -> callers.get(0).get(5, TimeUnit.SECONDS)).getCause());
        assertSame(away, assertThrows(Exception.class, () -> callers.get(1).get(5, TimeUnit.SECONDS)).getCause(),
                "failed at once with the group, not written after it");
        assertEquals(4, commit[0].submit(2), "the next caller writes again");
    }

    @Test
    @SuppressWarnings("unchecked")
    void a_failure_of_the_group_alone_leaves_the_queue_to_the_next_write() throws Exception {
        IllegalArgumentException bad = new IllegalArgumentException("one bad item");
        List<CompletableFuture<Integer>> callers = failFirstWithOneQueued(new GroupCommit[1], bad, false);

        assertSame(bad, assertThrows(Exception.class, () -> callers.get(0).get(5, TimeUnit.SECONDS)).getCause());
        assertEquals(2, callers.get(1).get(5, TimeUnit.SECONDS));
    }
}
