package org.atrium.platform;

import java.util.Optional;

/**
 * Checks on text that comes from clients. Every string of every JSON request body passes {@link #problem} (the
 * JSON mapper refuses it otherwise), because PostgreSQL cannot store NUL and an unpaired surrogate is not text.
 * Display names are further held to {@link SafeDisplayName}.
 */
public final class UntrustedText {

    /**
     * What display names may not contain: control characters and the bidirectional embedding, override and isolate
     * characters (U+202A to U+202E, U+2066 to U+2069), which would let a name display as something it is not.
     */
    public static final String DISPLAY_NAME_PATTERN = "[^\\p{Cntrl}\\u202A-\\u202E\\u2066-\\u2069]*";

    private UntrustedText() {
    }

    /**
     * Holds a name people will see (a title, a collection's or a key's name) to the rules of {@link SafeDisplayName},
     * for callers that are not validated JSON bodies (the web interface's forms) as much as for those that are.
     *
     * @param field     the field's name, for the error
     * @param value     the name as sent
     * @param maxLength the most characters it may have once stripped
     * @return the name stripped of surrounding white space (it may be empty: callers that need a name say so)
     * @throws AtriumException {@code validation_failed} (400) naming the field
     */
    public static String displayName(String field, String value, int maxLength) {
        String stripped = value.strip();
        if (stripped.length() > maxLength) {
            throw AtriumException.invalidField(field, "must be at most " + maxLength + " characters");
        }
        if (!stripped.matches(DISPLAY_NAME_PATTERN)) {
            throw AtriumException.invalidField(field, "must not contain control characters or bidirectional"
                    + " override characters (U+202A to U+202E, U+2066 to U+2069)");
        }
        return stripped;
    }

    /**
     * Holds free text (a description) to a length and to what can be stored.
     *
     * @param field     the field's name, for the error
     * @param value     the text as sent
     * @param maxLength the most characters it may have once stripped
     * @return the text stripped of surrounding white space
     * @throws AtriumException {@code validation_failed} (400) naming the field
     */
    public static String text(String field, String value, int maxLength) {
        String stripped = value.strip();
        if (stripped.length() > maxLength) {
            throw AtriumException.invalidField(field, "must be at most " + maxLength + " characters");
        }
        problem(stripped).ifPresent(problem -> {
            throw AtriumException.invalidField(field, problem);
        });
        return stripped;
    }

    /**
     * @param value text from a client
     * @return why it cannot be stored, or empty when it can
     */
    public static Optional<String> problem(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\u0000') {
                return Optional.of("must not contain the NUL character (U+0000)");
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return Optional.of("must not contain unpaired surrogate characters");
            }
        }
        return Optional.empty();
    }
}
