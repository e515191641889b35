package app.newsletter.platform;

/** One-line descriptions of failures for the log, where a stack trace would say nothing more. */
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
}
