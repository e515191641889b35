package app.newsletter.staff;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jakarta.ws.rs.core.MultivaluedMap;

import app.newsletter.http.ProblemException;
import app.newsletter.subscription.SubscriptionConfig;

/**
 * The filters of an export, from query parameters. Anything unknown — a parameter name, a status, a list, a date —
 * is refused: a typo must not silently export everybody.
 */
record ExportFilter(String list, List<String> statuses, List<String> events, LocalDate since, LocalDate until) {

    static final Set<String> STATUSES = Set.of("pending", "confirmed", "unsubscribed", "bounced", "complained");
    static final Set<String> EVENTS = Set.of("signup", "confirm", "unsubscribe", "bounce", "complaint");

    static ExportFilter parse(MultivaluedMap<String, String> query, Set<String> allowed, SubscriptionConfig config) {
        Map<String, String> errors = new LinkedHashMap<>();
        for (String name : query.keySet()) {
            if (!allowed.contains(name)) {
                errors.put(name, "Unknown filter '" + name + "'. Known filters: " + String.join(", ", allowed) + ".");
            }
        }
        String list = single(query, "list", errors);
        if (list != null && !config.lists().containsKey(list)) {
            errors.put("list", "There is no list called '" + list + "'.");
        }
        List<String> statuses = values(query, "status", STATUSES, errors);
        List<String> events = values(query, "event", EVENTS, errors);
        LocalDate since = date(single(query, "since", errors), "since", errors);
        LocalDate until = date(single(query, "until", errors), "until", errors);
        if (since != null && until != null && until.isBefore(since)) {
            errors.put("until", "'until' lies before 'since'.");
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(400, errors.size() == 1 ? errors.values().iterator().next()
                    : "Some filters are not valid.", errors);
        }
        return new ExportFilter(list, statuses, events, since, until);
    }

    /** For the audit log and the file name. */
    Map<String, Object> describe() {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("list", list);
        description.put("status", statuses);
        description.put("event", events);
        description.put("since", since == null ? null : since.toString());
        description.put("until", until == null ? null : until.toString());
        description.values().removeIf(v -> v == null || v instanceof List<?> l && l.isEmpty());
        return description;
    }

    private static String single(MultivaluedMap<String, String> query, String name, Map<String, String> errors) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty() || values.get(0).isBlank()) {
            return null;
        }
        if (values.size() > 1) {
            errors.put(name, "'" + name + "' may be given once.");
        }
        return values.get(0).strip();
    }

    private static List<String> values(MultivaluedMap<String, String> query, String name, Set<String> known,
            Map<String, String> errors) {
        List<String> result = new ArrayList<>();
        for (String raw : query.getOrDefault(name, List.of())) {
            for (String value : raw.split(",")) {
                String normalised = value.strip().toLowerCase(Locale.ROOT);
                if (normalised.isEmpty()) {
                    continue;
                }
                if (!known.contains(normalised)) {
                    errors.put(name, "Unknown " + name + " '" + value.strip() + "'. Use one of: "
                            + String.join(", ", known.stream().sorted().toList()) + ".");
                } else if (!result.contains(normalised)) {
                    result.add(normalised);
                }
            }
        }
        return result;
    }

    private static LocalDate date(String value, String name, Map<String, String> errors) {
        if (value == null) {
            return null;
        }
        try {
            LocalDate date = LocalDate.parse(value);
            // PostgreSQL's timestamps span other years than Java's dates; outside these the filter means nothing.
            if (date.getYear() >= 1900 && date.getYear() <= 9999) {
                return date;
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        errors.put(name, "'" + name + "' must be a date like 2026-01-31, between 1900-01-01 and 9999-12-31.");
        return null;
    }
}
