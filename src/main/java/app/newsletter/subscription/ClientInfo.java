package app.newsletter.subscription;

import app.newsletter.http.ClientAddresses;
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
}
