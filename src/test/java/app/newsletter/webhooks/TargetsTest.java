package app.newsletter.webhooks;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Plain unit tests: which addresses count as internal for the SSRF guard. */
class TargetsTest {

    @ParameterizedTest
    @ValueSource(strings = { "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.254", "192.168.1.1",
            "169.254.169.254", "100.64.0.1", "100.127.255.255", "0.0.0.0", "224.0.0.1", "255.255.255.255",
            "198.18.0.1", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
            "::ffff:169.254.169.254" })
    void internal_addresses_are_refused(String address) throws Exception {
        assertTrue(Targets.internal(InetAddress.getByName(address)), address);
    }

    @ParameterizedTest
    @ValueSource(strings = { "93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "192.0.3.1",
            "2606:4700:4700::1111", "::ffff:8.8.8.8" })
    void public_addresses_are_allowed(String address) throws Exception {
        assertFalse(Targets.internal(InetAddress.getByName(address)), address);
    }

    @ParameterizedTest
    @ValueSource(strings = { "localhost", "127.0.0.1" })
    void a_host_name_is_judged_by_what_it_resolves_to(String host) throws Exception {
        assertNotNull(Targets.firstInternal(host));
        assertNull(Targets.firstInternal("8.8.8.8"));
    }
}
