package app.newsletter.webhooks;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import app.newsletter.platform.Activity;
import app.newsletter.platform.Drainable;
import app.newsletter.platform.Failures;
import io.quarkus.scheduler.Scheduled;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Delivers queued events. Every endpoint has rounds of its own, on a thread of their own, so that an endpoint that
 * times out for an hour delays nobody else's events (and signups and mail never wait for any endpoint: they only
 * insert rows). A round locks a batch of the endpoint's due events and posts them concurrently: only a 2xx answer
 * delivers, redirects are not followed, 410 Gone disables the endpoint, anything else is tried again on the schedule,
 * a 429 or 503 no sooner than its {@code Retry-After}. While visitors keep the public port busy, each endpoint's
 * events go out at most {@code busy-rate} a second ({@link #pace}).
 */
@ApplicationScoped
class WebhookDispatcher implements Drainable {

    private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class);
    private static final String USER_AGENT = "newsletter-webhooks/1";
    /** A paced round looks this often whether the port went quiet (or the service is stopping). */
    private static final long PACE_STEP_NANOS = Duration.ofMillis(50).toNanos();

    private final WebhookEndpoints endpoints;
    private final WebhookStore store;
    private final WebhooksConfig config;
    private final WebhookMetrics metrics;
    private final RetrySchedule schedule;
    private final Activity activity;
    private final HttpClient http;
    private final ExecutorService rounds = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "webhook-round");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, AtomicBoolean> busy = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    WebhookDispatcher(WebhookEndpoints endpoints, WebhookStore store, WebhooksConfig config, WebhookMetrics metrics,
            Activity activity, Vertx vertx) {
        this.endpoints = endpoints;
        this.store = store;
        this.config = config;
        this.metrics = metrics;
        this.schedule = new RetrySchedule(config.retrySchedule());
        this.activity = activity;
        // Vert.x's client, on the event loops the service already runs: a JDK HttpClient cost the service about as much
        // CPU per event as a signup (bench/README.md). Keep-alive pools one connection per event in flight: a round
        // holds up to the batch size and the rest of a group row's events (WebhookStore#CLAIM).
        this.http = vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(true)
                .setMaxPoolSize(config.batchSize() + WebhookStore.GROUP - 1)
                .setConnectTimeout((int) config.timeout().toMillis()));
    }

    @Scheduled(identity = "webhook-dispatcher", every = "${newsletter.webhooks.interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void dispatch() {
        if (endpoints.none() || stopping) {
            return;
        }
        try {
            endpoints.refresh(store.states());
        } catch (RuntimeException e) {
            LOG.warnf("webhook round not started, retrying next round: %s", Failures.rootMessage(e));
            return;
        }
        for (WebhookEndpoints.Endpoint endpoint : endpoints.all()) {
            if (endpoints.disabled(endpoint.id())) {
                continue;
            }
            AtomicBoolean running = busy.computeIfAbsent(endpoint.id(), id -> new AtomicBoolean());
            if (running.compareAndSet(false, true)) {
                rounds.execute(() -> {
                    try {
                        round(endpoint);
                    } catch (RuntimeException e) {
                        // Typically the database is away: one line per round; the events wait.
                        LOG.warnf("webhook round of endpoint %s failed, retrying next round: %s", endpoint.id(),
                                Failures.rootMessage(e));
                    } finally {
                        running.set(false);
                    }
                });
            }
        }
    }

    /** Claims and delivers the endpoint's due events until none are left, the endpoint is disabled or we stop. */
    void round(WebhookEndpoints.Endpoint endpoint) {
        // The claim's locks are its lease; a round takes at most the timeout and its settlement.
        Duration maxRound = config.timeout().plusSeconds(30);
        int claimed;
        do {
            if (stopping) {
                return;
            }
            long started = System.nanoTime();
            boolean gone;
            try (WebhookStore.Round round = store.claim(endpoint.id(), config.batchSize(), maxRound)) {
                claimed = round.events().size();
                if (claimed == 0) {
                    return;
                }
                gone = deliver(endpoint, round);
            }
            if (gone) {
                // After the round's commit: the stop updates the rows that round held locked.
                int stopped = store.disable(endpoint.id(), endpoint.url().toString(), "410 Gone");
                endpoints.refresh(store.states());
                LOG.warnf("webhook endpoint %s answered 410 Gone: disabled, %d queued events stopped; a new URL or "
                        + "POST /api/admin/webhooks/%s/enable starts it again", endpoint.id(), stopped, endpoint.id());
                return;
            }
            // A full round (a group row can take it past the batch size) leaves more due events behind, likely.
            if (claimed >= config.batchSize()) {
                pace(endpoint.id(), claimed, started);
            }
        } while (claimed >= config.batchSize());
    }

    /**
     * Webhooks are background work, like a mail backlog's drain: each delivery costs the machine about a sixth of a
     * signup (an HTTP request, its signature, its row), so during a launch an endpoint that takes every event at once
     * would cost visitors a sixth of the signups the machine can take (bench/README.md). While requests keep coming,
     * a round therefore spreads its batches to at most {@code busy-rate} events a second; as soon as the public port
     * has been quiet for a second, it goes on at the endpoint's own speed. The wait holds no lock and no connection.
     */
    private void pace(String endpointId, int sent, long startedNanos) {
        long due = startedNanos + (long) (sent * 1e9 / config.busyRate());
        long waitedFrom = System.nanoTime();
        boolean waited = false;
        try {
            while (!stopping && !activity.quiet()) {
                long left = due - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                waited = true;
                TimeUnit.NANOSECONDS.sleep(Math.min(left, PACE_STEP_NANOS));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (waited) {
            metrics.paced(endpointId, Duration.ofNanos(System.nanoTime() - waitedFrom));
        }
    }

    /** What one attempt came to: the HTTP status (0 without an answer), why it failed, how long to wait at least. */
    private record Attempt(int status, String error, Duration retryAfter) {
        boolean delivered() {
            return status >= 200 && status < 300;
        }
    }

    /** @return true when the endpoint answered 410 Gone */
    private boolean deliver(WebhookEndpoints.Endpoint endpoint, WebhookStore.Round round) {
        List<WebhookStore.Claimed> batch = round.events();
        String refused = refusal(endpoint);
        List<CompletableFuture<Attempt>> attempts = new ArrayList<>(batch.size());
        for (WebhookStore.Claimed event : batch) {
            attempts.add(refused != null ? CompletableFuture.completedFuture(new Attempt(0, refused, null))
                    : post(endpoint, event));
        }
        boolean anyDelivered = false;
        List<WebhookStore.Failure> failures = new ArrayList<>();
        boolean gone = false;
        Instant now = Instant.now();
        for (int i = 0; i < batch.size(); i++) {
            WebhookStore.Claimed event = batch.get(i);
            Attempt attempt = outcome(attempts.get(i));
            if (attempt.delivered()) {
                anyDelivered = true;
                metrics.delivered(endpoint.id());
                continue;
            }
            gone |= attempt.status() == 410;
            Instant next = attempt.status() == 410 ? null : schedule.next(event.attempts(), now, attempt.retryAfter());
            failures.add(new WebhookStore.Failure(event, next, attempt.status(), attempt.error()));
            metrics.failed(endpoint.id(), next == null);
            if (next == null) {
                LOG.errorf("webhook event %s (%s) to endpoint %s is dead after %d attempts: %s", event.msgId(),
                        event.type(), endpoint.id(), event.attempts(), attempt.error());
            } else {
                LOG.warnf("webhook event %s (%s) to endpoint %s, attempt %d failed, will retry: %s", event.msgId(),
                        event.type(), endpoint.id(), event.attempts(), attempt.error());
            }
        }
        round.settle(anyDelivered, failures);
        return gone;
    }

    private Attempt outcome(CompletableFuture<Attempt> attempt) {
        try {
            return attempt.get(config.timeout().plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            attempt.cancel(true);
            return new Attempt(0, "no answer within " + config.timeout(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Attempt(0, "interrupted", null);
        } catch (Exception e) {
            return new Attempt(0, Failures.rootMessage(e), null);
        }
    }

    /** Why the endpoint's host may not be called (it resolves to an internal address), or null. */
    private String refusal(WebhookEndpoints.Endpoint endpoint) {
        if (config.allowPrivateTargets()) {
            return null;
        }
        String host = endpoint.url().getHost();
        try {
            InetAddress internal = Targets.firstInternal(host);
            return internal == null ? null
                    : "refused: " + host + " resolves to the internal address " + internal.getHostAddress()
                            + " (NEWSLETTER_WEBHOOKS_ALLOW_PRIVATE_TARGETS is off)";
        } catch (IOException e) {
            return "cannot resolve " + host + ": " + e.getMessage();
        }
    }

    private CompletableFuture<Attempt> post(WebhookEndpoints.Endpoint endpoint, WebhookStore.Claimed event) {
        long timestamp = Instant.now().getEpochSecond();
        RequestOptions request = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(endpoint.url().toString())
                .setFollowRedirects(false)
                .setTimeout(config.timeout().toMillis())
                .putHeader("Content-Type", "application/json")
                .putHeader("User-Agent", USER_AGENT)
                .putHeader("webhook-id", event.msgId())
                .putHeader("webhook-timestamp", Long.toString(timestamp))
                .putHeader("webhook-signature", endpoint.signatures().sign(event.msgId(), timestamp, event.body()));
        return http.request(request)
                .compose(call -> call.send(Buffer.buffer(event.body())))
                // The answer's body is read (and dropped) so that the connection goes back to the pool.
                .compose(response -> response.body().map(ignored -> attempt(response)))
                .toCompletionStage().toCompletableFuture()
                .exceptionally(failure -> new Attempt(0, failure instanceof java.util.concurrent.TimeoutException
                        || String.valueOf(failure.getMessage()).contains("timeout")
                                ? "no answer within " + config.timeout()
                                : Failures.rootMessage(failure),
                        null));
    }

    private static Attempt attempt(HttpClientResponse response) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return new Attempt(status, null, null);
        }
        Duration retryAfter = status == 429 || status == 503
                ? RetrySchedule.retryAfter(response.getHeader("Retry-After"), Instant.now())
                : null;
        String why = status >= 300 && status < 400 ? "redirect not followed (" + status + ")" : "answered " + status;
        return new Attempt(status, why, retryAfter);
    }

    @Override
    public void drain() throws InterruptedException {
        stopping = true;
        long deadline = System.nanoTime() + config.timeout().plusSeconds(5).toNanos();
        while (busy.values().stream().anyMatch(AtomicBoolean::get) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        rounds.shutdown();
    }
}
