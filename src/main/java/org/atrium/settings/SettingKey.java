package org.atrium.settings;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every setting, with its type, how values from several groups merge, whether users may override it, and its
 * built-in default (what the instance layer means when it does not set the key). See {@code docs/settings.md}.
 */
public enum SettingKey {

    DEFAULT_MODEL("defaultModel", Type.STRING, Merge.PRIORITY, true, null),
    SYSTEM_PROMPT("systemPrompt", Type.STRING, Merge.PRIORITY, true, text("")),
    ALLOWED_MODELS("allowedModels", Type.STRING_LIST, Merge.UNION, false, list("*")),
    AUTOCOMPLETION("features.autocompletion", Type.BOOLEAN, Merge.PRIORITY, true, bool(false)),
    TITLE_GENERATION("features.titleGeneration", Type.BOOLEAN, Merge.PRIORITY, true, bool(true)),
    TITLE_MODEL("features.titleModel", Type.STRING, Merge.PRIORITY, false, text("gemini-2.5-flash-lite")),
    QUERY_GENERATION("features.queryGeneration", Type.BOOLEAN, Merge.PRIORITY, true, bool(true)),
    QUERY_MODEL("features.queryModel", Type.STRING, Merge.PRIORITY, false, null),
    UPLOAD_FILES("permissions.uploadFiles", Type.BOOLEAN, Merge.ANY, false, bool(true)),
    CREATE_COLLECTIONS("permissions.createCollections", Type.BOOLEAN, Merge.ANY, false, bool(true)),
    CREATE_API_KEYS("permissions.createApiKeys", Type.BOOLEAN, Merge.ANY, false, bool(true)),
    OVERRIDE_SETTINGS("permissions.overrideSettings", Type.BOOLEAN, Merge.ANY, false, bool(true)),
    TOKENS_PER_DAY("quotas.tokensPerDay", Type.INTEGER, Merge.PRIORITY, false, null),
    REQUESTS_PER_MINUTE("quotas.requestsPerMinute", Type.INTEGER, Merge.PRIORITY, false, null),
    EMBEDDING_CONNECTION("embedding.connection", Type.STRING, Merge.PRIORITY, false, null),
    EMBEDDING_MODEL("embedding.model", Type.STRING, Merge.PRIORITY, false, null);

    /** Value types. */
    public enum Type { STRING, BOOLEAN, INTEGER, STRING_LIST }

    /** How a member of several groups gets one value. */
    public enum Merge {
        /** The user's override (when allowed), else the highest-priority group that sets it, else the instance. */
        PRIORITY,
        /** Granted when the instance default or any of the user's groups grants it. */
        ANY,
        /** The union of the lists of the groups that set it; the instance's list when none does. */
        UNION
    }

    private final String key;
    private final Type type;
    private final Merge merge;
    private final boolean userOverridable;
    private final @Nullable JsonNode builtInDefault;

    SettingKey(String key, Type type, Merge merge, boolean userOverridable, @Nullable JsonNode builtInDefault) {
        this.key = key;
        this.type = type;
        this.merge = merge;
        this.userOverridable = userOverridable;
        this.builtInDefault = builtInDefault;
    }

    /** @return the key as used in the API and the database, for example {@code features.autocompletion} */
    public String key() {
        return key;
    }

    /** @return the value type */
    public Type type() {
        return type;
    }

    /** @return the merge rule */
    public Merge merge() {
        return merge;
    }

    /** @return whether users may set their own value (when their groups grant {@code overrideSettings}) */
    public boolean userOverridable() {
        return userOverridable;
    }

    /** @return the value when no layer sets the key; JSON null for "none" */
    public JsonNode builtInDefault() {
        return builtInDefault == null ? JsonNodeFactory.instance.nullNode() : builtInDefault;
    }

    /**
     * @param key a key as used in the API
     * @return the setting
     */
    public static Optional<SettingKey> of(String key) {
        return Arrays.stream(values()).filter(k -> k.key.equals(key)).findFirst();
    }

    /**
     * Checks a value's type.
     *
     * @param value a JSON value (null means "unset" and is always accepted)
     * @return an error message, or empty when the value fits
     */
    public Optional<String> check(JsonNode value) {
        if (value.isNull()) {
            return Optional.empty();
        }
        boolean fits = switch (type) {
            case STRING -> value.isString() && value.asString().length() <= 20_000;
            case BOOLEAN -> value.isBoolean();
            case INTEGER -> value.isIntegralNumber() && value.asLong() >= 0;
            case STRING_LIST -> value.isArray() && value.size() <= 1000
                    && value.valueStream().allMatch(item -> item.isString() && !item.asString().isBlank());
        };
        return fits ? Optional.empty() : Optional.of(switch (type) {
            case STRING -> "must be a string (at most 20000 characters)";
            case BOOLEAN -> "must be true or false";
            case INTEGER -> "must be a whole number, 0 or more";
            case STRING_LIST -> "must be a list of non-blank strings";
        });
    }

    private static JsonNode text(String value) {
        return JsonNodeFactory.instance.stringNode(value);
    }

    private static JsonNode bool(boolean value) {
        return JsonNodeFactory.instance.booleanNode(value);
    }

    private static JsonNode list(String... values) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (String value : values) {
            array.add(value);
        }
        return array;
    }
}
