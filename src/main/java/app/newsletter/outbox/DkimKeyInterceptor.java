package app.newsletter.outbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;

/**
 * Lets the Quarkus mailer's own DKIM settings ({@code QUARKUS_MAILER_DKIM_PRIVATE_KEY_PATH} or
 * {@code QUARKUS_MAILER_DKIM_PRIVATE_KEY}) take the key the way operators hold it. The Vert.x signer reads only bare
 * base64 PKCS#8: handed a PEM file it failed at the first mail, inside whichever request first touched the mailer (every
 * signup answered 500 and the dispatcher failed each second). When DKIM is enabled, this answers
 * {@code quarkus.mailer.dkim.private-key} with the key read and converted by {@link DkimKeys}, so the signer gets what
 * it can read and never opens the file itself; a key that cannot be read fails the configuration, which stops start-up
 * with one line naming the setting.
 * <p>
 * A configuration interceptor rather than a mail client of our own: every other mailer setting (TLS, pool,
 * credentials) stays Quarkus's, exactly as documented. Registered in
 * {@code META-INF/services/io.smallrye.config.ConfigSourceInterceptor}.
 */
public class DkimKeyInterceptor implements ConfigSourceInterceptor {

    static final String ENABLED = "quarkus.mailer.dkim.enabled";
    static final String KEY = "quarkus.mailer.dkim.private-key";
    static final String KEY_PATH = "quarkus.mailer.dkim.private-key-path";

    private volatile String converted;

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        if (!KEY.equals(name)) {
            return value;
        }
        ConfigValue enabled = context.proceed(ENABLED);
        if (enabled == null || !"true".equalsIgnoreCase(String.valueOf(enabled.getValue()).strip())) {
            return value;
        }
        if (value != null && value.getValue() != null && !value.getValue().isBlank()) {
            return value.withValue(convert(value.getValue(), "QUARKUS_MAILER_DKIM_PRIVATE_KEY"));
        }
        ConfigValue path = context.proceed(KEY_PATH);
        if (path == null || path.getValue() == null || path.getValue().isBlank()) {
            return value; // the signer reports the missing key itself
        }
        String base64 = converted;
        if (base64 == null) {
            base64 = convert(read(path.getValue().strip()), "QUARKUS_MAILER_DKIM_PRIVATE_KEY_PATH (" + path.getValue()
                    + ")");
            converted = base64;
        }
        return path.withName(KEY).withValue(base64);
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("QUARKUS_MAILER_DKIM_PRIVATE_KEY_PATH: cannot read " + path + " ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
    }

    private static String convert(String key, String setting) {
        try {
            return DkimKeys.read(key).base64();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + ": " + e.getMessage());
        }
    }
}
