package app.newsletter.http;

import java.util.Collection;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/** The page every failed form or page request ends in, whatever the feature. */
@CheckedTemplate(basePath = "WebPages")
public class WebPages {

    /** "Something went wrong." with what to do about it. */
    public static native TemplateInstance failure(String detail, Collection<String> errors);
}
