package app.newsletter.platform;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Every setting of the service. Each member has an environment-variable form (upper case, dots and dashes as
 * underscores, e.g. {@code NEWSLETTER_PUBLIC_URL}); README.md lists them all.
 */
@ConfigMapping(prefix = "newsletter")
public interface NewsletterConfig {

    /** Base URL of every link in mails and pages, as people reach the service (no trailing slash needed). */
    @WithDefault("http://localhost:8080")
    URI publicUrl();

    /** The list a form joins when it names none. Must be a key of {@link #lists()}. */
    @WithDefault("peptide-evolution")
    String defaultList();

    /** The lists people can join, by id (the id appears in forms and exports). */
    Map<String, MailingList> lists();

    /** Lifetimes of the links sent by mail. */
    Tokens tokens();

    /**
     * Least time between two mails of the same kind to one address: a repeated signup inside it sends nothing, which
     * keeps one person's inbox from being bombed through the form.
     */
    @WithDefault("PT10M")
    Duration resendCooldown();

    /** Pending subscribers who never confirmed are deleted this long after their last signup. */
    @WithDefault("P30D")
    Duration pendingRetention();

    /** How often the housekeeping job (pending purge, expired links, old mail bodies) runs. */
    @WithDefault("1h")
    String housekeepingInterval();

    /** The mail queue. */
    Outbox outbox();

    /** One mailing list. */
    interface MailingList {
        /** Name shown in mails and pages, e.g. "Peptide Evolution". */
        String displayName();

        /** Title of the free ebook delivered after confirmation. */
        String ebookTitle();

        /**
         * Where the ebook comes from: a file path or {@code classpath:} resource that the service serves itself, or an
         * {@code http(s)://} URL it redirects to.
         */
        String ebookSource();

        /** File name offered to the browser when the service serves the ebook itself. */
        @WithDefault("ebook.pdf")
        String ebookFileName();

        /** Where a plain HTML form is redirected (303) after a successful signup; a built-in page when absent. */
        Optional<URI> successUrl();

        /** Where a plain HTML form is redirected (303) after a failed signup; a built-in page when absent. */
        Optional<URI> errorUrl();

        /** Version of the consent text shown beside the form, recorded with every signup and confirmation. */
        @WithDefault("1")
        String consentVersion();
    }

    /** Link lifetimes. Unsubscribe links never expire. */
    interface Tokens {
        /** How long a confirmation link works. */
        @WithDefault("PT72H")
        Duration confirmLifetime();

        /** How long an ebook download link works (it also stops working when the person unsubscribes). */
        @WithDefault("P365D")
        Duration ebookLifetime();
    }

    /** The transactional outbox that sends every mail. */
    interface Outbox {
        /** How often the dispatcher looks for mail that is due, e.g. {@code 1s}. */
        @WithDefault("1s")
        String interval();

        /** Most mails claimed (and sent concurrently) in one round. */
        @WithDefault("50")
        int batchSize();

        /** How long a claim lasts: mails of an instance that dies mid-round are sent by another after this. */
        @WithDefault("PT2M")
        Duration lease();

        /** Wait before the first retry of a failed mail; doubles on every further failure. */
        @WithDefault("PT1S")
        Duration backoffInitial();

        /** The longest wait between two retries. */
        @WithDefault("PT5M")
        Duration backoffMax();

        /** A mail still unsent this long after it was queued is marked dead and logged. */
        @WithDefault("PT24H")
        Duration giveUpAfter();

        /** Longest time one SMTP send may take before it counts as failed. */
        @WithDefault("PT30S")
        Duration sendTimeout();

        /** Bodies and headers of sent mails (which carry links) are erased this long after sending. */
        @WithName("sent-body-retention")
        @WithDefault("P7D")
        Duration sentBodyRetention();
    }
}
