package app.newsletter.subscription;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import app.newsletter.ebook.EbookGrants;
import app.newsletter.webhooks.EventType;

/**
 * The double opt-in, one transaction per step. Every state change queues its mail in the same transaction, and a
 * signup answers the same whatever state the address was in, so the form reveals nobody's membership.
 */
@ApplicationScoped
class SubscriptionService implements EbookGrants {

    private static final Logger LOG = Logger.getLogger(SubscriptionService.class);

    /** What a confirmation leads to: the page needs the list and a fresh download link. */
    record Confirmed(String listId, String ebookUrl) {
    }

    /** What a link from a mail led to: its result when usable, else why not. The resource chooses the answer. */
    enum Link {
        USABLE,
        /** No such link for this purpose (mistyped, cut off, or never issued). */
        UNKNOWN,
        /** Issued once, but expired, revoked, or its subscriber is gone. */
        EXPIRED
    }

    /** @param result present only when {@code link} is {@link Link#USABLE} */
    record Followed<T>(Link link, T result) {
        static <T> Followed<T> not(Link link) {
            return new Followed<>(link, null);
        }
    }

    private record Holder(Link link, Subscriber subscriber) {
    }

    private final EntityManager em;
    private final Tokens tokens;
    private final SubscriptionMails mails;
    private final ConfirmationGate gate;
    private final SubscriptionMetrics metrics;
    private final SubscriptionConfig config;
    private final SubscriptionEvents events;

    SubscriptionService(EntityManager em, Tokens tokens, SubscriptionMails mails, ConfirmationGate gate,
            SubscriptionMetrics metrics, SubscriptionConfig config, SubscriptionEvents events) {
        this.events = events;
        this.em = em;
        this.tokens = tokens;
        this.mails = mails;
        this.gate = gate;
        this.metrics = metrics;
        this.config = config;
    }

    /**
     * A signup of an address already on the list (new ones are written by {@link NewSignups}), behind the reply. The
     * row lock makes concurrent signups of one address queue behind each other.
     *
     * @param prepared the confirmation the request prepared, sent when it fits (null: one is rendered)
     * @param admitted whether the group commit admitted a confirmation under the mailbox's cooldown and daily cap
     *        (null for a signup queued before it did: decided here)
     * @return false when the row was gone by the time it was locked (erased or purged meanwhile)
     */
    @Transactional
    boolean subscribeKnown(Signup.Valid signup, ClientInfo client, PreparedConfirmation prepared, Boolean admitted) {
        Optional<Subscriber> found = Subscriber
                .<Subscriber> find("#Subscriber.onList", signup.listId(), signup.email().value())
                .withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResultOptional();
        if (found.isEmpty()) {
            return false;
        }
        Subscriber subscriber = found.get();
        Instant now = Instant.now();
        switch (subscriber.status) {
            case CONFIRMED -> resendEbook(subscriber, now, signup.locale());
            case PENDING, UNSUBSCRIBED -> renewSignup(subscriber, signup, client, prepared,
                    admitted != null ? admitted : gate.admit(subscriber.listId, subscriber.email, now), now);
            // Same reply as every other state; the address stays suppressed (Suppression), so nothing is sent.
            case BOUNCED, COMPLAINED -> LOG.infof("subscriber %d is %s: signup recorded, nothing sent", subscriber.id,
                    subscriber.status);
        }
        return true;
    }

