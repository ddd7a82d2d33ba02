package org.atrium.providers;

import org.jspecify.annotations.Nullable;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One part of a message's content: text, or an image given as a data URL or an http(s) URL. */
public sealed interface ContentPart {

    /**
     * Text.
     *
     * @param text the text
     */
    record Text(String text) implements ContentPart {
        /** Requires the text. */
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * An image.
     *
     * @param url a {@code data:image/...;base64,...} URL or an {@code http(s)} URL
     */
    record Image(String url) implements ContentPart {

        private static final Pattern DATA = Pattern.compile("data:(image/[a-zA-Z0-9.+-]+);base64,(.+)",
                Pattern.DOTALL);

        /** Requires a data or http(s) URL. */
        public Image {
            Objects.requireNonNull(url, "url");
            String lower = url.toLowerCase(Locale.ROOT);
            if (!(lower.startsWith("data:") || lower.startsWith("https://") || lower.startsWith("http://"))) {
                throw new IllegalArgumentException("An image is a data URL or an http(s) URL");
            }
        }

        /** @return the media type and base64 data of a data URL, or null for an http(s) URL */
        public @Nullable Inline inline() {
            Matcher matcher = DATA.matcher(url);
            return matcher.matches() ? new Inline(matcher.group(1).toLowerCase(Locale.ROOT), matcher.group(2)) : null;
        }

        /**
         * An image's bytes as a data URL carries them.
         *
         * @param mediaType for example {@code image/png}
         * @param base64    the bytes, base64-encoded
         */
        public record Inline(String mediaType, String base64) {
        }
    }
}
