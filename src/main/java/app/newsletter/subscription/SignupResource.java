package app.newsletter.subscription;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.context.ManagedExecutor;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestForm;

import app.newsletter.abuse.DomainBlocklist;
import app.newsletter.abuse.Origins;
import app.newsletter.abuse.ProofOfWork;
import app.newsletter.apikeys.ApiKeys;
import app.newsletter.apikeys.Authorization;
import app.newsletter.apikeys.Scope;
import app.newsletter.http.ClientAddresses;
import app.newsletter.http.ProblemException;
import app.newsletter.http.TooManyRequests;
import app.newsletter.platform.Failures;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

/** The signup endpoint for scripts (JSON) and for plain HTML forms, with one reply for every address. */
@Tag(name = "Signup")
@Path("/api/subscriptions")
class SignupResource {

    static final String THANKS = "Thank you for subscribing.";
    /** The JSON reply, serialised once: it is the same for every address. */
    private static final byte[] THANKS_JSON = ("{\"message\":\"" + THANKS + "\"}").getBytes(StandardCharsets.UTF_8);
    private static final Logger LOG = Logger.getLogger(SignupResource.class);

    private final SignupWriter signups;
    private final FormReplies forms;
    private final Origins origins;
    private final ProofOfWork proofOfWork;
    private final DomainBlocklist blocklist;
    private final SubscriptionMetrics metrics;
    private final SubscriptionConfig config;
    private final ClientAddresses addresses;
    private final ApiKeys keys;
    /** Worker threads that carry the request's context, for the signups that must block (a key, proof of work). */
    private final ManagedExecutor workers;

    SignupResource(SignupWriter signups, FormReplies forms, Origins origins, ProofOfWork proofOfWork,
            DomainBlocklist blocklist, SubscriptionMetrics metrics, SubscriptionConfig config,
            ClientAddresses addresses, ApiKeys keys, ManagedExecutor workers) {
        this.keys = keys;
        this.workers = workers;
        this.addresses = addresses;
        this.signups = signups;
        this.forms = forms;
        this.origins = origins;
        this.proofOfWork = proofOfWork;
        this.blocklist = blocklist;
        this.metrics = metrics;
        this.config = config;
    }

    @Operation(summary = "Sign up (JSON)", description = "Body: {\"email\": \"ada@example.com\", \"name\": "
            + "\"Ada\", \"list\": \"peptide-evolution\", \"source\": \"https://blog.example/post\", "
            + "\"consent\": true, \"lang\": \"de\"}. The field website is a honeypot; lang (en, de, es, fr) is optional. "
            + "A backend may send Authorization: Bearer <API key with scope signup> and the visitor's \"ip\" and "
            + "\"userAgent\": no origin check or proof of work then, the key's window instead of the IP's.")
    @APIResponse(responseCode = "401", description = "Bearer credentials that are no valid API key")
    @APIResponse(responseCode = "202", description = "Accepted: {\"message\":\"Thank you for "
            + "subscribing.\"}, the same for every address")
    @APIResponse(responseCode = "400", description = "Invalid input: problem+json naming the fields")
    @APIResponse(responseCode = "403", description = "The page's origin, or the API key, may not sign up to this list; "
            + "or the key lacks the scope signup")
    @APIResponse(responseCode = "413", description = "Body over 16 KiB")
    @APIResponse(responseCode = "415", description = "Neither JSON nor a form")
    @APIResponse(responseCode = "429", description = "Too many signups from this IP, or with this API key; see "
            + "Retry-After")
    @APIResponse(responseCode = "503", description = "Database unavailable; nothing saved")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> json(Signup signup, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @Context HttpServerRequest request) {
        if (signup == null) {
            throw ProblemException.badRequest("The request body must be a JSON object with at least an email.");
        }
        // A key is looked up in the database: a keyed signup runs on a worker thread, a visitor's on this event loop.
        CompletableFuture<String> accepted = ApiKeys.isBearer(authorization)
                ? workers.supplyAsync(() -> accept(() -> checkKeyed(signup, authorization, request)))
                : acceptAsync(signup, request);
        return onThisContext(accepted).thenApply(list -> Response.accepted(THANKS_JSON).type(MediaType.APPLICATION_JSON)
                .build());
    }