    private void renewSignup(Subscriber subscriber, Signup.Valid signup, ClientInfo client,
            PreparedConfirmation prepared, boolean admitted, Instant now) {
        if (subscriber.status == Subscriber.Status.UNSUBSCRIBED) {
            // The status stays UNSUBSCRIBED until the new confirmation: anyone can type an address into a form, and
            // flipping it to PENDING here let a third party undo a recorded unsubscribe (and made the row look like a
            // never-confirmed one to the pending purge).
            LOG.infof("subscriber %d signed up again after unsubscribing; unsubscribed until confirmed",
                    subscriber.id);
        }
        subscriber.updatedAt = now;
        if (!admitted) {
            ConfirmationGate.logWithheld(subscriber.id);
            return;
        }
        if (signup.name() != null) {
            subscriber.name = signup.name();
        }
        subscriber.source = signup.source();
        subscriber.consentVersion = signup.list().consentVersion();
        ConsentRecord.record(subscriber, ConsentRecord.Event.SIGNUP, client, now);
        subscriber.lastConfirmationSentAt = now;
        mails.queueConfirmation(subscriber, prepared, now, gate.notBefore(now));
        LOG.infof("subscriber %d: confirmation queued", subscriber.id);
    }

    private void resendEbook(Subscriber subscriber, Instant now, Locale locale) {
        if (Subscriber.within(subscriber.lastEbookSentAt, config.resendCooldown(), now)) {
            LOG.infof("subscriber %d: ebook mail withheld, one went out within the cooldown", subscriber.id);
            return;
        }
        subscriber.lastEbookSentAt = now;
        subscriber.updatedAt = now;
        mails.queueEbook(subscriber, now, locale);
        LOG.infof("subscriber %d: ebook mail sent again", subscriber.id);
    }

    /** @return the list of a usable confirmation link, for the page that asks to confirm it; changes nothing */
    @Transactional
    Followed<String> listOfConfirmLink(String token) {
        Holder holder = holderOf(token, Tokens.Purpose.CONFIRM, LockModeType.NONE);
        return holder.subscriber() == null ? Followed.not(holder.link())
                : new Followed<>(Link.USABLE, holder.subscriber().listId);
    }

    /** Download links a confirmed subscriber keeps from repeated confirm pages, besides the ebook mail's. */
    static final int PAGE_LINKS_KEPT = 3;

    /** Idempotent: a second confirmation with a valid link succeeds again, without a second mail. */
    @Transactional
    /** @param acceptLanguage the confirming browser's, for the ebook mail's language (when the list sets none) */
    Followed<Confirmed> confirm(String token, ClientInfo client, String acceptLanguage) {
        Holder holder = holderOf(token, Tokens.Purpose.CONFIRM, LockModeType.PESSIMISTIC_WRITE);
        if (holder.subscriber() == null) {
            return Followed.not(holder.link());
        }
        Subscriber subscriber = holder.subscriber();
        // Microseconds, as PostgreSQL keeps them: the event's confirmedAt is the row's, not a finer neighbour of it.
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        if (subscriber.status == Subscriber.Status.CONFIRMED) {
            // The page offers the download again; the links it minted before, but a few, go.
            String url = mails.ebookUrl(subscriber, now);
            tokens.pruneEbookLinks(subscriber.id, PAGE_LINKS_KEPT);
            return new Followed<>(Link.USABLE, new Confirmed(subscriber.listId, url));
        }
        subscriber.status = Subscriber.Status.CONFIRMED;
        subscriber.confirmedAt = now;
        subscriber.unsubscribedAt = null;
        subscriber.updatedAt = now;
        subscriber.lastEbookSentAt = now;
        ConsentRecord.record(subscriber, ConsentRecord.Event.CONFIRM, client, now);
        events.confirmed(subscriber, client, now);
        String ebookUrl = mails.queueEbook(subscriber, now, mails.locale(subscriber.listId, acceptLanguage));
        LOG.infof("subscriber %d confirmed", subscriber.id);
        metrics.confirmed();
        return new Followed<>(Link.USABLE, new Confirmed(subscriber.listId, ebookUrl));
    }

