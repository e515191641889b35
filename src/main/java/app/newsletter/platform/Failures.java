package app.newsletter.platform;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One-line descriptions of failures for the log, where a stack trace would say nothing more, and a stage's failure as
 * it was thrown.
 */
public final class Failures {

    private Failures() {
    }

    /** The innermost cause, e.g. "ConnectException: Connection refused". */
    public static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    /** A stage's failure as it was thrown: the cause a {@link CompletionException} wraps, else the failure itself. */
    public static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /**
     * Waits for the stage and returns its value.
     *
     * @throws RuntimeException the stage's failure as thrown (a checked one stays wrapped in {@link CompletionException})
     */
    public static <V> V join(CompletableFuture<V> stage) {
        try {
            return stage.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
    }
}
