package org.atrium.web;

import org.atrium.platform.AtriumException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.ui.Model;

import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * What the pages' forms share: reading an id a form sent, saying why a service refused what a form asked, leaving a
 * page whose subject is gone, and carrying a refused settings form back to its page.
 */
final class Forms {

    private Forms() {
    }

    /**
     * @param refused a service's refusal
     * @return it as the end of a sentence: "the name must not be blank."
     */
    static String refusal(AtriumException refused) {
        String message = refused.getMessage();
        String said = refused.field() == null ? message : "the " + refused.field() + " " + message;
        return said.endsWith(".") ? said : said + ".";
    }

    /**
     * @param value a form field's value
     * @param field the field's name, for the error
     * @return the id it holds
     * @throws AtriumException {@code validation_failed} (400) when it is not an id
     */
    static UUID id(String value, String field) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException notAnId) {
            throw AtriumException.invalidField(field, "must be an id");
        }
    }

    /**
     * Does a page's action and gives the page it leads to; when what it acts on is gone (or is not the caller's to
     * see: the same answer, so nobody learns which), sends the browser to the list it was in instead.
     *
     * @param action   the action, giving the page it leads to
     * @param notFound the code of the refusal that says the thing is gone ({@code group_not_found})
     * @param list     where to go instead ({@code redirect:/settings})
     * @return the page
     */
    static String unlessGone(Supplier<String> action, String notFound, String list) {
        try {
            return action.get();
        } catch (AtriumException missing) {
            if (missing.status() == HttpStatus.NOT_FOUND && notFound.equals(missing.code())) {
                return list;
            }
            throw missing;
        }
    }

    /** The model attribute that carries a settings form's fields back to a page that refused them. */
    static final String SUBMITTED_SETTINGS = "submittedSettings";

    /**
     * @param model a page's model
     * @return the settings form a refusal put there, or {@code null}
     */
    @SuppressWarnings("unchecked")
    static @Nullable Map<String, String> submittedSettings(Model model) {
        return (Map<String, String>) model.getAttribute(SUBMITTED_SETTINGS);
    }
}
