package app.newsletter.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

/**
 * The client's address, as the rate limits and the consent records see it. Quarkus's own forwarding takes the
 * left-most {@code X-Forwarded-For} entry, which a client writes itself whenever the proxy appends (nginx's
 * {@code $proxy_add_x_forwarded_for}); here the chain is read from the right: past the connection's peer and every
 * further hop that is one of {@code quarkus.http.proxy.trusted-proxies}, the first address no trusted proxy vouches
 * for is the client. An entry that is no IP literal ({@code unknown}, a name, garbage) ends the chain as unknown:
 * {@code null}, which the limits count as one shared key instead of skipping. IPv4-mapped IPv6 addresses are
 * unmapped.
 */
@ApplicationScoped
public class ClientAddresses {

    /** IP literals only: nothing here may ever cause a DNS lookup. */
    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private final boolean forwarding;
    private final List<Cidr> trusted = new ArrayList<>();

    ClientAddresses(@ConfigProperty(name = "quarkus.http.proxy.proxy-address-forwarding") boolean forwarding,
            @ConfigProperty(name = "quarkus.http.proxy.allow-x-forwarded") Optional<Boolean> xForwarded,
            @ConfigProperty(name = "quarkus.http.proxy.trusted-proxies") Optional<List<String>> proxies) {
        this.forwarding = forwarding && xForwarded.orElse(false);
        for (String proxy : proxies.orElse(List.of())) {
            trusted.addAll(Cidr.parse(proxy.strip()));
        }
    }

    /** @return the client's normalised IP, or null when a proxy said it did not know it */
    public String of(HttpServerRequest request) {
        SocketAddress peer = request.connection() == null ? request.remoteAddress()
                : request.connection().remoteAddress();
        InetAddress address = peer == null ? null : literal(peer.hostAddress());
        if (address == null) {
            return null;
        }
        if (!forwarding || !trusted(address)) {
            return address.getHostAddress();
        }
        List<String> hops = new ArrayList<>();
        for (String header : request.headers().getAll("X-Forwarded-For")) {
            for (String hop : header.split(",")) {
                hops.add(hop.strip());
            }
        }
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = literal(withoutPort(hops.get(i)));
            if (hop == null) {
                return null;
            }
            address = hop;
            if (!trusted(hop)) {
                break;
            }
        }
        return address.getHostAddress();
    }

    /**
     * The part of an address that the per-IP limits count: an IPv4 address whole, an IPv6 address by its /64 (one
     * subscriber line gets a whole /64, so counting single IPv6 addresses would not limit anyone).
     */
    public static String limitKey(String ip) {
        if (ip == null) {
            return "unknown";
        }
        InetAddress address = literal(ip);
        if (address == null) {
            return "unknown";
        }
        byte[] bytes = address.getAddress();
        if (bytes.length == 4) {
            return address.getHostAddress();
        }
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < 8; i += 2) {
            prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
        }
        return prefix.append(":/64").toString();
    }

    /**
     * An address someone else reports (a backend signing up its visitor with an API key), in the form this class
     * returns.
     *
     * @return the normalised IP literal, or null when the text is none
     */
    public static String normalised(String text) {
        String candidate = text == null ? null : text.strip();
        // Dotted quads only: the resolver would also read "10.1" or "999.1.1.1" (as a legacy form, or a host name).
        if (candidate == null || !candidate.contains(":") && !DOTTED_QUAD.matcher(candidate).matches()) {
            return null;
        }
        InetAddress address = literal(candidate);
        return address == null ? null : address.getHostAddress();
    }

    private static final Pattern DOTTED_QUAD = Pattern
            .compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    private boolean trusted(InetAddress address) {
        for (Cidr cidr : trusted) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** "[2001:db8::1]:443" and "203.0.113.5:8080" carry a port; a bare IPv6 address has colons of its own. */
    private static String withoutPort(String hop) {
        if (hop.startsWith("[")) {
            int end = hop.indexOf(']');
            return end < 0 ? hop : hop.substring(1, end);
        }
        int colon = hop.indexOf(':');
        return colon > 0 && colon == hop.lastIndexOf(':') ? hop.substring(0, colon) : hop;
    }

    /** @return the address of an IP literal, IPv4-mapped IPv6 unmapped; null for anything else */
    static InetAddress literal(String text) {
        if (text == null) {
            return null;
        }
        String candidate = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (!LITERAL.matcher(candidate).matches() || !(candidate.contains(":") || candidate.contains("."))) {
            return null;
        }
        try {
            return InetAddress.getByName(candidate); // a literal: parsed, never looked up
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** One entry of the trusted proxies: an address, a CIDR range, or a host name resolved once at start-up. */
    record Cidr(byte[] network, int bits) {

        static List<Cidr> parse(String entry) {
            int slash = entry.indexOf('/');
            String host = slash < 0 ? entry : entry.substring(0, slash);
            InetAddress literal = literal(host);
            if (literal != null) {
                int bits = slash < 0 ? literal.getAddress().length * 8 : Integer.parseInt(entry.substring(slash + 1));
                return List.of(new Cidr(literal.getAddress(), bits));
            }
            try {
                List<Cidr> resolved = new ArrayList<>();
                for (InetAddress address : InetAddress.getAllByName(host)) {
                    resolved.add(new Cidr(address.getAddress(), address.getAddress().length * 8));
                }
                return resolved;
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("QUARKUS_HTTP_PROXY_TRUSTED_PROXIES: '" + entry
                        + "' is neither an address, a CIDR range nor a known host name");
            }
        }

        boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            int whole = bits / 8;
            for (int i = 0; i < whole; i++) {
                if (bytes[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            return rest == 0 || ((bytes[whole] ^ network[whole]) & (0xff << (8 - rest)) & 0xff) == 0;
        }
    }
}
