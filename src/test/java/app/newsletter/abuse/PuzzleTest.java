package app.newsletter.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The proof-of-work puzzle as a client meets it, honest or not: plain logic, no service needed. */
class PuzzleTest {

    private static final byte[] KEY = "a test key of thirty-two bytes!!".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long NOW = 1_800_000_000L;
    private static final int MAX = 500;
    private static final String NOT_VALID = "The anti-bot proof is not valid. Please reload the page and try again.";

    private static Puzzle.Verdict check(String listId, String payload, long now) {
        return Puzzle.check(KEY, JSON, listId, payload, now, MAX);
    }

    private static int solve(Puzzle.Issued puzzle) {
        for (int n = 0; n <= puzzle.maxNumber(); n++) {
            if (Puzzle.sha256(puzzle.salt() + n).equals(puzzle.challenge())) {
                return n;
            }
        }
        throw new AssertionError("puzzle without a solution");
    }

    private static String payload(String challenge, String salt, long number, String signature) {
        String json = "{\"algorithm\":\"SHA-256\",\"challenge\":\"" + challenge + "\",\"number\":" + number
                + ",\"salt\":\"" + salt + "\",\"signature\":\"" + signature + "\"}";
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String honest(Puzzle.Issued puzzle) {
        return payload(puzzle.challenge(), puzzle.salt(), solve(puzzle), puzzle.signature());
    }

    @Test
    void an_honest_solution_before_its_expiry_is_genuine_and_names_the_nonce_to_spend() {
        Puzzle.Issued puzzle = Puzzle.issue(KEY, "main", NOW + 600, MAX);
        Puzzle.Verdict verdict = check("main", honest(puzzle), NOW + 600);
        assertNull(verdict.refusal());
        assertEquals(puzzle.salt().substring(0, 24), verdict.nonce());
        assertEquals(NOW + 600, verdict.expires());
    }

    @Test
    void an_honest_solution_after_its_expiry_is_refused() {
        Puzzle.Issued puzzle = Puzzle.issue(KEY, "main", NOW, MAX);
        assertEquals("The anti-bot proof has expired. Please try again.",
                check("main", honest(puzzle), NOW + 1).refusal());
    }

    @Test
    void digits_of_the_number_spliced_onto_the_salt_to_push_the_expiry_out_are_refused() {
        Puzzle.Issued puzzle = Puzzle.issue(KEY, "main", NOW, MAX);
        // A one-digit solution (1 puzzle in 50) has no digit to splice: the payload would be the honest one, refused
        // only as expired (CI met that once).
        while (solve(puzzle) < 10) {
            puzzle = Puzzle.issue(KEY, "main", NOW, MAX);
        }
        String number = Integer.toString(solve(puzzle));
        // salt + number stays the same string, so the hash still matches; only the signature can catch it.
        String salt = puzzle.salt() + number.substring(0, number.length() - 1);
        String spliced = payload(puzzle.challenge(), salt, Long.parseLong(number.substring(number.length() - 1)),
                puzzle.signature());
        assertEquals(NOT_VALID, check("main", spliced, NOW + 1).refusal());
    }

    @Test
    void a_solution_for_another_list_a_wrong_number_or_a_forged_signature_is_refused() {
        Puzzle.Issued puzzle = Puzzle.issue(KEY, "main", NOW + 600, MAX);
        assertEquals("The anti-bot proof was made for another list. Please reload the page and try again.",
                check("other", honest(puzzle), NOW).refusal());
        int right = solve(puzzle);
        assertEquals(NOT_VALID, check("main", payload(puzzle.challenge(), puzzle.salt(), (right + 1) % (MAX + 1),
                puzzle.signature()), NOW).refusal());
        assertEquals(NOT_VALID, check("main", payload(puzzle.challenge(), puzzle.salt(), right,
                "0".repeat(64)), NOW).refusal());
        Puzzle.Issued foreignKey = Puzzle.issue("another installation's key!!!!!!".getBytes(StandardCharsets.US_ASCII),
                "main", NOW + 600, MAX);
        assertEquals(NOT_VALID, check("main", honest(foreignKey), NOW).refusal());
    }

    @Test
    void a_number_above_the_puzzles_range_is_refused_even_with_a_matching_hash() {
        // A client that solves a puzzle it made itself with a larger range gains nothing: the range is checked.
        Puzzle.Issued wide = Puzzle.issue(KEY, "main", NOW + 600, MAX * 100);
        int number = solve(wide);
        Puzzle.Verdict verdict = check("main", honest(wide), NOW);
        assertEquals(number <= MAX ? null : NOT_VALID, verdict.refusal());
    }

    @Test
    void a_missing_or_unreadable_payload_is_refused_with_what_to_do() {
        assertEquals("This form needs JavaScript to prove it is not a bot. Please enable it and try again.",
                check("main", null, NOW).refusal());
        assertEquals("This form needs JavaScript to prove it is not a bot. Please enable it and try again.",
                check("main", "  ", NOW).refusal());
        assertEquals("The anti-bot proof could not be read. Please reload the page and try again.",
                check("main", "not base64 %%", NOW).refusal());
        assertEquals(NOT_VALID, check("main", Base64.getEncoder().encodeToString("{}".getBytes()), NOW).refusal());
    }
}
