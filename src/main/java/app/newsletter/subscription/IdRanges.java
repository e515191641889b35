package app.newsletter.subscription;

import java.util.List;

/** Ids as ranges for a log line: "7-9, 12" instead of one line per id. */
final class IdRanges {

    private IdRanges() {
    }

    static String of(List<Long> ids) {
        List<Long> sorted = ids.stream().sorted().toList();
        StringBuilder text = new StringBuilder();
        int i = 0;
        while (i < sorted.size()) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
                j++;
            }
            if (text.length() > 0) {
                text.append(", ");
            }
            text.append(sorted.get(i));
            if (j > i) {
                text.append('-').append(sorted.get(j));
            }
            i = j + 1;
        }
        return text.toString();
    }
}
