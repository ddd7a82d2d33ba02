package org.atrium.web;

import org.atrium.accounts.AccessProfile;
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
}
