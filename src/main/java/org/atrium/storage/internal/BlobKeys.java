package org.atrium.storage.internal;

/**
 * The key rules of {@link org.atrium.storage.BlobStore}, in one place for both stores. The rules are strict on
 * purpose: a valid key maps to a path inside the local store's directory on every file system, and the local store
 * can name its temporary files with a character ({@code ~}) that no key contains.
 */
final class BlobKeys {

    /** S3's own limit on key length (in bytes; keys here are ASCII, so characters). */
    static final int MAX_LENGTH = 1024;

    private BlobKeys() {
    }

    /**
     * @param key a candidate key
     * @return the key, when valid
     * @throws IllegalArgumentException when it is not
     */
    static String requireValidKey(String key) {
        if (!isValidKey(key)) {
            throw new IllegalArgumentException("not a valid storage key: \"" + printable(key)
                    + "\" (1 to 1024 characters from [A-Za-z0-9/_.-], no leading or trailing /, no empty or . "
                    + "segment, no ..)");
        }
        return key;
    }

    /**
     * @param prefix a candidate list prefix
     * @return the prefix, when valid
     * @throws IllegalArgumentException when it is not
     */
    static String requireValidPrefix(String prefix) {
        if (prefix.isEmpty()) {
            return prefix;
        }
        boolean valid = prefix.length() <= MAX_LENGTH && allowedCharacters(prefix) && !prefix.startsWith("/")
                && !prefix.contains("..") && !prefix.contains("//");
        if (!valid) {
            throw new IllegalArgumentException("not a valid storage key prefix: \"" + printable(prefix)
                    + "\" (characters from [A-Za-z0-9/_.-], no leading /, no //, no ..)");
        }
        return prefix;
    }

    /**
     * @param key a candidate key
     * @return whether it follows the key rules
     */
    static boolean isValidKey(String key) {
        if (key.isEmpty() || key.length() > MAX_LENGTH || !allowedCharacters(key) || key.contains("..")) {
            return false;
        }
        for (String segment : key.split("/", -1)) {
            // Empty covers a leading or trailing slash and "//".
            if (segment.isEmpty() || segment.equals(".")) {
                return false;
            }
        }
        return true;
    }

    private static boolean allowedCharacters(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '/' || c == '_' || c == '.' || c == '-';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /** Keeps exception messages to one readable line whatever a caller passed. */
    private static String printable(String value) {
        String shortened = value.length() > 200 ? value.substring(0, 200) + "..." : value;
        return shortened.replaceAll("\\p{Cntrl}", "?");
    }
}
