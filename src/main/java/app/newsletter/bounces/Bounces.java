package app.newsletter.bounces;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import app.newsletter.outbox.MailRejected;
import app.newsletter.outbox.Suppressions;
import app.newsletter.subscription.EmailAddress;
import app.newsletter.subscription.Suppression;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;

/**
 * What a bounce or complaint does: a hard bounce or a complaint suppresses the address at once ({@link Suppression});
 * a soft bounce is counted, and suppresses once {@code soft-limit} of them arrived within {@code soft-window}. The same
 * rules take the SMTP server's own refusals (a 5xx for the recipient, {@link MailRejected}).
 */
@ApplicationScoped
class Bounces {

    private static final Logger LOG = Logger.getLogger(Bounces.class);

    private final Suppression suppression;
    private final Suppressions suppressions;
    private final SoftBounces softBounces;
    private final BouncesConfig config;
    private final MeterRegistry registry;

    Bounces(Suppression suppression, Suppressions suppressions, SoftBounces softBounces, BouncesConfig config,
            MeterRegistry registry) {
        this.suppression = suppression;
        this.suppressions = suppressions;
        this.softBounces = softBounces;
        this.config = config;
        this.registry = registry;
    }

    /** One transaction for the call: a relay that gets an error sends the whole call again, and nothing doubles. */
    @Transactional
    int record(String relay, List<Report> reports) {
        int taken = 0;
        for (Report report : reports) {
            var parsed = EmailAddress.parse(report.address());
            if (parsed.address().isEmpty()) {
                // Not an address this service could have mailed: nothing to suppress, and no reason to make the
                // relay retry the whole call.
                LOG.infof("%s reported an event for something that is not an address; ignored", relay);
                continue;
            }
            EmailAddress address = parsed.address().get();
            registry.counter("newsletter.bounces", "relay", relay, "kind", report.kind().name().toLowerCase())
                    .increment();
            switch (report.kind()) {
                case HARD -> suppression.suppress(address, Suppression.Kind.BOUNCE, relay);
                case COMPLAINT -> suppression.suppress(address, Suppression.Kind.COMPLAINT, relay);
                case SOFT -> {
                    Instant now = Instant.now();
                    long recent = softBounces.add(suppressions.hash(address.value()), relay, report.eventId(), now,
                            now.minus(config.softWindow()));
                    if (recent >= config.softLimit()) {
                        suppression.suppress(address, Suppression.Kind.BOUNCE, relay + " (" + recent
                                + " soft bounces)");
                    }
                }
            }
            taken++;
        }
        return taken;
    }

    /** The recipient's server refused the address for good while the outbox sent to it. */
    void rejected(@Observes MailRejected rejected) {
        try {
            record("smtp", List.of(new Report(rejected.recipient(), Report.Kind.HARD, null)));
        } catch (RuntimeException e) {
            // The mail is dead either way; the suppression is tried again at the address's next refusal.
            LOG.warnf("could not suppress a refused recipient: %s", e.getMessage());
        }
    }

    @Scheduled(identity = "soft-bounce-housekeeping", every = "${newsletter.housekeeping-interval}", skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void forgetOldSoftBounces() {
        softBounces.deleteBefore(Instant.now().minus(config.softWindow()));
    }
}
