package app.newsletter.platform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

/** The shared digest gives the standard's answers, however often and however split its input. */
class Sha256Test {

    /** FIPS 180-2, appendix B.1. */
    private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @Test
    void hashes_the_standards_example() {
        assertEquals(ABC, Sha256.hex("abc"));
    }

    @Test
    void each_use_starts_afresh() {
        Sha256.of("left over".getBytes(StandardCharsets.UTF_8));
        assertEquals(ABC, Sha256.hex("abc"));
        assertEquals(ABC, Sha256.hex("abc"));
    }

    @Test
    void parts_hash_as_their_concatenation() {
        assertArrayEquals(HexFormat.of().parseHex(ABC), Sha256.of(new byte[] { 'a' }, new byte[] { 'b', 'c' }));
    }

    @Test
    void threads_do_not_share_a_digest() throws Exception {
        String[] seen = new String[8];
        Thread[] threads = new Thread[seen.length];
        for (int t = 0; t < threads.length; t++) {
            int i = t;
            threads[t] = new Thread(() -> {
                String last = null;
                for (int n = 0; n < 2_000; n++) {
                    last = Sha256.hex("abc");
                    if (!ABC.equals(last)) {
                        break;
                    }
                }
                seen[i] = last;
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        for (String hash : seen) {
            assertEquals(ABC, hash);
        }
    }
}
