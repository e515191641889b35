package app.newsletter.bounces;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import jakarta.validation.constraints.Positive;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Bounce and complaint webhooks of the relays ({@code NEWSLETTER_BOUNCES_*}). A relay's hook answers 404 until its
 * secret is configured: an unauthenticated hook would let anyone suppress any address.
 */
@ConfigMapping(prefix = "newsletter.bounces")
public interface BouncesConfig {

    /** Soft bounces (a full mailbox, a busy server) of one address within {@link #softWindow()} that suppress it. */
    @WithDefault("3")
    @Positive
    int softLimit();

    /** The window in which soft bounces add up. */
    @WithDefault("P7D")
    Duration softWindow();

    /** Amazon SES through an SNS topic. */
    Ses ses();

    /** Postmark: HTTP Basic credentials put into the hook URL (https://user:password@host/hooks/bounces/postmark). */
    Postmark postmark();

    /** Mailgun: HMAC-SHA256 of timestamp and token under the webhook signing key. */
    Mailgun mailgun();

    /** SendGrid's signed Event Webhook: ECDSA (P-256) over timestamp and body. */
    Sendgrid sendgrid();

    /** Any other relay or script: a JSON body and a shared secret in the {@code X-Bounce-Secret} header. */
    Generic generic();

    interface Ses {
        /**
         * The SNS topics whose messages are taken (ARNs, comma-separated); none: the hook is off. Messages are
         * checked against the topic's signature, whose certificate comes from AWS.
         */
        Optional<List<String>> topicArns();

        /**
         * Where SNS signing certificates and subscription confirmations may come from: the pattern of their URLs.
         * Anything else is refused, so a forged message cannot point the service at a certificate of its own.
         */
        @WithDefault("https://sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/.*")
        String snsUrlPattern();
    }

    interface Postmark {
        Optional<String> username();

        Optional<String> password();
    }

    interface Mailgun {
        /** The HTTP webhook signing key from Mailgun's dashboard. */
        Optional<String> signingKey();
    }

    interface Sendgrid {
        /** The verification key SendGrid shows for the signed Event Webhook (base64 of the DER public key). */
        Optional<String> publicKey();
    }

    interface Generic {
        /** The shared secret callers send in {@code X-Bounce-Secret}; at least 16 characters. */
        Optional<@jakarta.validation.constraints.Size(min = 16) String> secret();
    }
}
