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
