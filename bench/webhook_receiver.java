import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The benchmark's webhook receiver, standing in for an endpoint on another machine: answers every POST with 204 after
 * reading its body, on one Vert.x event loop (the service's own Vert.x jars), as cheaply as a real receiver that
 * queues events would be on its own machine, and notes when each event arrived against the time in its body.
 * {@code GET /stats?since=EPOCH_SECONDS} answers "events rate p50 p99" for the events that happened since then: how
 * many arrived, how many per second from {@code since} to the last arrival, and their delay in seconds. Run with
 * {@code java -cp 'target/quarkus-app/lib/main/*' bench/webhook_receiver.java PORT}.
 */
public class webhook_receiver {

    private record Arrival(long eventMillis, long arrivedMillis) {
    }

    private static final Pattern TIMESTAMP = Pattern.compile("\"timestamp\"\\s*:\\s*\"([^\"]+)\"");
    private static final List<Arrival> ARRIVALS = new ArrayList<>();

    public static void main(String[] args) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        vertx.createHttpServer().requestHandler(request -> {
            if (request.path().equals("/stats")) {
                request.response().end(stats(Long.parseLong(request.getParam("since")) * 1000) + "\n");
                return;
            }
            request.body().onSuccess(body -> {
                long now = System.currentTimeMillis();
                Matcher timestamp = TIMESTAMP.matcher(body.toString());
                if (timestamp.find()) {
                    ARRIVALS.add(new Arrival(Instant.parse(timestamp.group(1)).toEpochMilli(), now));
                }
                request.response().setStatusCode(204).end();
            });
        }).listen(Integer.parseInt(args[0]), "127.0.0.1");
    }

    /** Only ever called on the one event loop, as the arrivals are noted: no locking. */
    private static String stats(long since) {
        List<Long> delays = new ArrayList<>();
        long last = since;
        for (Arrival arrival : ARRIVALS) {
            if (arrival.eventMillis() >= since) {
                delays.add(arrival.arrivedMillis() - arrival.eventMillis());
                last = Math.max(last, arrival.arrivedMillis());
            }
        }
        delays.sort(null);
        int n = delays.size();
        return n == 0 ? "0 0 0 0"
                : String.format("%d %.0f %.1f %.1f", n, n * 1000.0 / Math.max(1, last - since),
                        delays.get(n / 2) / 1000.0, delays.get(Math.min(n - 1, (int) (n * 0.99))) / 1000.0);
    }
}
