package app.newsletter.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class IdRangesTest {

    @Test
    void consecutive_ids_become_ranges_in_order() {
        assertEquals("7-9, 12, 20-21", IdRanges.of(List.of(12L, 8L, 7L, 9L, 21L, 20L)));
        assertEquals("5", IdRanges.of(List.of(5L)));
        assertEquals("", IdRanges.of(List.of()));
    }

    @Test
    void large_ids_are_compared_by_value() {
        assertEquals("1000000-1000001", IdRanges.of(List.of(1_000_001L, 1_000_000L)));
    }
}
