package app.newsletter.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP server that receives webhooks, on a free port of 127.0.0.1. Every path records what it received; a test
 * scripts the answers a path gives next (200 when nothing is scripted), and can stop and restart the server on the
 * same port to play an outage.
 */
public final class WebhookReceiver {

    /** One received request. */
    public record Received(String path, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase());
            return values == null ? null : values.get(0);
        }
    }

    /** A scripted answer: a status and its headers. */
    public record Answer(int status, Map<String, String> headers) {
        public static Answer of(int status) {
            return new Answer(status, Map.of());
        }
    }

    private static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();
    private static final Map<String, Deque<Answer>> SCRIPTS = new ConcurrentHashMap<>();
    private static HttpServer server;
    private static ExecutorService threads;
    private static int port;

    private WebhookReceiver() {
    }

    public static synchronized int start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        port = server.getAddress().getPort();
        threads = Executors.newFixedThreadPool(8);
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, List<String>> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(),
                    new ArrayList<>(values)));
            RECEIVED.add(new Received(path, headers, new String(body, StandardCharsets.UTF_8)));
            Deque<Answer> script = SCRIPTS.get(path);
            Answer answer = script == null || script.isEmpty() ? Answer.of(200) : script.poll();
            answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            exchange.sendResponseHeaders(answer.status(), -1);
            exchange.close();
        });
        server.start();
        return port;
    }

    /** Stops listening (connections are refused) until {@link #restart()}. */
    public static synchronized void stop() {
        if (server != null) {
            server.stop(0);
            threads.shutdownNow();
            server = null;
        }
    }

    public static synchronized void restart() {
        stop();
        start();
    }

    public static String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** The answers {@code path} gives to its next requests, in order; then 200 again. */
    public static void answer(String path, Answer... answers) {
        SCRIPTS.computeIfAbsent(path, p -> new ConcurrentLinkedDeque<>()).addAll(List.of(answers));
    }

    public static List<Received> at(String path) {
        return RECEIVED.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** What {@code path} received whose body contains {@code text} (an address, say). */
    public static List<Received> at(String path, String text) {
        return at(path).stream().filter(r -> r.body().contains(text)).toList();
    }
}
