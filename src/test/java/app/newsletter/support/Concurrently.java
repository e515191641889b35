package app.newsletter.support;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/** Runs tasks on threads of their own, released together, so that they really overlap. */
public final class Concurrently {

    private Concurrently() {
    }

    /** @return the finished tasks, in order; get() gives each one's result or failure */
    public static <T> List<Future<T>> run(int tasks, IntFunction<Callable<T>> task) throws InterruptedException {
        CyclicBarrier start = new CyclicBarrier(tasks);
        ExecutorService pool = Executors.newFixedThreadPool(tasks);
        try {
            List<Callable<T>> calls = IntStream.range(0, tasks).mapToObj(i -> {
                Callable<T> call = task.apply(i);
                return (Callable<T>) () -> {
                    start.await();
                    return call.call();
                };
            }).toList();
            return pool.invokeAll(calls);
        } finally {
            pool.shutdownNow();
        }
    }
}
