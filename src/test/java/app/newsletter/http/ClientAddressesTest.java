package app.newsletter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClientAddressesTest {

    @Test
    void limit_keys_count_ipv4_whole_ipv6_per_64_and_unknown_as_one() {
        assertEquals("203.0.113.5", ClientAddresses.limitKey("203.0.113.5"));
        assertEquals("2001:db8:1:2::/64", ClientAddresses.limitKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd"));
        assertEquals("2001:db8:1:2::/64", ClientAddresses.limitKey("2001:db8:1:2::1"));
        assertEquals("203.0.113.5", ClientAddresses.limitKey("::ffff:203.0.113.5"));
        assertEquals("unknown", ClientAddresses.limitKey(null));
        assertEquals("unknown", ClientAddresses.limitKey("unknown"));
    }

    @Test
    void only_ip_literals_are_addresses_and_no_name_is_ever_looked_up() {
        assertNull(ClientAddresses.literal("unknown"));
        assertNull(ClientAddresses.literal("localhost"));
        assertNull(ClientAddresses.literal("example.com"));
        assertNull(ClientAddresses.literal("1.2.3.4; drop"));
        assertEquals("203.0.113.5", ClientAddresses.literal("[::ffff:203.0.113.5]").getHostAddress());
    }

    @Test
    void trusted_ranges_match_by_prefix() {
        ClientAddresses.Cidr ten = ClientAddresses.Cidr.parse("10.0.0.0/8").get(0);
        assertTrue(ten.contains(ClientAddresses.literal("10.200.3.4")));
        assertFalse(ten.contains(ClientAddresses.literal("11.0.0.1")));
        assertFalse(ten.contains(ClientAddresses.literal("2001:db8::1")));
        ClientAddresses.Cidr odd = ClientAddresses.Cidr.parse("192.168.4.0/22").get(0);
        assertTrue(odd.contains(ClientAddresses.literal("192.168.7.255")));
        assertFalse(odd.contains(ClientAddresses.literal("192.168.8.0")));
        assertTrue(ClientAddresses.Cidr.parse("127.0.0.1").get(0).contains(ClientAddresses.literal("127.0.0.1")));
    }
}