    @Operation(summary = "Sign up from a plain HTML form")
    @APIResponse(responseCode = "200", description = "\"Thank you for subscribing.\" page")
    @APIResponse(responseCode = "303", description = "Redirect to the list's success or error URL")
    @APIResponse(responseCode = "400", description = "\"Something went wrong.\" page naming what to fix")
    @APIResponse(responseCode = "429", description = "Too many signups from this IP")
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public CompletionStage<Response> form(@RestForm String email, @RestForm String name, @RestForm String list,
            @RestForm String source, @RestForm String consent, @RestForm String website, @RestForm String pow,
            @RestForm String lang, @Context HttpServerRequest request) {
        Signup signup = new Signup(email, name, list, source, checkbox(consent), website, pow, lang, null,
                null);
        String acceptLanguage = request.getHeader("Accept-Language");
        CompletableFuture<String> accepted;
        try {
            accepted = acceptAsync(signup, request);
        } catch (RuntimeException e) {
            accepted = CompletableFuture.failedFuture(e);
        }
        // The page is rendered back on the event loop, not on the writer that completed the stage.
        return onThisContext(accepted).handle((listId, failure) -> {
            if (failure == null) {
                return forms.success(listId, lang, acceptLanguage);
            }
            if (failure instanceof InvalidSignup invalid) {
                return forms.failure(invalid.status(), invalid.listId(), invalid.getMessage(),
                        List.copyOf(invalid.errors().values()), lang, acceptLanguage);
            }
            // Any other refusal (429, 503, ...) goes on to the exception mappers, as the JSON endpoint's does.
            throw failure instanceof RuntimeException runtime ? runtime : new CompletionException(failure);
        });
    }

    /** Runs a keyed signup's checks, counting a refusal in the metrics. */
    private String accept(Supplier<String> checks) {
        try {
            return checks.get();
        } catch (RuntimeException e) {
            countRefusal(e);
            throw e;
        }
    }

    /**
     * Every check that can refuse a signup, cheapest and most telling first, counting a refusal in the metrics. Bots
     * caught by the honeypot and addresses of blocked domains get the normal reply: telling them would teach them.
     *
     * @return the list joined, so a form can be sent to that list's own thank-you page; the stage completes on a
     *         signup writer (or a worker thread)
     */
    private CompletableFuture<String> acceptAsync(Signup signup, HttpServerRequest request) {
        CompletableFuture<String> checked;
        try {
            checked = checkAsync(signup, request);
        } catch (RuntimeException e) {
            countRefusal(e);
            throw e;
        }
        return checked.whenComplete((list, failure) -> {
            if (failure != null) {
                countRefusal(Failures.unwrap(failure));
            }
        });
    }

    private void countRefusal(Throwable e) {
        if (e instanceof TooManyRequests) {
            metrics.signup(SubscriptionMetrics.Outcome.LIMITED);
        } else if (e instanceof ProblemException problem) {
            metrics.signup(problem.status() == 403 ? SubscriptionMetrics.Outcome.ORIGIN
                    : SubscriptionMetrics.Outcome.INVALID);
        } else {
            metrics.signup(SubscriptionMetrics.Outcome.ERROR);
        }
    }

    /**
     * {@link #check}'s steps without blocking the event loop: the IP's count and the signup go to the group commit's
     * writers, and the reply waits for their stage. A list with proof of work spends the solution in the database, so
     * its signups run {@link #check} on a worker thread instead.
     */
    private CompletableFuture<String> checkAsync(Signup signup, HttpServerRequest request) {
        ClientInfo client = ClientInfo.of(request, addresses);
        if (signup.isBot()) {
            return signups.countAsync(client).thenApply(counted -> honeypot(signup));
        }
        Signup.Valid valid;
        try {
            valid = signup.validate(config, request.getHeader("Referer"), request.getHeader("Accept-Language"));
            if (proofOfWork.requiredFor(valid.listId())) {
                return workers.supplyAsync(() -> check(signup, request));
            }
            origins.check(valid.listId(), request);
        } catch (ProblemException refused) {
            return signups.countAsync(client).thenApply(counted -> {
                throw refused;
            });
        }
        if (blocklist.blocks(valid.email().domain())) {
            return signups.countAsync(client).thenApply(counted -> blocked(valid));
        }
        return signups.subscribeAsync(valid, client).thenApply(written -> {
            metrics.signup(SubscriptionMetrics.Outcome.ACCEPTED);
            return valid.listId();
        });
    }

    private String honeypot(Signup signup) {
        LOG.info("honeypot filled: signup dropped");
        metrics.signup(SubscriptionMetrics.Outcome.HONEYPOT);
        return config.lists().containsKey(signup.list()) ? signup.list() : config.defaultList();
    }

