package org.atrium.platform;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Feeds every operation of the OpenAPI document hostile values (NUL, unpaired surrogates, right-to-left overrides,
 * very long strings, huge numbers, wrong types, deep nesting) in its path parameters, query parameters and JSON body
 * (built from the request schema, one field changed at a time), as an instance admin and, for public endpoints and
 * once per operation, anonymously; then once more with real ids, so the values get past "not found" into the
 * stores, together with hostile multipart uploads. No answer may be a 5xx, and every 4xx must be a problem detail
 * with a code.
 */
class HostileInputSweepTest extends IntegrationTest {

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
    private OpenApiSamples samples;
    /** The value of a path variable of an operation, already encoded for a URL. */
    private BiFunction<Operation, String, String> pathValues;
    private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    private final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();

    /** One operation: method, path template and its node in the document. */
    private record Operation(String method, String path, JsonNode node) {
        @Override
        public String toString() {
            return method.toUpperCase() + " " + path;
        }
    }

    @Test
    void noEndpointAnswersHostileInputWithA5xxOrWithoutAProblem() {
        asAdmin((admin, key) -> {
            samples = new OpenApiSamples(document, field -> null);
            // Random ids: nothing existing is touched, so every request can be sent as it is.
            pathValues = HostileInputSweepTest::encodedBase;
            // Operations in parallel (nothing they name exists, so they cannot interfere beyond what concurrent
            // callers may do anyway): the sweep sends thousands of requests, and one caller at a time leaves a core
            // idle.
            try (java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(4)) {
                List<java.util.concurrent.Future<?>> sweeps = new ArrayList<>();
                for (Operation operation : operations()) {
                    sweeps.add(callers.submit(() -> {
                        sweep(operation, key, true);
                        send(operation, basePath(operation), baseQuery(operation), baseBody(operation), null);
                        if (operation.path().startsWith("/api/v1/auth/")) {
                            sweep(operation, null, true);
                        }
                    }));
                }
                for (java.util.concurrent.Future<?> sweep : sweeps) {
                    try {
                        sweep.get();
                    } catch (InterruptedException | java.util.concurrent.ExecutionException failed) {
                        throw new AssertionError(failed);
                    }
                }
            }
            assertThat(requests).as("requests sent").hasValueGreaterThan(1_000);
        });
    }

    @Test
    void hostileValuesAndUploadsAimedAtRealThingsAnswerWithoutA5xx() {
        asAdmin((admin, key) -> {
            SweepFixtures fixtures = SweepFixtures.create(api, users, admin, key);
            samples = new OpenApiSamples(document, fixtures::bodyValue);
            pathValues = (operation, name) -> fixtures.pathValue(operation.path(), name);
            List<Operation> withIds = operations().stream().filter(operation -> parameters(operation).stream()
                    .anyMatch(parameter -> parameter.path("in").asString().equals("path"))).toList();
            List<String> missing = new ArrayList<>();
            for (Operation operation : withIds) {
                pathVariables(operation).stream().filter(name -> pathValues.apply(operation, name) == null)
                        .forEach(name -> missing.add(operation + " {" + name + "}"));
            }
            assertThat(missing).as("path variables without a fixture in SweepFixtures").isEmpty();
            // Deletions last and children first (a member before its group), so that each one removes something.
            List<Operation> ordered = new ArrayList<>(withIds);
            ordered.sort(Comparator.comparing((Operation operation) -> operation.method().equals("delete"))
                    .thenComparing(operation -> operation.method().equals("delete")
                            ? -pathVariables(operation).size() : 0));
            for (Operation operation : ordered) {
                if (isMultipart(operation)) {
                    sweepMultipart(operation, key);
                }
                sweep(operation, key, false);
                send(operation, basePath(operation), baseQuery(operation), baseBody(operation), key);
            }
            assertThat(requests).as("requests sent").hasValueGreaterThan(300);
        });
    }

    /** Runs a sweep as an instance admin's API key, then undoes what it did to instance-wide state. */
    private void asAdmin(BiConsumer<TestUsers.Account, String> sweep) {
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
        assertThat(operations()).hasSizeGreaterThan(30);
        try {
            sweep.accept(admin, key);
        } finally {
            api.put("/api/v1/settings/instance", instanceLayer, key);
            credentialIds(key).stream().filter(id -> !instanceCredentials.contains(id))
                    .forEach(id -> api.delete("/api/v1/settings/instance/credentials/" + id, key));
        }
        assertThat(failures).as("answers that are a 5xx or not a problem, of %d requests", requests.get()).isEmpty();
    }

