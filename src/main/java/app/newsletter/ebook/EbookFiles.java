package app.newsletter.ebook;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import io.quarkus.runtime.Startup;

/**
 * Where each list's ebook comes from: an http(s) URL to redirect to, or a file (path or {@code classpath:}) served
 * by the service. Files are read once at start-up, so a missing ebook stops the service at once instead of failing
 * the first person who confirms.
 */
@Startup
@ApplicationScoped
class EbookFiles {

    private final Map<String, URI> external = new HashMap<>();
    private final Map<String, byte[]> served = new HashMap<>();
    private final Map<String, String> fileNames = new HashMap<>();

    EbookFiles(EbookConfig config) {
        config.lists().forEach((id, list) -> {
            String source = list.ebookSource().strip();
            if (source.startsWith("http://") || source.startsWith("https://")) {
                external.put(list.ebookSource(), URI.create(source));
            } else {
                served.put(list.ebookSource(), read(id, source));
                fileNames.put(list.ebookSource(), list.ebookFileName());
            }
        });
    }

    Response deliver(EbookConfig.Ebook list) {
        URI target = external.get(list.ebookSource());
        if (target != null) {
            return Response.status(Response.Status.FOUND).location(target).build();
        }
        String fileName = fileNames.get(list.ebookSource()).replaceAll("[^A-Za-z0-9._-]", "_");
        return Response.ok(served.get(list.ebookSource()), contentType(fileName))
                .header("Content-Disposition", "attachment; filename=\"" + fileName + "\"")
                .header("Cache-Control", "private, no-store")
                .build();
    }

    private static String contentType(String fileName) {
        String lower = fileName.toLowerCase();
        if (lower.endsWith(".pdf")) {
            return "application/pdf";
        }
        if (lower.endsWith(".epub")) {
            return "application/epub+zip";
        }
        return "application/octet-stream";
    }

    private static byte[] read(String listId, String source) {
        try {
            if (source.startsWith("classpath:")) {
                String resource = source.substring("classpath:".length()).replaceFirst("^/", "");
                try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IllegalStateException("ebook of list " + listId + " not found: " + source);
                    }
                    return in.readAllBytes();
                }
            }
            return Files.readAllBytes(Path.of(source));
        } catch (IOException e) {
            throw new UncheckedIOException("ebook of list " + listId + " cannot be read: " + source, e);
        }
    }
}