    private String blocked(Signup.Valid valid) {
        LOG.infof("signup to %s from a blocked domain dropped", valid.listId());
        metrics.signup(SubscriptionMetrics.Outcome.BLOCKED);
        return valid.listId();
    }

    /**
     * The stage, completed on the calling request's event loop rather than on the writer's thread that completed it:
     * the reply is written where its connection lives, and the writer goes back to the next group at once.
     */
    private static <V> CompletionStage<V> onThisContext(CompletableFuture<V> stage) {
        io.vertx.core.Context context = Vertx.currentContext();
        CompletableFuture<V> resumed = new CompletableFuture<>();
        stage.whenComplete((value, failure) -> {
            Runnable resume = () -> {
                if (failure == null) {
                    resumed.complete(value);
                } else {
                    resumed.completeExceptionally(Failures.unwrap(failure));
                }
            };
            if (context == null) {
                resume.run();
            } else {
                context.runOnContext(ignored -> resume.run());
            }
        });
        return resumed;
    }

    /**
     * Every request counts against its client's IP, and the limit answers first (429 before 400 or 403, as a bot learns
     * least from it); the count is taken in the signup's own group commit, or alone for a request that stores nothing.
     */
    private String check(Signup signup, HttpServerRequest request) {
        ClientInfo client = ClientInfo.of(request, addresses);
        if (signup.isBot()) {
            signups.count(client);
            return honeypot(signup);
        }
        Signup.Valid valid;
        try {
            valid = signup.validate(config, request.getHeader("Referer"), request.getHeader("Accept-Language"));
            origins.check(valid.listId(), request);
            if (proofOfWork.requiredFor(valid.listId())) {
                proofOfWork.verify(valid.listId(), signup.pow());
            }
        } catch (ProblemException refused) {
            signups.count(client);
            throw refused;
        }
        if (blocklist.blocks(valid.email().domain())) {
            signups.count(client);
            return blocked(valid);
        }
        signups.subscribe(valid, client);
        metrics.signup(SubscriptionMetrics.Outcome.ACCEPTED);
        return valid.listId();
    }

    /**
     * A backend's signup on behalf of its visitor, with an API key ({@code Authorization: Bearer}): the key takes the
     * place of the browser's defences, so neither origin nor proof of work applies, and the key's window replaces the
     * IP's (all the backend's visitors share its address). The visitor's IP and user agent come from the body. What
     * protects the person stays: validation, the honeypot, the blocklist, the per-address cooldown and cap, and the
     * confirmation mail, which no key can skip. A key restricted to a list signs up to it when the body names no list.
     */
    private String checkKeyed(Signup signup, String authorization, HttpServerRequest request) {
        Authorization.Caller caller = KeyedRequests.caller(keys.authorize(authorization, Scope.SIGNUP));
        Signup onList = caller.listId() != null && (signup.list() == null || signup.list().isBlank())
                ? signup.onList(caller.listId())
                : signup;
        ClientInfo client = ClientInfo.reported(signup.ip(), signup.userAgent());
        if (signup.isBot()) {
            LOG.infof("honeypot filled in a signup with API key %d: dropped", caller.id());
            metrics.signup(SubscriptionMetrics.Outcome.HONEYPOT);
            return onList.list();
        }
        // The Referer is the backend's, not the visitor's page: the source comes from the body alone.
        Signup.Valid valid = onList.validate(config, null, request.getHeader("Accept-Language"));
        if (!caller.allows(valid.listId())) {
            String detail = "This API key may only sign up to the list '" + caller.listId() + "'.";
            throw new ProblemException(403, detail, Map.of("list", detail));
        }
        if (blocklist.blocks(valid.email().domain())) {
            LOG.infof("signup to %s from a blocked domain with API key %d dropped", valid.listId(), caller.id());
            metrics.signup(SubscriptionMetrics.Outcome.BLOCKED);
            return valid.listId();
        }
        signups.subscribeWithKey(valid, client);
        metrics.signup(SubscriptionMetrics.Outcome.ACCEPTED);
        return valid.listId();
    }

    /** An unchecked box is simply absent from a form; "false", "0", "no" and "off" say no explicitly. */
    private static Boolean checkbox(String value) {
        if (value == null) {
            return null;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "false", "0", "no", "off" -> Boolean.FALSE;
            default -> Boolean.TRUE;
        };
    }
}
