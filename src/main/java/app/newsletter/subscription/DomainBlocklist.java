package app.newsletter.subscription;

import app.newsletter.platform.NewsletterConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Domains whose addresses are dropped without a word: an entry blocks the domain and all its subdomains
 * ({@code *.example} says so explicitly). Ships with a list of disposable-mail services.
 */
@ApplicationScoped
class DomainBlocklist {

    private static final String DISPOSABLE = "blocklist/disposable-domains.txt";

    private final Set<String> blocked = new HashSet<>();

    DomainBlocklist(NewsletterConfig config) {
        if (config.blocklist().disposable()) {
            blocked.addAll(load(DISPOSABLE));
        }
        config.blocklist().domains().orElse(List.of()).forEach(entry -> blocked.add(normalise(entry)));
    }

    boolean blocks(EmailAddress address) {
        String domain = address.value().substring(address.value().lastIndexOf('@') + 1);
        for (String suffix = domain; ; suffix = suffix.substring(suffix.indexOf('.') + 1)) {
            if (blocked.contains(suffix)) {
                return true;
            }
            if (suffix.indexOf('.') < 0) {
                return false;
            }
        }
    }

    private static String normalise(String entry) {
        String domain = entry.strip().toLowerCase(Locale.ROOT);
        return domain.startsWith("*.") ? domain.substring(2) : domain;
    }

    private static Set<String> load(String resource) {
        Set<String> domains = new HashSet<>();
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the application");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String entry = line.strip();
                if (!entry.isEmpty() && !entry.startsWith("#")) {
                    domains.add(normalise(entry));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return domains;
    }
}
