import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;

/**
 * The benchmark's webhook receiver: answers every POST with 204 after reading its body, as a receiver that queues the
 * event and verifies it later would, and notes when each event arrived against the time in its body. {@code GET
 * /stats?since=EPOCH_SECONDS} answers "events rate p50 p99" for the events that happened since then: how many
 * arrived, how many per second from {@code since} to the last arrival, and their delay in seconds. Run with
 * {@code java bench/webhook_receiver.java PORT}.
 */
public class webhook_receiver {

    private record Arrival(long eventMillis, long arrivedMillis) {
    }

    private static final Pattern TIMESTAMP = Pattern.compile("\"timestamp\"\\s*:\\s*\"([^\"]+)\"");
    private static final List<Arrival> ARRIVALS = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 256);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/stats", exchange -> {
            long since = Long.parseLong(exchange.getRequestURI().getQuery().replace("since=", "")) * 1000;
            List<Long> delays = new ArrayList<>();
            long last = since;
            synchronized (ARRIVALS) {
                for (Arrival arrival : ARRIVALS) {
                    if (arrival.eventMillis() >= since) {
                        delays.add(arrival.arrivedMillis() - arrival.eventMillis());
                        last = Math.max(last, arrival.arrivedMillis());
                    }
                }
            }
            delays.sort(null);
            int n = delays.size();
            String answer = n == 0 ? "0 0 0 0"
                    : String.format("%d %.0f %.1f %.1f", n, n * 1000.0 / Math.max(1, last - since),
                            delays.get(n / 2) / 1000.0, delays.get(Math.min(n - 1, (int) (n * 0.99))) / 1000.0);
            byte[] bytes = (answer + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.createContext("/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            long now = System.currentTimeMillis();
            Matcher timestamp = TIMESTAMP.matcher(new String(body, StandardCharsets.UTF_8));
            if (timestamp.find()) {
                long at = Instant.parse(timestamp.group(1)).toEpochMilli();
                synchronized (ARRIVALS) {
                    ARRIVALS.add(new Arrival(at, now));
                }
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }
}
