package app.newsletter.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import app.newsletter.abuse.AbuseConfig;
import app.newsletter.ebook.EbookConfig;
import app.newsletter.outbox.OutboxConfig;
import app.newsletter.staff.StaffConfig;
import app.newsletter.subscription.SubscriptionConfig;
import io.smallrye.config.ConfigMappings;

/**
 * Every variable that {@code docker-compose.yml} gives the {@code app} service must be a configuration key the
 * service reads at run time: a misspelt name ({@code NEWSLETTER_RATELIMIT_ENABLED}) is silently ignored by the
 * service, and a build-time Quarkus key set in the environment changes nothing in the built image.
 * <p>
 * The known keys come from the service's own {@link SubscriptionConfig} mapping (SmallRye Config's mapping metadata,
 * with {@code *} for map keys such as list ids) and from the configuration model that every Quarkus extension ships
 * ({@code META-INF/quarkus-config-doc/quarkus-config-model.json}: each property, its environment variable and its
 * phase). An environment name is mapped back to a property by the rule SmallRye Config applies the other way round:
 * upper case, every character other than a letter or digit as {@code _}; a map key (a list id, a user name) stands
 * for any name.
 */
class ComposeFileTest {

    private static final Path COMPOSE = Path.of("docker-compose.yml");

    private static final KnownKeys KEYS = KnownKeys.load();

    @Test
    void every_variable_of_the_app_service_is_a_runtime_configuration_key() throws IOException {
        Map<String, String> environment = appEnvironment(COMPOSE);
        assertTrue(environment.containsKey("QUARKUS_DATASOURCE_JDBC_URL"), "app environment not found: " + environment);

        List<String> problems = KEYS.check(environment.keySet());

        assertEquals(List.of(), problems, "docker-compose.yml sets variables the service does not read");
    }

    @Test
    void a_misspelt_or_unknown_name_is_reported() {
        List<String> problems = KEYS.check(List.of("NEWSLETTER_RATELIMIT_ENABLED",
                "NEWSLETTER_LISTS_PEPTIDE_EVOLUTION_TITLE", "QUARKUS_MAILER_HOSTNAME", "QUARKUS_DATASOURCE_URL"));

        assertEquals(4, problems.size(), String.join("\n", problems));
        assertTrue(problems.get(0).startsWith("NEWSLETTER_RATELIMIT_ENABLED: no configuration key"), problems.get(0));
        assertTrue(problems.get(0).contains("NEWSLETTER_RATE_LIMIT_ENABLED"), "suggests the right name: "
                + problems.get(0));
        assertTrue(problems.get(1).startsWith("NEWSLETTER_LISTS_PEPTIDE_EVOLUTION_TITLE: no configuration key"));
        assertTrue(problems.get(2).startsWith("QUARKUS_MAILER_HOSTNAME: no configuration key"));
        assertTrue(problems.get(3).startsWith("QUARKUS_DATASOURCE_URL: no configuration key"));
    }

    @Test
    void a_build_time_key_is_reported_because_the_environment_cannot_change_it() {
        List<String> problems = KEYS.check(List.of("QUARKUS_DATASOURCE_DB_KIND", "QUARKUS_HTTP_AUTH_BASIC"));

        assertEquals(2, problems.size(), String.join("\n", problems));
        assertTrue(problems.get(0).contains("quarkus.datasource.db-kind is fixed at build time"), problems.get(0));
    }

    @Test
    void real_names_map_to_their_properties_including_map_keys() {
        assertEquals(Optional.of("newsletter.rate-limit.enabled"), KEYS.propertyOf("NEWSLETTER_RATE_LIMIT_ENABLED"));
        assertEquals(Optional.of("newsletter.lists.*.display-name"),
                KEYS.propertyOf("NEWSLETTER_LISTS_PEPTIDE_EVOLUTION_DISPLAY_NAME"));
        assertEquals(Optional.of("newsletter.outbox.sent-body-retention"),
                KEYS.propertyOf("NEWSLETTER_OUTBOX_SENT_BODY_RETENTION"));
        assertEquals(Optional.of("quarkus.datasource.jdbc.url"), KEYS.propertyOf("QUARKUS_DATASOURCE_JDBC_URL"));
        assertEquals(Optional.of("newsletter.staff.users.*.password-hash"),
                KEYS.propertyOf("NEWSLETTER_STAFF_USERS_ALICE_PASSWORD_HASH"));
        assertEquals(List.of(), KEYS.check(List.of("NEWSLETTER_LISTS_PEPTIDE_EVOLUTION_DISPLAY_NAME",
                "NEWSLETTER_OUTBOX_LEASE", "QUARKUS_HTTP_PORT", "QUARKUS_MAILER_START_TLS",
                "NEWSLETTER_STAFF_USERS_ALICE_ROLES", "QUARKUS_LOG_CONSOLE_JSON_ENABLED")));
    }

