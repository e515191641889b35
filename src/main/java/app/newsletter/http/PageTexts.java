package app.newsletter.http;

import io.quarkus.qute.i18n.Message;
import io.quarkus.qute.i18n.MessageBundle;

/**
 * The shared page layout's and the failure page's words ({@code {page:…}}), in English here and in German, Spanish
 * and French in {@code messages/page_*.properties}. "Something went wrong." stays English in every language.
 */
@MessageBundle(value = "page", locale = "en")
public interface PageTexts {

    /** The page's {@code lang} attribute. */
    @Message("en")
    String lang();

    @Message("Newsletter")
    String defaultTitle();

    @Message("Go back to the previous page and try again.")
    String failureBack();
}
