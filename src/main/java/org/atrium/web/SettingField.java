package org.atrium.web;

import org.atrium.platform.AtriumException;
import org.atrium.settings.SettingKey;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One setting of a layer (the instance's, a group's, a user's own) as a form field: an empty field leaves the
 * setting unset in that layer, so that it is inherited.
 *
 * @param key     the setting's key, also the form field's name
 * @param id      the field's element id
 * @param label   what people read
 * @param input   {@code choice} (not set, yes, no), {@code text}, {@code long-text}, {@code number} or {@code list}
 *                (one entry per line)
 * @param value   the layer's value as the field shows it; empty when the layer does not set it
 * @param limit   the longest text (or each entry of a list) or the largest number
 * @param hint    what leaving it empty means, and what changing it does
 */
public record SettingField(String key, String id, String label, String input, String value, long limit,
                           String hint) {

    /**
     * @param layer   a layer's stored settings
     * @param offered which settings the layer's form offers
     * @param empty   what an empty field means in this layer, per setting ("Empty: inherited from the instance")
     * @return the fields, in the order settings are documented
     */
    static List<SettingField> of(ObjectNode layer, Predicate<SettingKey> offered,
                                 Function<SettingKey, String> empty) {
        return Arrays.stream(SettingKey.values()).filter(offered).map(key -> {
            JsonNode value = layer.path(key.key());
            String shown = value.isMissingNode() || value.isNull() ? ""
                    : value.isArray() ? String.join("\n", value.valueStream().map(JsonNode::asString).toList())
                    : value.asString();
            String input = switch (key.type()) {
                case BOOLEAN -> "choice";
                case INTEGER -> "number";
                case STRING_LIST -> "list";
                case STRING -> key == SettingKey.SYSTEM_PROMPT || key == SettingKey.KNOWLEDGE_PROMPT_TEMPLATE
                        ? "long-text" : "text";
            };
            String note = SettingsViews.note(key);
            return new SettingField(key.key(), "setting-" + key.key().replace('.', '-'), SettingsViews.label(key),
                    input, shown, key.limit(), note.isEmpty() ? empty.apply(key) : empty.apply(key) + ". " + note);
        }).toList();
    }

    /**
     * @param fields a layer's fields
     * @param form   what a refused form sent, or {@code null}
     * @return the fields as the form filled them, so that a refusal keeps what was typed
     */
    static List<SettingField> refilled(List<SettingField> fields, @Nullable Map<String, String> form) {
        if (form == null) {
            return fields;
        }
        return fields.stream().map(field -> new SettingField(field.key(), field.id(), field.label(), field.input(),
                form.getOrDefault(field.key(), ""), field.limit(), field.hint())).toList();
    }

    /**
     * Reads a layer from a form: every offered setting whose field is not empty.
     *
     * @param form    the form's fields
     * @param offered which settings the form offered; others are left out (and so refused nowhere, ignored)
     * @return the layer, for the settings service to validate and store
     * @throws AtriumException {@code validation_failed} (400) for a number that is not one or a choice that is not
     *                         yes or no; the service checks the rest
     */
    static ObjectNode layer(Map<String, String> form, Predicate<SettingKey> offered) {
        ObjectNode layer = JsonNodeFactory.instance.objectNode();
        for (SettingKey key : SettingKey.values()) {
            String value = form.getOrDefault(key.key(), "").strip();
            if (!offered.test(key) || value.isEmpty()) {
                continue;
            }
            switch (key.type()) {
                case BOOLEAN -> layer.put(key.key(), switch (value) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> throw AtriumException.invalidField(key.key(), "must be yes, no or not set");
                });
                case INTEGER -> {
                    try {
                        layer.put(key.key(), Long.parseLong(value));
                    } catch (NumberFormatException notANumber) {
                        throw AtriumException.invalidField(key.key(), "must be a whole number");
                    }
                }
                case STRING_LIST -> {
                    ArrayNode entries = layer.putArray(key.key());
                    value.lines().map(String::strip).filter(line -> !line.isEmpty()).forEach(entries::add);
                }
                case STRING -> layer.put(key.key(), value);
            }
        }
        return layer;
    }
}