    /** The {@code environment:} of the {@code app} service, in map or in list ({@code KEY=value}) form. */
    @SuppressWarnings("unchecked")
    static Map<String, String> appEnvironment(Path compose) throws IOException {
        Map<String, Object> root;
        try (Reader reader = Files.newBufferedReader(compose)) {
            root = new Yaml().load(reader);
        }
        Map<String, Object> services = (Map<String, Object>) root.get("services");
        Map<String, Object> app = (Map<String, Object>) services.get("app");
        Object environment = app.get("environment");
        Map<String, String> result = new LinkedHashMap<>();
        if (environment instanceof Map<?, ?> map) {
            map.forEach((k, v) -> result.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
        } else if (environment instanceof List<?> list) {
            for (Object entry : list) {
                String[] pair = String.valueOf(entry).split("=", 2);
                result.put(pair[0], pair.length > 1 ? pair[1] : null);
            }
        }
        return result;
    }

    /** Every configuration key of the service, as environment-variable patterns. */
    static final class KnownKeys {

        private record Key(String property, Pattern env, boolean runtime) {
        }

        private final List<Key> keys;

        private KnownKeys(List<Key> keys) {
            this.keys = keys;
        }

        static KnownKeys load() {
            List<Key> keys = new ArrayList<>();
            for (ConfigMappings.ConfigClass mapping : List.of(
                    new ConfigMappings.ConfigClass(SubscriptionConfig.class, "newsletter"),
                    new ConfigMappings.ConfigClass(AbuseConfig.class, "newsletter"),
                    new ConfigMappings.ConfigClass(EbookConfig.class, "newsletter"),
                    new ConfigMappings.ConfigClass(OutboxConfig.class, "newsletter.outbox"),
                    new ConfigMappings.ConfigClass(StaffConfig.class, "newsletter.staff"))) {
                ConfigMappings.getProperties(mapping).keySet().forEach(property -> keys.add(key(property, true)));
            }
            try {
                for (URL model : Collections.list(KnownKeys.class.getClassLoader()
                        .getResources("META-INF/quarkus-config-doc/quarkus-config-model.json"))) {
                    try (InputStream in = model.openStream()) {
                        for (JsonNode root : new ObjectMapper().readTree(in).path("configRoots")) {
                            collect(root.path("items"), keys);
                        }
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            long newsletter = keys.stream().filter(k -> k.property().startsWith("newsletter.")).count();
            long quarkus = keys.size() - newsletter;
            // Guards against a vacuous pass: both sources must have been found.
            assertTrue(newsletter > 20, "the service's own keys: " + newsletter);
            assertTrue(quarkus > 500, "Quarkus keys: " + quarkus);
            return new KnownKeys(keys);
        }

        private static void collect(JsonNode items, List<Key> keys) {
            for (JsonNode item : items) {
                if (item.has("items")) {
                    collect(item.path("items"), keys);
                    continue;
                }
                boolean runtime = "RUN_TIME".equals(item.path("phase").asText());
                keys.add(key(item.path("path").path("property").asText(), runtime));
                for (JsonNode path : item.path("additionalPaths")) {
                    keys.add(key(path.path("property").asText(), runtime));
                }
            }
        }

        /**
         * A property as the environment spells it. Map keys ({@code *} in SmallRye's metadata, {@code "name"} in
         * Quarkus' model) become "any name".
         */
        private static Key key(String property, boolean runtime) {
            String normalized = property.replaceAll("\"[^\"]*\"", "*");
            StringBuilder regex = new StringBuilder();
            for (String part : normalized.split("\\*", -1)) {
                if (!regex.isEmpty()) {
                    regex.append("[A-Z0-9_]+");
                }
                regex.append(Pattern.quote(part.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_")));
            }
            return new Key(normalized, Pattern.compile(regex.toString()), runtime);
        }

        /** The property an environment variable stands for, if any; exact names win over map-key patterns. */
        Optional<String> propertyOf(String env) {
            return find(env).map(Key::property);
        }

        private Optional<Key> find(String env) {
            return keys.stream().filter(k -> k.env().matcher(env).matches())
                    .min((a, b) -> Long.compare(wildcards(a), wildcards(b)));
        }

        private static long wildcards(Key key) {
            return key.property().chars().filter(c -> c == '*').count();
        }

        /** One line per variable the service would ignore. */
        List<String> check(Iterable<String> names) {
            List<String> problems = new ArrayList<>();
            for (String env : names) {
                Optional<Key> key = find(env);
                if (key.isEmpty()) {
                    problems.add(env + ": no configuration key of the service has this name" + suggestion(env));
                } else if (!key.get().runtime()) {
                    problems.add(env + ": " + key.get().property()
                            + " is fixed at build time; setting it in the environment changes nothing");
                }
            }
            return problems;
        }

        /** The known name that differs only in underscores (RATELIMIT for RATE_LIMIT), if there is one. */
        private String suggestion(String env) {
            String squeezed = env.replace("_", "");
            Map<String, String> candidates = new TreeMap<>();
            for (Key key : keys) {
                if (!key.property().contains("*")) {
                    String name = key.property().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
                    if (name.replace("_", "").equals(squeezed)) {
                        candidates.put(name, key.property());
                    }
                }
            }
            return candidates.isEmpty() ? "" : " (did you mean " + String.join(" or ", candidates.keySet()) + "?)";
        }
    }
}
