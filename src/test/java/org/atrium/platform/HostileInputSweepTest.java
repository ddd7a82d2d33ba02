package org.atrium.platform;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Feeds every operation of the OpenAPI document hostile values (NUL, unpaired surrogates, right-to-left overrides,
 * very long strings, huge numbers, wrong types, deep nesting) in its path parameters, query parameters and JSON body
 * (built from the request schema, one field changed at a time), as an instance admin and, for public endpoints and
 * once per operation, anonymously. No answer may be a 5xx, and every 4xx must be a problem detail with a code.
 */
class HostileInputSweepTest extends IntegrationTest {

    private static final JsonMapper ESCAPING = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String SLOT = "__hostile_value__";

    /** Hostile JSON values, as JSON text, for one field of a body. */
    private static final List<String> VALUES = List.of(
            "\"a\\u0000b\"", "\"\\ud800\"", "\"x\\udc00\"", "\"\\u202eevil\"", "\"\"", "\"   \"",
            "\"" + "x".repeat(100_000) + "\"",
            "99999999999999999999999", "9".repeat(400), "1e400", "-1", "-9223372036854775809", "1.5",
            "true", "[]", "{}", "null", "[\"\\u0000\"]", "{\"\\u0000\": 1}",
            "[".repeat(100) + "]".repeat(100));

    /** Hostile whole bodies. */
    private static final List<String> BODIES = List.of("", "null", "[]", "\"x\"", "123", "{", "{\"a\":",
            "[".repeat(5_000) + "]".repeat(5_000), "{\"\\u0000\": \"\\ud800\"}");

    /** Hostile path and query values, already encoded for a URL. */
    private static final List<String> SEGMENTS = List.of("%00", "%2F", "%2f..%2f", "..", "%2e%2e", "%ED%A0%80",
            "%E2%80%AE", "%C0%AF", "-1", "99999999999999999999999", "%20", "null", "%25", "x".repeat(5_000),
            URLEncoder.encode("\u202Eevil", StandardCharsets.UTF_8), "a%00b");

    private JsonNode document;
    private final List<String> failures = new ArrayList<>();
    private int requests;

    /** One operation: method, path template and its node in the document. */
    private record Operation(String method, String path, JsonNode node) {
        @Override
        public String toString() {
            return method.toUpperCase() + " " + path;
        }
    }

    @Test
    void noEndpointAnswersHostileInputWithA5xxOrWithoutAProblem() {
        Api.Response docs = api.get("/v3/api-docs", null);
        assertThat(docs.status()).isEqualTo(200);
        document = docs.json();
        TestUsers.Account admin = users.admin();
        // An API key, so that signing out (which ends sessions, not keys) cannot end the sweep's credential.
        String key = api.post("/api/v1/api-keys", Map.of("name", "sweep"), admin.token()).json().path("key")
                .asString();
        assertThat(key).isNotBlank();
        JsonNode instanceLayer = api.get("/api/v1/settings/instance", key).json();
        Set<String> instanceCredentials = credentialIds(key);
        List<Operation> operations = operations();
        assertThat(operations).hasSizeGreaterThan(30);
        try {
            for (Operation operation : operations) {
                sweep(operation, key);
                send(operation, basePath(operation), baseQuery(operation), baseBody(operation), null);
                if (operation.path().startsWith("/api/v1/auth/")) {
                    sweep(operation, null);
                }
            }
        } finally {
            api.put("/api/v1/settings/instance", instanceLayer, key);
            credentialIds(key).stream().filter(id -> !instanceCredentials.contains(id))
                    .forEach(id -> api.delete("/api/v1/settings/instance/credentials/" + id, key));
        }
        assertThat(requests).as("requests sent").isGreaterThan(1_000);
        assertThat(failures).as("answers that are a 5xx or not a problem, of %d requests", requests).isEmpty();
    }

    private void sweep(Operation operation, String token) {
        List<JsonNode> parameters = parameters(operation);
        for (JsonNode parameter : parameters) {
            String name = parameter.path("name").asString();
            for (String hostile : SEGMENTS) {
                if (parameter.path("in").asString().equals("path")) {
                    send(operation, basePath(operation).replace(encodedBase(operation, name), hostile),
                            baseQuery(operation), baseBody(operation), token);
                } else if (parameter.path("in").asString().equals("query")) {
                    Map<String, String> query = baseQuery(operation);
                    query.put(name, hostile);
                    send(operation, basePath(operation), query, baseBody(operation), token);
                }
            }
        }
        JsonNode schema = jsonBodySchema(operation);
        if (schema == null) {
            return;
        }
        for (String body : BODIES) {
            send(operation, basePath(operation), baseQuery(operation), body, token);
        }
        JsonNode base = baseline(schema, "body", 0);
        for (List<Object> field : fields(base, new ArrayList<>())) {
            for (String hostile : VALUES) {
                JsonNode mutated = base.deepCopy();
                replace(mutated, field, NODES.stringNode(SLOT));
                String body = ESCAPING.writeValueAsString(mutated).replace("\"" + SLOT + "\"", hostile);
                send(operation, basePath(operation), baseQuery(operation), body, token);
            }
        }
    }

