package org.atrium.platform;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAPI document is complete enough to write a client from: every operation, response and request body. */
class OpenApiDocumentationTest extends IntegrationTest {

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options",
            "trace");
    private static final Pattern LEADING_CODE = Pattern.compile("^`([a-z_]+)`");
    private static final String PROBLEM_JSON = "application/problem+json";

    private JsonNode document;

    /** An operation of the document: method, path and its node. */
    record Operation(String method, String path, JsonNode node) {
        @Override
        public String toString() {
            return method.toUpperCase() + " " + path;
        }
    }

    @BeforeEach
    void readDocument() {
        Api.Response response = api.get("/v3/api-docs", null);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        document = response.json();
    }

    @Test
    void documentIsOpenApi31AndPublic() {
        assertThat(document.path("openapi").asString("")).startsWith("3.1");
        assertThat(document.path("info").path("title").asString("")).isNotBlank();
        assertThat(operations()).extracting(Operation::toString)
                .contains("POST /api/v1/auth/signup", "GET /api/v1/groups/{groupId}", "POST /api/v1/api-keys");
    }

    @Test
    void testOnlyEndpointsStayOutOfTheDocument() {
        assertThat(document.path("paths").propertyNames()).noneMatch(path -> path.contains("test-only"));
    }

    @Test
    void everyOperationHasASummaryAndADescription() {
        List<Operation> operations = operations();
        assertThat(operations).isNotEmpty();
        for (Operation operation : operations) {
            assertThat(operation.node().path("summary").asString("")).as("summary of %s", operation).isNotBlank();
            assertThat(operation.node().path("description").asString(""))
                    .as("description of %s", operation).isNotBlank();
        }
    }

    @Test
    void everyOperationDocumentsSuccessAClientErrorAndTheServerError() {
        for (Operation operation : operations()) {
            Set<String> statuses = Set.copyOf(operation.node().path("responses").propertyNames());
            assertThat(statuses).as("responses of %s", operation)
                    .anyMatch(status -> status.startsWith("2"))
                    .anyMatch(status -> status.startsWith("4"))
                    .contains("500");
        }
    }

    @Test
    void everyWriteDocumentsTheConflictAndEveryJsonBodyTheMediaTypeItNeeds() {
        for (Operation operation : operations()) {
            JsonNode responses = operation.node().path("responses");
            if (!operation.method().equals("get")) {
                assertThat(responses.path("409").path("description").asString(""))
                        .as("409 of %s", operation).contains("`conflict`");
            }
            JsonNode body = operation.node().path("requestBody").path("content");
            if (!body.isMissingNode() && !body.has("multipart/form-data")) {
                assertThat(responses.path("415").path("description").asString(""))
                        .as("415 of %s", operation).contains("`unsupported_media_type`");
            }
        }
    }

    @Test
    void everyErrorResponseIsAProblemWithAnExampleOfItsDocumentedCode() {
        int checked = 0;
        for (Operation operation : operations()) {
            for (Map.Entry<String, JsonNode> response : operation.node().path("responses").properties()) {
                String status = response.getKey();
                if (!status.startsWith("4") && !status.startsWith("5")) {
                    continue;
                }
                String where = operation + " " + status;
                String description = response.getValue().path("description").asString("");
                Matcher code = LEADING_CODE.matcher(description);
                assertThat(code.find()).as("%s description starts with its code in backticks: '%s'", where,
                        description).isTrue();
                if (isCompatibilityPath(operation)) {
                    // Answered in the shape of the API the path is compatible with: examples keyed by their code.
                    JsonNode media = response.getValue().path("content").path("application/json");
                    assertThat(media.path("examples").has(code.group(1)))
                            .as("%s has a JSON example for `%s`: %s", where, code.group(1), response.getValue())
                            .isTrue();
                    assertThat(media.path("examples").path(code.group(1)).path("value").toString())
                            .contains(code.group(1));
                    checked++;
                    continue;
                }
                JsonNode media = response.getValue().path("content").path(PROBLEM_JSON);
                assertThat(media.isObject()).as("%s has %s content", where, PROBLEM_JSON).isTrue();
                List<JsonNode> examples = new ArrayList<>();
                media.path("examples").values().forEach(example -> examples.add(example.path("value")));
                if (media.has("example")) {
                    examples.add(media.path("example"));
                }
                assertThat(examples).as("%s examples", where).isNotEmpty()
                        .anySatisfy(example -> {
                            assertThat(example.path("code").asString(null)).isEqualTo(code.group(1));
                            assertThat(example.path("status").asInt()).isEqualTo(Integer.parseInt(status));
                            assertThat(example.path("type").asString(null))
                                    .isEqualTo(Problems.TYPE_PREFIX + code.group(1));
                        });
                checked++;
            }
        }
        assertThat(checked).as("error responses checked").isGreaterThan(operations().size());
    }

    @Test
    void everyRequestBodyPropertyHasAnExample() {
        int checked = 0;
        for (Operation operation : operations()) {
            JsonNode body = operation.node().path("requestBody");
            if (body.isMissingNode()) {
                continue;
            }
            JsonNode content = body.path("content");
            assertThat(content.propertyNames()).as("request body media types of %s", operation).isNotEmpty();
            for (Map.Entry<String, JsonNode> media : content.properties()) {
                JsonNode schema = resolve(media.getValue().path("schema"));
                JsonNode properties = schema.path("properties");
                assertThat(properties.propertyNames()).as("properties of the %s body of %s", media.getKey(),
                        operation).isNotEmpty();
                for (Map.Entry<String, JsonNode> property : properties.properties()) {
                    assertThat(hasExample(property.getValue()))
                            .as("%s body property '%s' has an example: %s", operation, property.getKey(),
                                    property.getValue())
                            .isTrue();
                    checked++;
                }
            }
        }
        assertThat(checked).as("request body properties checked").isGreaterThan(5);
    }

    @Test
    void swaggerUiIsServedAsHtml() {
        Api.Response response = api.get("/swagger-ui/index.html", null);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("text/html");
        assertThat(response.text()).containsIgnoringCase("<html").contains("swagger-ui");
    }

    private List<Operation> operations() {
        List<Operation> operations = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> method : path.getValue().properties()) {
                if (METHODS.contains(method.getKey())) {
                    operations.add(new Operation(method.getKey(), path.getKey(), method.getValue()));
                }
            }
        }
        return operations;
    }

    /** Follows a local {@code $ref} into {@code components.schemas}. */
    private JsonNode resolve(JsonNode schema) {
        JsonNode current = schema;
        for (int hops = 0; hops < 10 && current.has("$ref"); hops++) {
            String ref = current.path("$ref").asString();
            assertThat(ref).startsWith("#/components/schemas/");
            current = document.path("components").path("schemas").path(ref.substring("#/components/schemas/".length()));
            assertThat(current.isObject()).as("schema %s exists", ref).isTrue();
        }
        return current;
    }

    /** The compatibility APIs answer errors in their own shapes (docs/compatibility.md), documented as such. */
    private static boolean isCompatibilityPath(Operation operation) {
        String path = operation.path();
        return path.startsWith("/v1/") || path.startsWith("/ollama/") || path.equals("/api/models")
                || path.startsWith("/api/models/") || path.equals("/api/chat/completions")
                || path.equals("/api/embeddings") || path.equals("/api/v1/messages");
    }

    private boolean hasExample(JsonNode property) {
        if (property.has("example") || (property.path("examples").isArray() && !property.path("examples").isEmpty())) {
            return true;
        }
        if (property.path("items").has("example")) {
            return true;
        }
        if (property.has("$ref")) {
            JsonNode target = resolve(property);
            return target.has("example") || (target.path("examples").isArray() && !target.path("examples").isEmpty());
        }
        return false;
    }
}