    /** Idempotent; answers the list id so the page can name it. */
    @Transactional
    Followed<String> unsubscribe(String token, ClientInfo client) {
        Holder holder = holderOf(token, Tokens.Purpose.UNSUBSCRIBE, LockModeType.PESSIMISTIC_WRITE);
        if (holder.subscriber() == null) {
            return Followed.not(holder.link());
        }
        Subscriber subscriber = holder.subscriber();
        if (subscriber.status != Subscriber.Status.UNSUBSCRIBED) {
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            subscriber.status = Subscriber.Status.UNSUBSCRIBED;
            subscriber.unsubscribedAt = now;
            subscriber.updatedAt = now;
            tokens.revokeAccessLinks(subscriber.id, now);
            ConsentRecord.record(subscriber, ConsentRecord.Event.UNSUBSCRIBE, client, now);
            events.unsubscribed(subscriber, client, now);
            LOG.infof("subscriber %d unsubscribed", subscriber.id);
            metrics.unsubscribed();
        }
        return new Followed<>(Link.USABLE, subscriber.listId);
    }

    /** @return the list of a valid unsubscribe link, for the page that asks to confirm it */
    @Transactional
    Followed<String> listOfUnsubscribeLink(String token) {
        Holder holder = holderOf(token, Tokens.Purpose.UNSUBSCRIBE, LockModeType.NONE);
        return holder.subscriber() == null ? Followed.not(holder.link())
                : new Followed<>(Link.USABLE, holder.subscriber().listId);
    }

    @Override
    @Transactional
    public Redemption check(String token) {
        return downloadLink(token).redemption();
    }

    @Override
    @Transactional
    public Redemption redeem(String token) {
        DownloadLink link = downloadLink(token);
        if (link.redemption().outcome() != Outcome.GRANTED) {
            return link.redemption();
        }
        // Counted only while still confirmed: an unsubscribe committed since the check wins.
        int counted = Subscriber.update("#Subscriber.countDownload", link.subscriberId(),
                Subscriber.Status.CONFIRMED);
        if (counted == 0) {
            return new Redemption(Outcome.GONE, null);
        }
        if (events.wanted(EventType.EBOOK_DOWNLOADED)) {
            Subscriber subscriber = em.find(Subscriber.class, link.subscriberId());
            em.refresh(subscriber); // the count just went up by a statement of its own
            events.downloaded(subscriber, Instant.now());
        }
        metrics.downloaded();
        return link.redemption();
    }

    private record DownloadLink(Redemption redemption, long subscriberId) {
    }

    /** What a download link grants, and whose it is: one lookup for both the check and the counted download. */
    private DownloadLink downloadLink(String token) {
        Optional<Tokens.Grant> grant = tokens.find(token, Tokens.Purpose.EBOOK);
        if (grant.isEmpty()) {
            return new DownloadLink(new Redemption(Outcome.UNKNOWN, null), 0);
        }
        Subscriber holder = em.find(Subscriber.class, grant.get().subscriberId());
        if (!grant.get().usable(Instant.now()) || holder == null || holder.status != Subscriber.Status.CONFIRMED) {
            return new DownloadLink(new Redemption(Outcome.GONE, null), 0);
        }
        return new DownloadLink(new Redemption(Outcome.GRANTED, holder.listId), holder.id);
    }

    /**
     * The holder of a usable link. With a lock, the link is checked again once the holder's row is locked: an
     * unsubscribe that revoked it meanwhile has committed by then, and wins.
     */
    private Holder holderOf(String token, Tokens.Purpose purpose, LockModeType lock) {
        Optional<Tokens.Grant> grant = tokens.find(token, purpose);
        if (grant.isEmpty()) {
            return new Holder(Link.UNKNOWN, null);
        }
        Subscriber subscriber = em.find(Subscriber.class, grant.get().subscriberId(), lock);
        if (lock != LockModeType.NONE) {
            grant = tokens.find(token, purpose);
            if (grant.isEmpty()) {
                return new Holder(Link.UNKNOWN, null);
            }
        }
        if (subscriber == null || !grant.get().usable(Instant.now())) {
            return new Holder(Link.EXPIRED, null);
        }
        return new Holder(Link.USABLE, subscriber);
    }
}
