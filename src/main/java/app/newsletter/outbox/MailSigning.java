package app.newsletter.outbox;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What the mail's DKIM signature and its DNS records look like, from the Quarkus mailer's own settings: for the staff's
 * deliverability check and README's DNS walk-through. The key here is the one the signer uses (already converted by
 * {@link DkimKeyInterceptor}), so "loaded" means the running signer has it.
 */
@ApplicationScoped
public class MailSigning {

    /** The signature and the three DNS records an operator publishes for the From domain. */
    public record Report(boolean dkimEnabled, boolean keyLoaded, Integer keyBits, String selector,
            String signingDomain, String fromDomain, boolean aligned, List<String> signedHeaders,
            List<DnsRecord> dnsRecords, List<String> problems) {
    }

    public record DnsRecord(String name, String type, String value, String purpose) {
    }

    private final boolean enabled;
    /** Read once: the interceptor converted and checked it at start-up, so reading it again cannot fail. */
    private final DkimKeys.Key key;
    private final Optional<String> selector;
    private final Optional<String> sdid;
    private final List<String> signedHeaders;
    private final String fromDomain;

    MailSigning(@ConfigProperty(name = "quarkus.mailer.dkim.enabled", defaultValue = "false") boolean enabled,
            @ConfigProperty(name = DkimKeyInterceptor.KEY) Optional<String> key,
            @ConfigProperty(name = "quarkus.mailer.dkim.selector") Optional<String> selector,
            @ConfigProperty(name = "quarkus.mailer.dkim.sdid") Optional<String> sdid,
            @ConfigProperty(name = "quarkus.mailer.dkim.signed-headers") List<String> signedHeaders,
            @ConfigProperty(name = "quarkus.mailer.from") String from) {
        this.enabled = enabled;
        this.key = enabled && key.isPresent() ? DkimKeys.read(key.get()) : null;
        this.selector = selector;
        this.sdid = sdid.map(d -> d.toLowerCase(Locale.ROOT));
        this.signedHeaders = List.copyOf(signedHeaders);
        this.fromDomain = MailRendering.domainOf(from);
    }

    public Report report() {
        List<DnsRecord> records = new java.util.ArrayList<>();
        List<String> problems = new java.util.ArrayList<>();
        DkimKeys.Key loaded = key;
        boolean aligned = enabled && sdid.isPresent() && aligned(sdid.get(), fromDomain);
        if (!enabled) {
            problems.add("DKIM is off: set QUARKUS_MAILER_DKIM_ENABLED=true with a key, a selector and the From"
                    + " domain as QUARKUS_MAILER_DKIM_SDID; Gmail and Yahoo reject unsigned bulk mail");
        } else if (!aligned) {
            problems.add("the signing domain " + sdid.orElse("(none)") + " is not aligned with the From domain "
                    + fromDomain + ": DMARC passes only when they share the organisational domain");
        }
        if (loaded != null && selector.isPresent() && sdid.isPresent()) {
            records.add(new DnsRecord(selector.get() + "._domainkey." + sdid.get(), "TXT", loaded.dnsRecord(),
                    "DKIM: the public half of the signing key"));
        }
        records.add(new DnsRecord(fromDomain, "TXT", "v=spf1 include:<your relay's SPF domain> -all",
                "SPF: the servers that may send for the From domain (your relay documents its include)"));
        records.add(new DnsRecord("_dmarc." + fromDomain, "TXT", "v=DMARC1; p=none; rua=mailto:dmarc@" + fromDomain,
                "DMARC: start with p=none and read the reports, then move to quarantine or reject"));
        return new Report(enabled, loaded != null, loaded == null ? null : loaded.bits(), selector.orElse(null),
                sdid.orElse(null), fromDomain, aligned, enabled ? signedHeaders : List.of(), List.copyOf(records),
                List.copyOf(problems));
    }

    /**
     * DMARC's relaxed alignment, approximated without the public suffix list: the same domain, or one a subdomain of
     * the other.
     */
    static boolean aligned(String signingDomain, String fromDomain) {
        return signingDomain.equals(fromDomain) || fromDomain.endsWith("." + signingDomain)
                || signingDomain.endsWith("." + fromDomain);
    }
}
