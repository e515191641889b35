package app.newsletter.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Two foreign web sites for the browser tests, each a JDK HTTP server on a free port of its own: a blog page that
 * embeds the widget with the two-line code. The first site's origin is allowed to use the service
 * ({@code newsletter.allowed-origins}), the second's is not. The page reads the service URL from its query
 * ({@code /?service=http://localhost:PORT}) because the Quarkus test port is random; {@code &list=ID} replaces the
 * list id of the embed.
 *
 * <p>
 * The allowed site also plays a stub service under {@code /stub} (the real widget.js, a challenge that demands a
 * proof of work, and a signup endpoint that records what it receives), so the widget's proof-of-work client is tested
 * against the contract without the real service.
 */
public class ForeignSiteResource implements QuarkusTestResourceLifecycleManager {

    /** The list (configured only while this resource runs) whose signups need a proof of work. */
    public static final String POW_LIST = "widget-pow";

    /** The proof of work the stub demands: SHA-256(SALT + NUMBER). */
    public static final String STUB_SALT = "stub-salt-7f3a?expires=1";
    public static final int STUB_NUMBER = 1234;
    public static final int STUB_MAX = 5000;

    /** JSON bodies the stub signup endpoint received, newest last. */
    public static final List<String> STUB_SIGNUPS = new CopyOnWriteArrayList<>();

    // Static like GreenMailResource.Smtp: the tests read them (test-only config keys would be missing, and so fail
    // start-up, for the test classes that run without this resource).
    private static volatile HttpServer allowed;
    private static volatile HttpServer other;

    /** Base URL (and origin) of the site that may use the service, e.g. {@code http://localhost:41234}. */
    public static String allowedSite() {
        return origin(allowed);
    }

    /** Base URL (and origin) of a site that may not. */
    public static String otherSite() {
        return origin(other);
    }

    @Override
    public Map<String, String> start() {
        allowed = site(true);
        other = site(false);
        return Map.of(
                "newsletter.allowed-origins", allowedSite(),
                // A list that demands a proof of work, so the widget solves a real challenge of the service.
                "newsletter.lists." + POW_LIST + ".display-name", "Guarded Widget",
                "newsletter.lists." + POW_LIST + ".ebook-title", "Guarded Book",
                "newsletter.lists." + POW_LIST + ".ebook-source", "https://cdn.example/guarded.pdf",
                "newsletter.lists." + POW_LIST + ".proof-of-work", "true");
    }

    @Override
    public void stop() {
        if (allowed != null) {
            allowed.stop(0);
        }
        if (other != null) {
            other.stop(0);
        }
    }

    private static String origin(HttpServer server) {
        return "http://localhost:" + server.getAddress().getPort();
    }

    private static HttpServer site(boolean withStub) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                if (exchange.getRequestURI().getPath().equals("/")) {
                    send(exchange, 200, "text/html; charset=utf-8", PAGE);
                } else {
                    send(exchange, 404, "text/plain", "not found");
                }
            });
            if (withStub) {
                server.createContext("/stub/", ForeignSiteResource::stub);
            }
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void stub(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        switch (path) {
            case "/stub/widget.js" -> {
                try (InputStream in = ForeignSiteResource.class.getClassLoader()
                        .getResourceAsStream("widget/widget.js")) {
                    send(exchange, 200, "text/javascript; charset=utf-8",
                            new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            case "/stub/api/challenge" -> send(exchange, 200, "application/json",
                    "{\"required\":true,\"algorithm\":\"SHA-256\",\"challenge\":\"" + sha256Hex(STUB_SALT + STUB_NUMBER)
                            + "\",\"salt\":\"" + STUB_SALT + "\",\"maxnumber\":" + STUB_MAX
                            + ",\"signature\":\"5ea1ed\"}");
            case "/stub/api/subscriptions" -> {
                STUB_SIGNUPS.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                send(exchange, 202, "application/json", "{\"message\":\"Thank you for subscribing.\"}");
            }
            default -> send(exchange, 404, "text/plain", "not found");
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A foreign blog post. Its footer holds the two-line embed; only the script's URL is filled in at run time. */
    private static final String PAGE = """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>A foreign blog</title>
            <style>body { font-family: sans-serif; max-width: 40rem; margin: 2rem auto; }</style></head>
            <body>
            <article>
              <h1>The Potential of Stem Cell Therapy for Treating Systemic Lupus Erythematosus</h1>
              <p>As a stem cell expert in the medical field, I believe that stem cell therapy holds great potential.</p>
              <footer>
                <div data-newsletter="peptide-evolution"></div>
                <script>
                  // The embed's second line, <script src="SERVICE/widget.js" async>, with SERVICE from ?service=
                  var query = new URLSearchParams(location.search);
                  var service = query.get('service');
                  if (query.get('list')) {
                    document.querySelector('[data-newsletter]').setAttribute('data-newsletter', query.get('list'));
                  }
                  if (query.get('lang')) {
                    document.querySelector('[data-newsletter]').setAttribute('data-lang', query.get('lang'));
                  }
                  if (/^https?:\\/\\//.test(service || '')) {
                    var tag = document.createElement('script');
                    tag.src = service.replace(/\\/+$/, '') + '/widget.js';
                    tag.async = true;
                    document.currentScript.parentNode.appendChild(tag);
                  }
                </script>
              </footer>
            </article>
            </body>
            </html>
            """;
}
