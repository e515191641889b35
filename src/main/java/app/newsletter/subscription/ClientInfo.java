package app.newsletter.subscription;

import io.vertx.core.http.HttpServerRequest;

/**
 * Who sent a request, for the consent record. The address is the one Quarkus resolved: forwarded headers count only
 * when {@code quarkus.http.proxy.*} trusts the proxy that set them.
 */
record ClientInfo(String ip, String userAgent) {

    private static final int MAX_USER_AGENT = 512;

    static ClientInfo of(HttpServerRequest request) {
        String ip = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        String agent = request.getHeader("User-Agent");
        if (agent != null && agent.length() > MAX_USER_AGENT) {
            agent = agent.substring(0, MAX_USER_AGENT);
        }
        return new ClientInfo(ip, agent);
    }
}
