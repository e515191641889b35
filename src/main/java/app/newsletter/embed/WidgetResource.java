package app.newsletter.embed;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import io.quarkus.runtime.Startup;

/**
 * The embeddable signup widget ({@code GET /widget.js}). The file is read once at start-up; its ETag is a hash of the
 * content, so a new release changes it and browsers revalidate after at most an hour.
 */
@Path("/widget.js")
@ApplicationScoped
@Startup
public class WidgetResource {

    static final String RESOURCE = "widget/widget.js";
    static final String CONTENT_TYPE = "text/javascript; charset=utf-8";
    static final String CACHE_CONTROL = "public, max-age=3600";

    private final byte[] script;
    private final String etag;

    public WidgetResource() {
        this.script = load();
        this.etag = "\"w1-" + HexFormat.of().formatHex(sha256(script), 0, 16) + "\"";
    }

    @GET
    public Response widget(@HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        Response.ResponseBuilder reply = matches(ifNoneMatch)
                ? Response.notModified()
                : Response.ok(script).header(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE);
        return reply.header(HttpHeaders.ETAG, etag)
                .header(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL)
                // Pages that isolate themselves (Cross-Origin-Embedder-Policy) may still load the script.
                .header("Cross-Origin-Resource-Policy", "cross-origin")
                .build();
    }

    /** RFC 9110 13.1.2: weak comparison, a list of tags or {@code *}. */
    private boolean matches(String ifNoneMatch) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.strip();
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals("*") || tag.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] load() {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource " + RESOURCE + " is missing");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
