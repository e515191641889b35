package app.newsletter.abuse;

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

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import app.newsletter.platform.DomainNames;
import io.quarkus.runtime.Startup;

/**
 * Domains whose addresses are dropped without a word: an entry blocks the domain and all its subdomains
 * ({@code *.example} says so explicitly). Ships with a list of disposable-mail services.
 */
@Startup // a bad entry stops start-up, not the first signup
@ApplicationScoped
public class DomainBlocklist {

    private static final String DISPOSABLE = "blocklist/disposable-domains.txt";

    private final Set<String> blocked = new HashSet<>();

    @Inject
    DomainBlocklist(AbuseConfig config) {
        this(config.blocklist().disposable(), config.blocklist().domains().orElse(List.of()));
    }

    DomainBlocklist(boolean disposable, List<String> domains) {
        if (disposable) {
            blocked.addAll(load(DISPOSABLE));
        }
        domains.forEach(entry -> blocked.add(normalise(entry)));
    }

    /** @param domain an address's domain as the signup parsed it (lower case, ASCII) */
    public boolean blocks(String domain) {
        for (String suffix = domain;; suffix = suffix.substring(suffix.indexOf('.') + 1)) {
            if (blocked.contains(suffix)) {
                return true;
            }
            if (suffix.indexOf('.') < 0) {
                return false;
            }
        }
    }

    /**
     * In the form a parsed address's domain has (lower case, ASCII): an operator writes {@code bücher.example} or
     * {@code Example.COM.} and means the domain that addresses arrive with, {@code xn--bcher-kva.example}.
     */
    private static String normalise(String entry) {
        String domain = entry.strip().toLowerCase(Locale.ROOT);
        domain = domain.startsWith("*.") ? domain.substring(2) : domain;
        domain = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        return DomainNames.ascii(domain).orElseThrow(() -> new IllegalArgumentException(
                "NEWSLETTER_BLOCKLIST_DOMAINS: '" + entry.strip() + "' is not a domain name; write it as example.com or "
                        + "*.example.com"));
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
