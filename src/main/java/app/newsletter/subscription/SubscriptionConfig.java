package app.newsletter.subscription;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Pattern;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The signup's settings: the lists as forms, mails and pages know them, link lifetimes, resend rules, retention. Each
 * member has an environment-variable form (upper case, dots and dashes as underscores, e.g.
 * {@code NEWSLETTER_PUBLIC_URL}); README.md lists them all. The same lists' defences ({@code AbuseConfig}) and ebooks
 * ({@code EbookConfig}) are read by those features' own mappings, and the outbox has its own ({@code OutboxConfig}).
 */
@ConfigMapping(prefix = "newsletter")
public interface SubscriptionConfig {

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

    /** Headers of the mails, for the mailbox providers' filters (README "Deliverability"). */
    Mail mail();

    /** Headers of the mails ({@code NEWSLETTER_MAIL_*}). */
    interface Mail {
        /**
         * An address whose mail the operator's relay turns into unsubscribes, offered in {@code List-Unsubscribe}
         * beside the one-click https link, e.g. {@code unsubscribe@example.com}; none by default.
         */
        Optional<@Email String> unsubscribeMailto();

        /**
         * The sender id of a {@code Feedback-ID} header ({@code <list>:<kind>:<sender id>}), with which Gmail's Postmaster
         * Tools report complaints per list and mail kind; no header by default.
         */
        Optional<@Pattern(regexp = "[A-Za-z0-9._-]{1,64}") String> feedbackId();
    }

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

    /**
     * Most signups of new addresses written in one transaction. Signups that arrive while the previous group is
     * being committed share the next commit (group commit); each is answered only once its own rows are committed.
     * 1 writes every signup in a transaction of its own.
     */
    @WithDefault("100")
    int signupBatchSize();

    /** One mailing list, as the signup sees it. */
    interface MailingList {
        /** Name shown in mails and pages, e.g. "Peptide Evolution". */
        String displayName();

        /** Title of the free ebook delivered after confirmation. */
        String ebookTitle();

        /** Where a plain HTML form is redirected (303) after a successful signup; a built-in page when absent. */
        Optional<URI> successUrl();

        /** Where a plain HTML form is redirected (303) after a failed signup; a built-in page when absent. */
        Optional<URI> errorUrl();

        /**
         * The language of this list's pages and mails ({@code en}, {@code de}, {@code es} or {@code fr}); when
         * absent, each reader's browser language (Accept-Language) among those four, else English. A form's or the
         * widget's explicit {@code lang} still wins.
         */
        Optional<@Pattern(regexp = "en|de|es|fr") String> locale();

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
}
