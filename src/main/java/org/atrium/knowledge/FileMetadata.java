package org.atrium.knowledge;

import jakarta.servlet.http.Part;
import org.atrium.platform.AtriumException;
import org.atrium.platform.UntrustedText;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Key-value metadata of a file, given at upload or replaced later: a JSON object of strings, bounded so that what a
 * caller sends stays small (docs/limits.md). Keys are sorted, so that equal metadata is stored and answered alike.
 */
public final class FileMetadata {

    /** Most keys one file carries. */
    public static final int MAX_KEYS = 32;

    /** Longest key, in characters. */
    public static final int MAX_KEY_LENGTH = 64;

    /** Longest value, in characters. */
    public static final int MAX_VALUE_LENGTH = 512;

    /** Largest {@code metadata} multipart part, in bytes (room for 32 maximal entries, escaped). */
    public static final int MAX_PART_BYTES = 128 * 1024;

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.-]{1," + MAX_KEY_LENGTH + "}");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    private FileMetadata() {
    }

    /**
     * Checks metadata against the bounds.
     *
     * @param field    the request field, named in the failure
     * @param metadata the entries
     * @return the entries, sorted by key
     * @throws AtriumException {@code validation_failed} (400) naming the field, for the first rule broken
     */
    public static Map<String, String> validate(String field, Map<String, String> metadata) {
        if (metadata.size() > MAX_KEYS) {
            throw AtriumException.invalidField(field, "must have at most " + MAX_KEYS + " keys, not "
                    + metadata.size());
        }
        Map<String, String> sorted = new TreeMap<>();
        metadata.forEach((key, value) -> {
            if (key == null || !KEY.matcher(key).matches()) {
                throw AtriumException.invalidField(field, "keys must be 1 to " + MAX_KEY_LENGTH
                        + " characters of A-Z, a-z, 0-9, '_', '.' and '-'");
            }
            if (value == null) {
                throw AtriumException.invalidField(field, "the value of '" + key + "' must be a string");
            }
            if (value.length() > MAX_VALUE_LENGTH) {
                throw AtriumException.invalidField(field, "the value of '" + key + "' must be at most "
                        + MAX_VALUE_LENGTH + " characters");
            }
            UntrustedText.problem(value).ifPresent(problem -> {
                throw AtriumException.invalidField(field, "the value of '" + key + "' " + problem);
            });
            if (CONTROL.matcher(value).find()) {
                throw AtriumException.invalidField(field, "the value of '" + key
                        + "' must not contain control characters");
            }
            sorted.put(key, value);
        });
        return sorted;
    }

    /**
     * Reads metadata sent as a JSON object of strings (the {@code metadata} part of an upload).
     *
     * @param field the request field, named in the failure
     * @param json  the object, UTF-8
     * @param jsonMapper the mapper that parses it
     * @return the entries, checked and sorted by key
     * @throws AtriumException {@code validation_failed} (400) naming the field, when it is too large, not UTF-8, not
     *                         JSON, not an object, has a value that is not a string, or breaks a bound
     */
    public static Map<String, String> parse(String field, byte[] json, JsonMapper jsonMapper) {
        if (json.length > MAX_PART_BYTES) {
            throw AtriumException.invalidField(field, "must be at most " + MAX_PART_BYTES + " bytes");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(json)).toString();
        } catch (CharacterCodingException notUtf8) {
            throw AtriumException.invalidField(field, "must be UTF-8");
        }
        JsonNode tree;
        try {
            tree = jsonMapper.readTree(text);
        } catch (JacksonException notJson) {
            throw AtriumException.invalidField(field, "must be a JSON object of strings, for example"
                    + " {\"department\": \"physics\"}");
        }
        return fromTree(field, tree);
    }

    /**
     * Reads the {@code metadata} part of a multipart upload, bounded: the part is spooled, so only its first
     * {@link #MAX_PART_BYTES} + 1 bytes are ever read.
     *
     * @param part       the part, or {@code null} when the upload has none
     * @param jsonMapper the mapper that parses it
     * @return the entries, checked and sorted by key; none without a part
     * @throws AtriumException {@code validation_failed} (400) naming {@code metadata}, as {@link #parse}
     */
    public static Map<String, String> fromPart(@Nullable Part part, JsonMapper jsonMapper) {
        if (part == null) {
            return Map.of();
        }
        try (InputStream in = part.getInputStream()) {
            return parse("metadata", in.readNBytes(MAX_PART_BYTES + 1), jsonMapper);
        } catch (IOException unreadable) {
            throw new UncheckedIOException("Reading the metadata part failed", unreadable);
        }
    }

    /**
     * Reads metadata given as a parsed JSON value (the {@code metadata} of a JSON body).
     *
     * @param field the request field, named in the failure
     * @param tree  the value
     * @return the entries, checked and sorted by key
     * @throws AtriumException {@code validation_failed} (400) naming the field, when it is not an object, has a value
     *                         that is not a string, or breaks a bound
     */
    public static Map<String, String> fromTree(String field, @Nullable JsonNode tree) {
        if (tree == null || !tree.isObject()) {
            throw AtriumException.invalidField(field, "must be a JSON object of strings, for example"
                    + " {\"department\": \"physics\"}");
        }
        if (tree.size() > MAX_KEYS) {
            throw AtriumException.invalidField(field, "must have at most " + MAX_KEYS + " keys, not " + tree.size());
        }
        Map<String, String> entries = new TreeMap<>();
        for (Map.Entry<String, JsonNode> entry : tree.properties()) {
            if (!entry.getValue().isString()) {
                throw AtriumException.invalidField(field, "the value of '" + entry.getKey()
                        + "' must be a string, not " + entry.getValue().getNodeType().name().toLowerCase());
            }
            entries.put(entry.getKey(), entry.getValue().asString());
        }
        return validate(field, entries);
    }
}