    private void sweep(Operation operation, String token, boolean hostilePaths) {
        for (JsonNode parameter : parameters(operation)) {
            String name = parameter.path("name").asString();
            for (String hostile : SEGMENTS) {
                if (hostilePaths && parameter.path("in").asString().equals("path")) {
                    send(operation, basePath(operation).replace(pathValues.apply(operation, name), hostile),
                            baseQuery(operation), baseBody(operation), token);
                } else if (parameter.path("in").asString().equals("query")) {
                    Map<String, String> query = baseQuery(operation);
                    query.put(name, hostile);
                    send(operation, basePath(operation), query, baseBody(operation), token);
                }
            }
        }
        JsonNode schema = samples.jsonBodySchema(operation.node());
        if (schema == null) {
            return;
        }
        for (String body : BODIES) {
            send(operation, basePath(operation), baseQuery(operation), body, token);
        }
        JsonNode base = samples.baseline(schema, "body", 0);
        for (List<Object> field : OpenApiSamples.fields(base, new ArrayList<>())) {
            for (String hostile : VALUES) {
                JsonNode mutated = base.deepCopy();
                OpenApiSamples.replace(mutated, field, JsonNodeFactory.instance.stringNode(SLOT));
                String body = OpenApiSamples.ESCAPING.writeValueAsString(mutated)
                        .replace("\"" + SLOT + "\"", hostile);
                send(operation, basePath(operation), baseQuery(operation), body, token);
            }
        }
    }

    private void sweepMultipart(Operation operation, String token) {
        String path = basePath(operation);
        for (HostileMultipart.Case hostile : HostileMultipart.cases()) {
            Map<String, String> headers = new HashMap<>(hostile.headers());
            headers.put("Authorization", "Bearer " + token);
            headers.put("Content-Type", hostile.contentType());
            String what = operation + " multipart " + hostile.what();
            try {
                check(what, api.sendBytes("POST", path, hostile.body(), headers));
            } catch (RuntimeException failure) {
                failures.add(what + ": no answer (" + failure + cause(failure) + ")");
            }
        }
    }

    /** The client's own failure, under the test's wrapping: a reset, a connection closed before the answer. */
    private static String cause(RuntimeException failure) {
        return failure.getCause() == null ? "" : ": " + failure.getCause();
    }

    private void send(Operation operation, String path, Map<String, String> query, String body, String token) {
        StringBuilder url = new StringBuilder(path);
        query.forEach((name, value) -> url.append(url.indexOf("?") < 0 ? '?' : '&').append(name).append('=')
                .append(value));
        Map<String, String> headers = token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
        String method = operation.method().toUpperCase();
        String what = operation + " " + shorten(url.toString()) + (body == null ? "" : " " + shorten(body))
                + (token == null ? " (anonymous)" : "");
        try {
            check(what, api.send(method, url.toString(), body, headers));
        } catch (RuntimeException failure) {
            failures.add(what + ": no answer (" + failure + cause(failure) + ")");
        }
    }

    /** Operations of the compatibility APIs (docs/compatibility.md), whose errors come in their APIs' shapes. */
    private static final java.util.regex.Pattern COMPAT_PATH = java.util.regex.Pattern.compile(
            "^[A-Z]+ (/v1/|/ollama/|/api/models[ /]|/api/chat/completions |/api/embeddings |/api/v1/messages )");

    private void check(String what, Api.Response response) {
        requests.incrementAndGet();
        if (response.status() >= 500) {
            failures.add(what + ": " + response.status() + " " + shorten(response.text()));
        } else if (response.status() >= 400) {
            String type = String.valueOf(response.header("Content-Type"));
            // The compatibility paths answer in their APIs' error shapes, with the same stable code inside.
            String code = type.startsWith("application/problem+json") ? response.json().path("code").asString("")
                    : type.startsWith("application/json") && COMPAT_PATH.matcher(what).find()
                    ? response.json().path("code").asString(response.json().path("error").path("code").asString(""))
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

    private static List<String> pathVariables(Operation operation) {
        return parameters(operation).stream().filter(parameter -> parameter.path("in").asString().equals("path"))
                .map(parameter -> parameter.path("name").asString()).toList();
    }

    private static boolean isMultipart(Operation operation) {
        return operation.node().path("requestBody").path("content").has("multipart/form-data");
    }

    /** The path with every path variable its base value. */
    private String basePath(Operation operation) {
        String path = operation.path();
        for (String name : pathVariables(operation)) {
            path = path.replace("{" + name + "}", pathValues.apply(operation, name));
        }
        return path;
    }

    /** A stable, recognisable random id per operation and parameter, so that it can be replaced again. */
    private static String encodedBase(Operation operation, String name) {
        return UUID.nameUUIDFromBytes((operation + name).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private Map<String, String> baseQuery(Operation operation) {
        Map<String, String> query = new LinkedHashMap<>();
        for (JsonNode parameter : parameters(operation)) {
            if (parameter.path("in").asString().equals("query") && parameter.path("required").asBoolean(false)) {
                JsonNode value = samples.baseline(parameter.path("schema"), parameter.path("name").asString(), 0);
                query.put(parameter.path("name").asString(),
                        URLEncoder.encode(value.isString() ? value.asString() : value.toString(),
                                StandardCharsets.UTF_8));
            }
        }
        return query;
    }

    private String baseBody(Operation operation) {
        JsonNode schema = samples.jsonBodySchema(operation.node());
        return schema == null ? null : OpenApiSamples.ESCAPING.writeValueAsString(samples.baseline(schema, "body", 0));
    }

    private Set<String> credentialIds(String key) {
        return api.get("/api/v1/settings/instance/credentials", key).json().path("items").valueStream()
                .map(item -> item.path("id").asString()).collect(Collectors.toSet());
    }

    private static String shorten(String text) {
        return text.length() <= 160 ? text : text.substring(0, 160) + "...(" + text.length() + " chars)";
    }
}
