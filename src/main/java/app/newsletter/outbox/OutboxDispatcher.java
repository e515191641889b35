package app.newsletter.outbox;

import app.newsletter.platform.NewsletterConfig;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.mail.SMTPException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Sends queued mail. Runs on a scheduler worker thread, never on the event loop; sends of one batch go out
 * concurrently over the mail client's bounded connection pool ({@code quarkus.mailer.max-pool-size}).
 */
@ApplicationScoped
class OutboxDispatcher {

    private static final Logger LOG = Logger.getLogger(OutboxDispatcher.class);

    private final OutboxStore store;
    private final ReactiveMailer mailer;
    private final NewsletterConfig.Outbox config;
    private final String messageIdDomain;

    OutboxDispatcher(OutboxStore store, ReactiveMailer mailer, NewsletterConfig config,
            @ConfigProperty(name = "quarkus.mailer.from") String from) {
        this.store = store;
        this.mailer = mailer;
        this.config = config.outbox();
        this.messageIdDomain = domainOf(from);
    }

    @Scheduled(identity = "outbox-dispatcher", every = "${newsletter.outbox.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void dispatch() {
        List<OutboxMail> batch;
        do {
            batch = store.claim(config.batchSize());
            if (!batch.isEmpty()) {
                settle(batch, sendAll(batch));
            }
        } while (batch.size() == config.batchSize());
    }

    private List<Throwable> sendAll(List<OutboxMail> batch) {
        List<Uni<Throwable>> sends = new ArrayList<>(batch.size());
        for (OutboxMail row : batch) {
            sends.add(mailer.send(toMail(row))
                    .ifNoItem().after(config.sendTimeout()).fail()
                    .onItemOrFailure().transform((ignored, failure) -> failure));
        }
        return Uni.join().all(sends).andFailFast()
                .await().atMost(config.sendTimeout().plus(Duration.ofSeconds(5)));
    }

    private void settle(List<OutboxMail> batch, List<Throwable> failures) {
        List<Long> sent = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            OutboxMail row = batch.get(i);
            Throwable failure = failures.get(i);
            if (failure == null) {
                sent.add(row.id);
                continue;
            }
            boolean permanent = failure instanceof SMTPException smtp && smtp.isPermanent();
            boolean dead = store.markFailed(row, String.valueOf(failure.getMessage()), permanent);
            if (dead) {
                LOG.errorf("outbox mail %d (%s) is dead after %d attempts: %s", row.id, row.kind, row.attempts,
                        failure.getMessage());
            } else {
                LOG.warnf("outbox mail %d (%s) attempt %d failed, will retry: %s", row.id, row.kind, row.attempts,
                        failure.getMessage());
            }
        }
        store.markSent(sent);
        if (!sent.isEmpty()) {
            LOG.debugf("sent %d mails", sent.size());
        }
    }

    private Mail toMail(OutboxMail row) {
        Mail mail = Mail.withText(row.recipient, row.subject, row.textBody).setHtml(row.htmlBody);
        // Empty lists would still be written as empty "Cc:" and "Bcc:" headers, which RFC 5322 does not allow.
        mail.setCc(null).setBcc(null);
        row.headers.forEach(mail::addHeader);
        // Stable across retries, so a receiver can drop the copy of a mail resent after a lost acknowledgement.
        mail.addHeader("Message-ID", "<outbox." + row.id + "." + row.createdAt.toEpochMilli() + "@"
                + messageIdDomain + ">");
        return mail;
    }

    private static String domainOf(String address) {
        String trimmed = address.trim();
        if (trimmed.endsWith(">")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.substring(trimmed.lastIndexOf('@') + 1);
    }
}
