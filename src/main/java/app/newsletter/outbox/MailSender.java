package app.newsletter.outbox;

import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.ext.mail.MailMessage;
import io.vertx.mutiny.ext.mail.MailClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Hands one claimed mail to SMTP. Real mail goes through the Vert.x mail client itself: Quarkus' {@code Mail} always
 * carries Cc and Bcc lists, which come out as empty "Cc:" headers that RFC 5322 forbids and spam filters count
 * against the sender. The mock mailer (dev mode) keeps printing mails to the log.
 */
@ApplicationScoped
class MailSender {

    private final ReactiveMailer mailer;
    private final Instance<MailClient> client;
    private final boolean mock;
    private final String from;
    private final Optional<String> bounceAddress;
    private final String messageIdDomain;

    MailSender(ReactiveMailer mailer, Instance<MailClient> client,
            @ConfigProperty(name = "quarkus.mailer.mock", defaultValue = "false") boolean mock,
            @ConfigProperty(name = "quarkus.mailer.from") String from,
            @ConfigProperty(name = "quarkus.mailer.bounce-address") Optional<String> bounceAddress) {
        this.mailer = mailer;
        this.client = client;
        this.mock = mock;
        this.from = from;
        this.bounceAddress = bounceAddress;
        this.messageIdDomain = domainOf(from);
    }

    Uni<Void> send(ClaimedMail row) {
        if (mock) {
            Mail mail = Mail.withText(row.recipient(), row.subject(), row.text()).setHtml(row.html());
            row.headers().forEach(mail::addHeader);
            return mailer.send(mail);
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        row.headers().forEach(headers::add);
        // Stable across retries, so a receiver can drop the copy of a mail resent after a lost acknowledgement.
        headers.add("Message-ID", "<outbox." + row.id() + "." + row.createdAt().toEpochMilli() + "@"
                + messageIdDomain + ">");
        MailMessage message = new MailMessage()
                .setFrom(from)
                .setTo(List.of(row.recipient()))
                .setSubject(row.subject())
                .setText(row.text())
                .setHtml(row.html())
                .setHeaders(headers);
        bounceAddress.ifPresent(message::setBounceAddress);
        return client.get().sendMail(message).replaceWithVoid();
    }

    private static String domainOf(String address) {
        String trimmed = address.trim();
        if (trimmed.endsWith(">")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.substring(trimmed.lastIndexOf('@') + 1);
    }
}
