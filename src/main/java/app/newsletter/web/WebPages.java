package app.newsletter.web;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import java.util.Collection;

/** The two answers every form ends in. */
@CheckedTemplate(basePath = "WebPages")
public class WebPages {

    /** "Thank you for subscribing." */
    public static native TemplateInstance thanks(String listName);

    /** "Something went wrong." with what to do about it. */
    public static native TemplateInstance failure(String detail, Collection<String> errors);
}
