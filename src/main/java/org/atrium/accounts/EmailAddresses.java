package org.atrium.accounts;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The one normalisation of e-mail addresses, applied by {@link UserStore} to every address it stores or looks up, so
 * that the existence check, the insert and sign-in can never disagree: Unicode compatibility normalisation (NFKC,
 * which also turns exotic spaces and full-width letters into their plain forms), surrounding white space removed,
 * lower case.
 */
final class EmailAddresses {

    /** The longest address accepted anywhere (RFC 5321's 64-octet local part, "@" and 255-octet domain). */
    static final int MAX_LENGTH = 320;

    private EmailAddresses() {
    }

    /**
     * @param email an address as a client sent it
     * @return the address as stored and compared
     */
    static String normalize(String email) {
        return Normalizer.normalize(email, Normalizer.Form.NFKC).strip().toLowerCase(Locale.ROOT);
    }
}
