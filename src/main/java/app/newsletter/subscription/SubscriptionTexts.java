package app.newsletter.subscription;

import io.quarkus.qute.i18n.Message;
import io.quarkus.qute.i18n.MessageBundle;

/**
 * What the subscription's pages and mails say, in English here and in German, Spanish and French in
 * {@code messages/sub_*.properties}; templates read them as {@code {sub:…}}. The two outcome sentences ("Thank you
 * for subscribing." and "Something went wrong.") are not here: they stay English in every language, as forms and
 * integrations match them.
 */
@MessageBundle(value = "sub", locale = "en")
interface SubscriptionTexts {

    /** The page's and mail's {@code lang} attribute. */
    @Message("en")
    String lang();

    @Message("Confirm your subscription")
    String confirmTitle();

    @Message("Confirm your subscription to {listName}")
    String confirmHeading(String listName);

    @Message("Confirm my subscription")
    String confirmButton();

    @Message("Press the button to confirm.")
    String confirmNoscript();

    @Message("Subscription confirmed")
    String confirmedTitle();

    @Message("You're subscribed to {listName}.")
    String confirmedHeading(String listName);

    @Message("Thank you for confirming. Here is your free ebook:")
    String confirmedEbook();

    @Message("Download the ebook")
    String downloadButton();

    @Message("We have also sent you the link by email, so you can download it later.")
    String confirmedMailed();

    @Message("Unsubscribe")
    String unsubscribeTitle();

    @Message("Unsubscribe from {listName}?")
    String unsubscribeHeading(String listName);

    @Message("You will receive no more mail from this list.")
    String unsubscribeText();

    @Message("Unsubscribe")
    String unsubscribeButton();

    @Message("Unsubscribed")
    String unsubscribedTitle();

    @Message("You have been unsubscribed.")
    String unsubscribedHeading();

    @Message("You will receive no more mail from {listName}. Changed your mind? Simply sign up again.")
    String unsubscribedText(String listName);

    @Message("We have sent you an email. Please click the link in it to confirm your subscription to {listName} and to receive your free ebook.")
    String thanksSent(String listName);

    @Message("Nothing arrived after a few minutes? Look in your spam folder.")
    String thanksSpam();

    @Message("Hello{#if name} {name}{/if},")
    String mailHello(String name);

    @Message("Please confirm your subscription to {listName}")
    String mailConfirmSubject(String listName);

    @Message("please confirm that you want to receive the {listName} newsletter. Once you confirm, your free ebook \"{ebookTitle}\" is ready to download.")
    String mailConfirmText(String listName, String ebookTitle);

    @Message("If the button does not work, copy this link into your browser:")
    String mailLinkFallback();

    @Message("If you did not sign up, ignore this mail: without your confirmation you will receive nothing more.")
    String mailIgnore();

    @Message("Your free ebook: {ebookTitle}")
    String mailEbookSubject(String ebookTitle);

    @Message("thank you for subscribing to {listName}. Here is your free ebook, \"{ebookTitle}\":")
    String mailEbookText(String listName, String ebookTitle);

    @Message("You receive this mail because you subscribed to {listName}.")
    String mailEbookFooter(String listName);
}
