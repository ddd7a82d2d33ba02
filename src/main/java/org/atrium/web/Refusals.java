package org.atrium.web;

import org.atrium.platform.AtriumException;

/** How a page says why a service refused what its form asked. */
final class Refusals {

    private Refusals() {
    }

    /**
     * @param refused a service's refusal
     * @return it as the end of a sentence: "the name must not be blank."
     */
    static String sentence(AtriumException refused) {
        String message = refused.getMessage();
        String said = refused.field() == null ? message : "the " + refused.field() + " " + message;
        return said.endsWith(".") ? said : said + ".";
    }
}
