package app.newsletter.ebook;

import java.util.Map;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Each list's ebook ({@code NEWSLETTER_LISTS_<ID>_EBOOK_*}): what the download link delivers. */
@ConfigMapping(prefix = "newsletter")
public interface EbookConfig {

    /** Each list's ebook, by list id. */
    Map<String, Ebook> lists();

    /** One list's ebook. */
    interface Ebook {
        /** Title of the free ebook delivered after confirmation. */
        String ebookTitle();

        /**
         * Where the ebook comes from: a file path or {@code classpath:} resource that the service serves itself, or an
         * {@code http(s)://} URL it redirects to.
         */
        String ebookSource();

        /** File name offered to the browser when the service serves the ebook itself. */
        @WithDefault("ebook.pdf")
        String ebookFileName();
    }
}
