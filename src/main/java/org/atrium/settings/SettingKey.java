package org.atrium.settings;

import org.atrium.platform.UntrustedText;
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

    DEFAULT_MODEL("defaultModel", Type.STRING, Merge.PRIORITY, true, null, Limits.MODEL_NAME),
    SYSTEM_PROMPT("systemPrompt", Type.STRING, Merge.PRIORITY, true, text(""), Limits.SYSTEM_PROMPT),
    ALLOWED_MODELS("allowedModels", Type.STRING_LIST, Merge.UNION, false, list("*"), Limits.MODEL_NAME),
    AUTOCOMPLETION("features.autocompletion", Type.BOOLEAN, Merge.PRIORITY, false, bool(false), 0),
    TITLE_GENERATION("features.titleGeneration", Type.BOOLEAN, Merge.PRIORITY, true, bool(true), 0),
    TITLE_MODEL("features.titleModel", Type.STRING, Merge.PRIORITY, false, text("gemini-2.5-flash-lite"),
            Limits.MODEL_NAME),
    QUERY_GENERATION("features.queryGeneration", Type.BOOLEAN, Merge.PRIORITY, true, bool(true), 0),
    QUERY_MODEL("features.queryModel", Type.STRING, Merge.PRIORITY, false, null, Limits.MODEL_NAME),
    /** How retrieved passages are put before the model; see {@link KnowledgePromptTemplate}. */
    KNOWLEDGE_PROMPT_TEMPLATE("knowledge.promptTemplate", Type.STRING, Merge.PRIORITY, false,
            text(KnowledgePromptTemplate.DEFAULT), KnowledgePromptTemplate.MAX_LENGTH),
    UPLOAD_FILES("permissions.uploadFiles", Type.BOOLEAN, Merge.ANY, false, bool(true), 0),
    CREATE_COLLECTIONS("permissions.createCollections", Type.BOOLEAN, Merge.ANY, false, bool(true), 0),
    CREATE_API_KEYS("permissions.createApiKeys", Type.BOOLEAN, Merge.ANY, false, bool(true), 0),
    OVERRIDE_SETTINGS("permissions.overrideSettings", Type.BOOLEAN, Merge.ANY, false, bool(true), 0),
    /** Instance-only: whether group admins may register provider connections for their group. */
    GROUP_CONNECTIONS("permissions.groupConnections", Type.BOOLEAN, Merge.PRIORITY, false, bool(false), 0, true),
    TOKENS_PER_DAY("quotas.tokensPerDay", Type.INTEGER, Merge.PRIORITY, false, null, Limits.TOKENS_PER_DAY),
    REQUESTS_PER_MINUTE("quotas.requestsPerMinute", Type.INTEGER, Merge.PRIORITY, false, null,
            Limits.REQUESTS_PER_MINUTE),
    EMBEDDING_CONNECTION("embedding.connection", Type.STRING, Merge.PRIORITY, false, null, Limits.CONNECTION_NAME),
    EMBEDDING_MODEL("embedding.model", Type.STRING, Merge.PRIORITY, false, null, Limits.MODEL_NAME);

    /**
     * Bounds on setting values, so that no layer can make every member's effective state large (see
     * {@code docs/limits.md}).
     */
    public static final class Limits {
        /** Characters of a model name, in {@code defaultModel}, {@code allowedModels} and the like. */
        public static final int MODEL_NAME = 200;
        /** Characters of {@code systemPrompt}. */
        public static final int SYSTEM_PROMPT = 20_000;
        /** Characters of {@code embedding.connection} (connection names are at most 64). */
        public static final int CONNECTION_NAME = 64;
        /** Entries of a list setting ({@code allowedModels}). */
        public static final int LIST_ENTRIES = 100;
        /** Largest {@code quotas.tokensPerDay}. */
        public static final long TOKENS_PER_DAY = 1_000_000_000_000L;
        /** Largest {@code quotas.requestsPerMinute}. */
        public static final long REQUESTS_PER_MINUTE = 1_000_000L;

        private Limits() {
        }
    }

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
    private final long limit;
    private final boolean instanceOnly;

    /** {@code limit}: characters of a string (of each entry, for lists), largest value of an integer. */
    SettingKey(String key, Type type, Merge merge, boolean userOverridable, @Nullable JsonNode builtInDefault,
               long limit) {
        this(key, type, merge, userOverridable, builtInDefault, limit, false);
    }

    /** {@code instanceOnly}: only the instance layer may set it (groups and users may not). */
    SettingKey(String key, Type type, Merge merge, boolean userOverridable, @Nullable JsonNode builtInDefault,
               long limit, boolean instanceOnly) {
        this.instanceOnly = instanceOnly;
        this.key = key;
        this.type = type;
        this.merge = merge;
        this.userOverridable = userOverridable;
        this.builtInDefault = builtInDefault;
        this.limit = limit;
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

    /** @return the longest string (or each entry of a list), or the largest integer; 0 for booleans */
    public long limit() {
        return limit;
    }

    /** @return whether only the instance layer may set it (a policy about groups, not something they inherit) */
    public boolean instanceOnly() {
        return instanceOnly;
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
        return switch (type) {
            case STRING -> value.isString() ? checkText(value.asString(), "")
                    : Optional.of("must be a string of at most " + limit + " characters");
            case BOOLEAN -> value.isBoolean() ? Optional.empty() : Optional.of("must be true or false");
            case INTEGER -> value.isIntegralNumber() && value.canConvertToLong() && value.asLong() >= 0
                    && value.asLong() <= limit ? Optional.empty()
                    : Optional.of("must be a whole number from 0 to " + limit);
            case STRING_LIST -> checkList(value);
        };
    }

    private Optional<String> checkList(JsonNode value) {
        if (!value.isArray() || value.size() > Limits.LIST_ENTRIES) {
            return Optional.of("must be a list of at most " + Limits.LIST_ENTRIES + " non-blank strings");
        }
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (!item.isString() || item.asString().isBlank()) {
                return Optional.of("must be a list of non-blank strings; entry " + i + " is not one");
            }
            Optional<String> problem = checkText(item.asString(), "entry " + i + " ");
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    private Optional<String> checkText(String text, String what) {
        if (text.length() > limit) {
            return Optional.of(what + "must be at most " + limit + " characters");
        }
        return UntrustedText.problem(text).map(problem -> what + problem);
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