    private void send(Operation operation, String path, Map<String, String> query, String body, String token) {
        StringBuilder url = new StringBuilder(path);
        query.forEach((name, value) -> url.append(url.indexOf("?") < 0 ? '?' : '&').append(name).append('=')
                .append(value));
        Map<String, String> headers = token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
        String method = operation.method().toUpperCase();
        Api.Response response;
        try {
            response = body == null ? api.send(method, url.toString(), null, headers)
                    : api.send(method, url.toString(), body, headers);
        } catch (RuntimeException failure) {
            failures.add(operation + " " + shorten(url.toString()) + ": no answer (" + failure + ")");
            return;
        }
        requests++;
        String what = operation + " " + shorten(url.toString()) + (body == null ? "" : " " + shorten(body))
                + (token == null ? " (anonymous)" : "");
        if (response.status() >= 500) {
            failures.add(what + ": " + response.status() + " " + shorten(response.text()));
        } else if (response.status() >= 400) {
            String type = String.valueOf(response.header("Content-Type"));
            String code = type.startsWith("application/problem+json") ? response.json().path("code").asString("")
                    : "";
            if (!code.matches("[a-z_]+")) {
                failures.add(what + ": " + response.status() + " without a problem code: " + type + " "
                        + shorten(response.text()));
            }
        }
    }

    private List<Operation> operations() {
        List<Operation> operations = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> method : path.getValue().properties()) {
                JsonNode node = method.getValue();
                boolean stream = node.path("responses").path("200").path("content").has("text/event-stream");
                if (!stream && Set.of("get", "put", "post", "delete", "patch").contains(method.getKey())) {
                    operations.add(new Operation(method.getKey(), path.getKey(), node));
                }
            }
        }
        return operations;
    }

    private static List<JsonNode> parameters(Operation operation) {
        return operation.node().path("parameters").valueStream().toList();
    }

    /** The path with every parameter a fresh, well-formed value (random ids: nothing existing is touched). */
    private String basePath(Operation operation) {
        String path = operation.path();
        for (JsonNode parameter : parameters(operation)) {
            if (parameter.path("in").asString().equals("path")) {
                String name = parameter.path("name").asString();
                path = path.replace("{" + name + "}", encodedBase(operation, name));
            }
        }
        return path;
    }

    /** A stable, recognisable stand-in per operation and parameter, so that it can be replaced again. */
    private static String encodedBase(Operation operation, String name) {
        return UUID.nameUUIDFromBytes((operation + name).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private Map<String, String> baseQuery(Operation operation) {
        Map<String, String> query = new LinkedHashMap<>();
        for (JsonNode parameter : parameters(operation)) {
            if (parameter.path("in").asString().equals("query") && parameter.path("required").asBoolean(false)) {
                JsonNode value = baseline(parameter.path("schema"), parameter.path("name").asString(), 0);
                query.put(parameter.path("name").asString(),
                        URLEncoder.encode(value.isString() ? value.asString() : value.toString(),
                                StandardCharsets.UTF_8));
            }
        }
        return query;
    }

    private String baseBody(Operation operation) {
        JsonNode schema = jsonBodySchema(operation);
        return schema == null ? null : ESCAPING.writeValueAsString(baseline(schema, "body", 0));
    }

    private JsonNode jsonBodySchema(Operation operation) {
        JsonNode content = operation.node().path("requestBody").path("content");
        return content.has("application/json") ? resolve(content.path("application/json").path("schema")) : null;
    }

    /** A valid-looking value for a schema: its example when it has one, else a plain value of its type. */
    private JsonNode baseline(JsonNode given, String name, int depth) {
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
    private static List<List<Object>> fields(JsonNode node, List<Object> at) {
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

    private static void replace(JsonNode root, List<Object> path, JsonNode value) {
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

    private Set<String> credentialIds(String key) {
        return api.get("/api/v1/settings/instance/credentials", key).json().path("items").valueStream()
                .map(item -> item.path("id").asString()).collect(Collectors.toSet());
    }

    private static String shorten(String text) {
        return text.length() <= 160 ? text : text.substring(0, 160) + "...(" + text.length() + " chars)";
    }
}
