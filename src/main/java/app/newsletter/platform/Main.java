package app.newsletter.platform;

import java.sql.SQLException;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Starts the service. When start-up fails, it ends the process with a non-zero code and, as its last line, one
 * sentence saying why — what an operator reading {@code docker logs} needs before the orchestrator restarts it.
 */
@QuarkusMain
public class Main {

    public static void main(String... args) {
        Quarkus.run(null, (exitCode, failure) -> {
            if (failure != null) {
                System.err.println("newsletter: cannot start: " + reason(failure));
            }
            System.exit(exitCode == 0 && failure != null ? 1 : exitCode);
        }, args);
    }

    static String reason(Throwable failure) {
        Throwable root = failure;
        boolean database = false;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            database |= t instanceof SQLException || t.getClass().getName().startsWith("org.flywaydb");
            root = t;
        }
        // Multi-line messages (configuration errors list one problem per line) become one line.
        String message = String.valueOf(root.getMessage()).strip().replaceAll("\\s*\\R\\s*", " ");
        if (message.length() > 1000) {
            message = message.substring(0, 1000) + "…";
        }
        return (database ? "database unreachable or refused the connection: " : "") + message;
    }
}
