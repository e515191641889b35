package app.newsletter.subscription;

import java.util.Map;

import app.newsletter.http.ClientAddresses;
import app.newsletter.http.ProblemException;
import io.vertx.core.http.HttpServerRequest;

/**
 * Who sent a request, for the consent record and the limits. The address is {@link ClientAddresses}': forwarded
 * headers count only from the proxies {@code quarkus.http.proxy.trusted-proxies} lists, read from the right.
 */
record ClientInfo(String ip, String userAgent) {

    private static final int MAX_USER_AGENT = 512;

    static ClientInfo of(HttpServerRequest request, ClientAddresses addresses) {
        String ip = addresses.of(request);
        String agent = request.getHeader("User-Agent");
        if (agent != null && agent.length() > MAX_USER_AGENT) {
            agent = agent.substring(0, MAX_USER_AGENT);
        }
        return new ClientInfo(ip, agent);
    }

    /**
     * The visitor as a backend signing up with an API key reports it: the connection is the backend's, whose
     * address says nothing about the person's consent, so an address not reported is recorded as unknown (null).
     *
     * @throws ProblemException 400 naming {@code ip} or {@code userAgent} when either is not what it claims to be
     */
    static ClientInfo reported(String ip, String userAgent) {
        String address = null;
        if (ip != null && !ip.isBlank()) {
            address = ClientAddresses.normalised(ip);
            if (address == null) {
                throw invalid("ip", "The ip must be the visitor's IPv4 or IPv6 address.");
            }
        }
        String agent = userAgent == null || userAgent.isBlank() ? null : userAgent.strip();
        if (agent != null && Signup.hasControlCharacters(agent)) {
            throw invalid("userAgent", "The userAgent contains line breaks or control codes.");
        }
        if (agent != null && agent.length() > MAX_USER_AGENT) {
            agent = agent.substring(0, MAX_USER_AGENT); // as a header that long is kept
        }
        return new ClientInfo(address, agent);
    }

    private static ProblemException invalid(String field, String detail) {
        return new ProblemException(400, detail, Map.of(field, detail));
    }
}
