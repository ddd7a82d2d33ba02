package org.atrium.platform;

import org.atrium.testing.TestUsers;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Valid-looking request values built from the OpenAPI document's schemas, and the positions in a JSON body where
 * {@link HostileInputSweepTest} puts its hostile values.
 */
final class OpenApiSamples {

    static final JsonMapper ESCAPING = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final JsonNode document;
    private final Function<String, String> ids;

    /** @param ids a real id for a body field of this name (format uuid), or null to make one up */
    OpenApiSamples(JsonNode document, Function<String, String> ids) {
        this.document = document;
        this.ids = ids;
    }

    /** @return the schema of an operation's JSON request body, or null when it takes none */
    JsonNode jsonBodySchema(JsonNode operation) {
        JsonNode content = operation.path("requestBody").path("content");
        return content.has("application/json") ? resolve(content.path("application/json").path("schema")) : null;
    }

    /** A valid-looking value for a schema: its example when it has one, else a plain value of its type. */
    JsonNode baseline(JsonNode given, String name, int depth) {
        JsonNode schema = resolve(given);
        String type = type(schema);
        if (name.equals("email")) {
            return NODES.stringNode(TestUsers.uniqueEmail("sweep"));
        }
        if (name.equals("password")) {
            return NODES.stringNode(TestUsers.PASSWORD);
        }
        if (name.equals("name")) {
            // Unique, so that names that must be unique (groups) never collide with other tests' names.
            return NODES.stringNode("sweep " + UUID.randomUUID().toString().substring(0, 8));
        }
        if (schema.path("format").asString("").equals("uuid") && ids.apply(name) != null) {
            return NODES.stringNode(ids.apply(name));
        }
        if (schema.has("enum")) {
            return schema.path("enum").get(0);
        }
        if (schema.has("example") && !(type.equals("object") && schema.path("example").isString())) {
            JsonNode example = schema.path("example");
            return example.isString() && !type.equals("string") ? parsed(example.asString()) : example;
        }
        return switch (type) {
            case "object" -> object(schema, depth);
            case "array" -> {
                ArrayNode array = NODES.arrayNode();
                array.add(baseline(schema.path("items"), name, depth + 1));
                yield array;
            }
            case "integer", "number" -> NODES.numberNode(1);
            case "boolean" -> NODES.booleanNode(false);
            default -> switch (schema.path("format").asString("")) {
                case "uuid" -> NODES.stringNode(UUID.randomUUID().toString());
                case "date-time" -> NODES.stringNode(Instant.now().plusSeconds(86_400).toString());
                default -> NODES.stringNode("x");
            };
        };
    }

    private JsonNode object(JsonNode schema, int depth) {
        ObjectNode object = NODES.objectNode();
        if (depth > 5) {
            return object;
        }
        for (Map.Entry<String, JsonNode> property : schema.path("properties").properties()) {
            JsonNode value = property.getValue();
            if (value.has("example") && value.path("example").isString() && type(resolve(value)).equals("object")) {
                // Maps (settings layers) carry their example as JSON text.
                object.set(property.getKey(), parsed(value.path("example").asString()));
            } else {
                object.set(property.getKey(), baseline(value, property.getKey(), depth + 1));
            }
        }
        return object;
    }

    private static JsonNode parsed(String text) {
        try {
            return ESCAPING.readTree(text);
        } catch (RuntimeException notJson) {
            return NODES.stringNode(text);
        }
    }

    private static String type(JsonNode schema) {
        JsonNode type = schema.path("type");
        if (type.isArray()) {
            for (JsonNode option : type) {
                if (!option.asString().equals("null")) {
                    return option.asString();
                }
            }
        }
        if (type.isString()) {
            return type.asString();
        }
        return schema.has("properties") || schema.has("additionalProperties") ? "object" : "string";
    }

    private JsonNode resolve(JsonNode schema) {
        JsonNode current = schema;
        for (int hops = 0; hops < 10 && current.has("$ref"); hops++) {
            String ref = current.path("$ref").asString();
            current = document.path("components").path("schemas").path(ref.substring(ref.lastIndexOf('/') + 1));
        }
        return current;
    }

    /** Every position in a body (object members and array items, at every depth): a path of names and indexes. */
    static List<List<Object>> fields(JsonNode node, List<Object> at) {
        List<List<Object>> fields = new ArrayList<>();
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> member : node.properties()) {
                List<Object> path = new ArrayList<>(at);
                path.add(member.getKey());
                fields.add(path);
                fields.addAll(fields(member.getValue(), path));
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                List<Object> path = new ArrayList<>(at);
                path.add(i);
                fields.add(path);
                fields.addAll(fields(node.get(i), path));
            }
        }
        return fields;
    }

    /** Replaces the value at a position found by {@link #fields}. */
    static void replace(JsonNode root, List<Object> path, JsonNode value) {
        JsonNode parent = root;
        for (int i = 0; i < path.size() - 1; i++) {
            parent = path.get(i) instanceof String name ? parent.get(name) : parent.get((Integer) path.get(i));
        }
        Object last = path.getLast();
        if (last instanceof String name) {
            ((ObjectNode) parent).set(name, value);
        } else {
            ((ArrayNode) parent).set((Integer) last, value);
        }
    }
}
