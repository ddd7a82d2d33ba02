package org.atrium.web;

import org.atrium.accounts.AccessProfile;
import org.atrium.settings.SettingKey;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.stream.Collectors;

/** The words the settings page shows for effective values and where they come from. */
public final class SettingsViews {

    private SettingsViews() {
    }

    /**
     * @param source a layer, as effective values name it: {@code instance}, {@code group:<id>}, {@code user},
     *               {@code admin}
     * @param groups the caller's groups, whose names they know
     * @return it for people: "Instance default", "Group Research", "You", "Your role (admin)"
     */
    public static String source(String source, List<AccessProfile.Membership> groups) {
        if (source.startsWith("group:")) {
            String id = source.substring("group:".length());
            return groups.stream().filter(m -> m.groupId().toString().equals(id))
                    .map(m -> "Group " + m.groupName()).findFirst().orElse("A group");
        }
        return switch (source) {
            case "instance" -> "Instance default";
            case "user" -> "You";
            case "admin" -> "Your role (admin)";
            default -> source;
        };
    }

    /**
     * @param sources every layer that contributed to a merged value
     * @param groups  the caller's groups
     * @return them for people, joined: "Instance default, Group Research"
     */
    public static String sources(List<String> sources, List<AccessProfile.Membership> groups) {
        return sources.stream().map(s -> source(s, groups)).collect(Collectors.joining(", "));
    }

    /**
     * @param value an effective value
     * @return "not set" for null, the text of a string, JSON for anything else
     */
    public static String value(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "not set";
        }
        return value.isString() ? value.asString() : value.toString();
    }

    /**
     * @param key a setting
     * @return its built-in default for people: "none" when it has none or it is empty
     */
    static String builtInDefault(SettingKey key) {
        String value = value(key.builtInDefault());
        return value.isEmpty() || value.equals("not set") ? "none" : value.length() > 60 ? "a built-in text"
                : value;
    }

    /**
     * @param key a setting
     * @return its name for people
     */
    public static String label(SettingKey key) {
        return switch (key) {
            case DEFAULT_MODEL -> "Default model";
            case SYSTEM_PROMPT -> "System prompt";
            case ALLOWED_MODELS -> "Allowed models";
            case AUTOCOMPLETION -> "Autocompletion";
            case TITLE_GENERATION -> "Generate chat titles";
            case TITLE_MODEL -> "Title model";
            case QUERY_GENERATION -> "Generate retrieval queries";
            case QUERY_MODEL -> "Query model";
            case KNOWLEDGE_PROMPT_TEMPLATE -> "Knowledge prompt template";
            case UPLOAD_FILES -> "May upload files";
            case CREATE_COLLECTIONS -> "May create collections";
            case CREATE_API_KEYS -> "May create API keys";
            case OVERRIDE_SETTINGS -> "May override settings and store own provider keys";
            case GROUP_CONNECTIONS -> "Group admins may add connections for their group";
            case TOKENS_PER_DAY -> "Tokens per day (quota)";
            case REQUESTS_PER_MINUTE -> "Requests per minute (quota)";
            case EMBEDDING_CONNECTION -> "Embedding connection";
            case EMBEDDING_MODEL -> "Embedding model";
        };
    }

    /**
     * @param key a setting
     * @return what its value looks like or what changing it does, when its name does not say; empty otherwise
     */
    static String note(SettingKey key) {
        return switch (key) {
            case DEFAULT_MODEL, TITLE_MODEL, QUERY_MODEL -> "A model id, such as openai/gpt-4o";
            case ALLOWED_MODELS -> "One model id per line; * allows every model, an entry ending in * is a"
                    + " prefix (openai/*). Members of several groups get the models of all of them";
            case KNOWLEDGE_PROMPT_TEMPLATE -> "{{CONTEXT}} is replaced by the numbered passages,"
                    + " {{QUERY}} by the question";
            case UPLOAD_FILES, CREATE_COLLECTIONS, CREATE_API_KEYS, OVERRIDE_SETTINGS -> "Granted when the instance"
                    + " or any of a member's groups grants it";
            case TOKENS_PER_DAY, REQUESTS_PER_MINUTE -> "Empty means no limit where no layer sets one";
            case EMBEDDING_CONNECTION, EMBEDDING_MODEL -> "Changing it embeds the files of the collections it"
                    + " applies to again, in the background";
            default -> "";
        };
    }
}
