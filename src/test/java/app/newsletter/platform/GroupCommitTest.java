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
    private GroupCommit<Integer, Integer> commit;

    @AfterEach
    void stop() {
        threads.shutdownNow();
        if (commit != null) {
            commit.close();
        }
    }

    private static List<Integer> doubled(List<Integer> group) {
        return group.stream().map(i -> i * 2).toList();
    }

    /** One writer whose first write waits for {@code release}; returns the groups written, in order. */
    private List<List<Integer>> holdingTheFirstWrite(int maxGroup, CountDownLatch started, CountDownLatch release) {
        List<List<Integer>> groups = Collections.synchronizedList(new ArrayList<>());
        commit = new GroupCommit<>("test-writer", maxGroup, 1, group -> {
            groups.add(group);
            if (groups.size() == 1) {
                started.countDown();
                release.await();
            }
            return doubled(group);
        }, e -> false);
        return groups;
    }

    @Test
    void a_lone_item_is_written_at_once_by_a_writer_and_the_caller_is_not_held() throws Exception {
        List<String> writers = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch release = new CountDownLatch(1);
        commit = new GroupCommit<>("test-writer", 10, 2, group -> {
            writers.add(Thread.currentThread().getName());
            release.await();
            return doubled(group);
        }, e -> false);
        CompletableFuture<Integer> result = commit.submitAsync(21);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> writers.size() == 1);
        assertTrue(!result.isDone(), "the caller holds a future, not a thread, while its item is written");
        release.countDown();
        assertEquals(42, result.get(5, TimeUnit.SECONDS));
        assertTrue(writers.get(0).startsWith("test-writer-"), "written on a writer's thread: " + writers);
    }

    @Test
    void an_item_submitted_alone_is_written_in_a_group_of_its_own() throws Exception {
        CountDownLatch firstWriteStarted = new CountDownLatch(1);
        CountDownLatch releaseFirstWrite = new CountDownLatch(1);
        List<List<Integer>> groups = holdingTheFirstWrite(10, firstWriteStarted, releaseFirstWrite);
        CompletableFuture<Integer> first = commit.submitAsync(0);
        assertTrue(firstWriteStarted.await(5, TimeUnit.SECONDS));
        CompletableFuture<Integer> shared1 = commit.submitAsync(1);
        CompletableFuture<Integer> alone = commit.submitAlone(2);
        CompletableFuture<Integer> shared2 = commit.submitAsync(3);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> commit.queued() == 3);
        releaseFirstWrite.countDown();

        assertEquals(List.of(0, 2, 4, 6), List.of(first.get(5, TimeUnit.SECONDS), shared1.get(5, TimeUnit.SECONDS),
                alone.get(5, TimeUnit.SECONDS), shared2.get(5, TimeUnit.SECONDS)));
        assertTrue(groups.contains(List.of(2)) && groups.contains(List.of(1, 3)), "groups: " + groups);
    }

    @Test
    void closing_fails_what_is_still_queued() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        commit = new GroupCommit<>("test-writer", 1, 1, group -> {
            writing.countDown();
            new CountDownLatch(1).await(); // a write that outlasts the shutdown
            return doubled(group);
        }, e -> false);
        commit.submitAsync(0);
        assertTrue(writing.await(5, TimeUnit.SECONDS));
        CompletableFuture<Integer> queued = commit.submitAsync(1);
        commit.close();
        assertThrows(Exception.class, () -> queued.get(5, TimeUnit.SECONDS));
        assertThrows(Exception.class, () -> commit.submitAsync(2).get(5, TimeUnit.SECONDS), "refused once closed");
    }

    @Test
    void items_that_arrive_during_a_write_share_the_next_one_up_to_the_group_size() throws Exception {
        CountDownLatch firstWriteStarted = new CountDownLatch(1);
        CountDownLatch releaseFirstWrite = new CountDownLatch(1);
        List<List<Integer>> groups = holdingTheFirstWrite(4, firstWriteStarted, releaseFirstWrite);
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
        commit = new GroupCommit<>("test-writer", 16, 2, group -> {
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
        commit = new GroupCommit<>("test-writer", 1, 1, group -> {
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
