package app.newsletter.bounces;

import java.util.List;

import jakarta.ws.rs.core.HttpHeaders;

/** One relay's webhook format: proves the call came from the relay, then reads its reports. */
interface RelayHook {

    /** The {@code {relay}} of {@code POST /hooks/bounces/{relay}}. */
    String name();

    /** Whether its secret is configured; an unconfigured hook does not exist (404). */
    boolean configured();

    /**
     * @param body the raw bytes, as signed
     * @throws HookRefused when the call is forged or unreadable
     */
    List<Report> read(HttpHeaders headers, byte[] body);
}
