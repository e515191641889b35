package app.newsletter.http;

import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Map;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import app.newsletter.platform.Failures;
import app.newsletter.platform.Languages;

/**
 * The one place where failures become answers: {@code application/problem+json} for API clients, the "Something
 * went wrong." page for browsers posting a form (a signup form's invalid fields go to its list's error URL, which
 * {@code subscription} answers itself). Never a stack trace, never an empty body.
 */
class ErrorMapper {

    private static final Logger LOG = Logger.getLogger(ErrorMapper.class);

    @ServerExceptionMapper
    Response problem(ProblemException e, HttpHeaders headers, UriInfo uri) {
        Response reply = answer(headers, uri, e.status(), e.getMessage(), e.errors());
        if (e instanceof TooManyRequests limited) {
            return Response.fromResponse(reply)
                    .header(HttpHeaders.RETRY_AFTER, String.valueOf(limited.retryAfterSeconds())).build();
        }
        if (e instanceof Unauthorized unauthorized) {
            return Response.fromResponse(reply).header(HttpHeaders.WWW_AUTHENTICATE, unauthorized.challenge()).build();
        }
        return reply;
    }

    // Jackson's MismatchedInputException ([] or {"email":{}}) has a built-in mapper that answers an empty 400 and
    // outranks a JsonProcessingException mapper, so it is mapped on its own.
    @ServerExceptionMapper
    Response mismatchedInput(MismatchedInputException e, HttpHeaders headers, UriInfo uri) {
        String field = e.getPath().isEmpty() ? null : e.getPath().get(e.getPath().size() - 1).getFieldName();
        Map<String, String> errors = field == null ? Map.of() : Map.of(field, "This field has the wrong type.");
        return answer(headers, uri, 400, "The request body is not the JSON object this endpoint expects.", errors);
    }

    @ServerExceptionMapper
    Response malformedJson(JsonProcessingException e, HttpHeaders headers, UriInfo uri) {
        return answer(headers, uri, 400, "The request body is not valid JSON.", Map.of());
    }

    static final String BAD_FORM_ENCODING = "The form data is not correctly encoded (bad percent-encoding).";

    // Bad percent-encoding in a form body (email=%zz) fails while decoding, before any resource runs.
    @ServerExceptionMapper
    Response illegalArgument(IllegalArgumentException e, HttpHeaders headers, UriInfo uri) {
        if (!thrownByDecoder(e)) {
            return unexpected(e, headers, uri);
        }
        return answer(headers, uri, 400, BAD_FORM_ENCODING, Map.of());
    }

    @ServerExceptionMapper
    Response webApplication(WebApplicationException e, HttpHeaders headers, UriInfo uri) {
        // Quarkus' Jackson reader wraps syntax errors ({"email": ,) in a 400 WebApplicationException.
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformedJson(json, headers, uri);
        }
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            return unexpected(e, headers, uri);
        }
        Response.Status.Family family = Response.Status.Family.familyOf(status);
        if (family != Response.Status.Family.CLIENT_ERROR) {
            return e.getResponse();
        }
        return answer(headers, uri, status, clientErrorDetail(status), Map.of());
    }

    @ServerExceptionMapper
    Response unexpected(Throwable e, HttpHeaders headers, UriInfo uri) {
        if (dataException(e)) {
            // SQL state class 22 (a value out of range, a bad date): the request's fault, not an outage to page for.
            LOG.debugf("value refused by the database: %s", Failures.rootMessage(e));
            return answer(headers, uri, 400, "A value in the request is out of range.", Map.of());
        }
        if (causedBy(e, SQLException.class)) {
            LOG.warnf("database unavailable: %s", Failures.rootMessage(e));
            Response reply = answer(headers, uri, 503,
                    "The service cannot reach its database right now. Nothing was saved; please try again in a minute.",
                    Map.of());
            return Response.fromResponse(reply).header(HttpHeaders.RETRY_AFTER, "30").build();
        }
        if (causedBy(e, IOException.class) && !causedBy(e, JsonProcessingException.class)) {
            // The client stopped sending (read timeout) or went away mid-body: its fault, and one stack trace per
            // connection would let a crowd of slow clients flood the log.
            LOG.debugf("request body not read: %s", Failures.rootMessage(e));
            return answer(headers, uri, 408, "The request was not received in time.", Map.of());
        }
        LOG.error("unexpected failure", e);
        return answer(headers, uri, 500, "An unexpected error occurred. Nothing was saved; please try again later.",
                Map.of());
    }

    private static Response answer(HttpHeaders headers, UriInfo uri, int status, String detail,
            Map<String, String> errors) {
        if (wantsHtml(headers, uri)) {
            return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                    .entity(WebPages.failure(detail, new ArrayList<>(errors.values()))
                            .setLocale(Languages.pick(headers.getHeaderString(HttpHeaders.ACCEPT_LANGUAGE))).render())
                    .build();
        }
        return Response.status(status).type(Problem.MEDIA_TYPE).entity(Problem.of(status, detail, errors)).build();
    }

    /** Form posts and the pages people open from mails answer with a page; the JSON API and webhooks with problem+json. */
    private static boolean wantsHtml(HttpHeaders headers, UriInfo uri) {
        if (uri.getPath().startsWith("/hooks/")) {
            return false; // relays read problem+json whatever they post
        }
        MediaType type = headers.getMediaType();
        if (type != null && type.isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE)) {
            return true;
        }
        String path = uri.getPath();
        return !path.startsWith("/api/") && !path.startsWith("/q/");
    }

    private static String clientErrorDetail(int status) {
        return switch (status) {
            case 404 -> "There is nothing at this address.";
            case 405 -> "This address does not accept that method.";
            case 406 -> "This address cannot answer in the requested format.";
            case 413 -> "The request is too large.";
            case 415 -> "Send JSON (application/json) or a form (application/x-www-form-urlencoded).";
            default -> "The request could not be processed.";
        };
    }

    private static boolean dataException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("22")) {
                return true;
            }
        }
        return false;
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static boolean thrownByDecoder(Throwable e) {
        for (StackTraceElement frame : e.getStackTrace()) {
            if (frame.getClassName().contains("Decoder") || frame.getMethodName().toLowerCase().contains("decode")) {
                return true;
            }
        }
        return false;
    }
}
