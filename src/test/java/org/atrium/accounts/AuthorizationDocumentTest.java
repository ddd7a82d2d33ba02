package org.atrium.accounts;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docs/authorization.md} says what the code does: its endpoint table has a row for every operation of the API
 * naming every refusal the operation documents and the matrix expects, and its matrix table is exactly
 * {@link AuthorizationMatrixTest#MATRIX}. (The prose rules are checked by hand; these tables are what readers look
 * up.)
 */
class AuthorizationDocumentTest extends IntegrationTest {

    private static final Path DOCUMENT = Path.of("docs", "authorization.md");
    /** Refusals stated once for every endpoint by the general rules, not repeated in each row. */
    private static final Set<String> GENERAL = Set.of("unauthenticated", "invalid_credentials", "account_pending");
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");
    /** A row of an endpoint table: Atrium's API under /api/v1, or a compatibility API's full path. */
    private static final Pattern ENDPOINT_ROW = Pattern.compile(
            "^\\| `([A-Z]+) ((?:/api/|/v1/|/ollama/)[^`]*)` \\|(.*)$");
    /** Matrix rows name Atrium's paths under /api/v1 shortly, and the compatibility APIs' paths in full. */
    private static final Pattern FULL_PATH = Pattern.compile("^(/api/|/v1/|/ollama/).*");
    private static final Pattern MATRIX_ROW = Pattern.compile("^\\| `([A-Z]+) (/[^`]*)` \\|[^|]*\\|(.*)\\|$");
    private static final Pattern DOCUMENTED_CODE = Pattern.compile("`([a-z_]+)`:");

    private static final Pattern LIST_ITEM = Pattern.compile("^\\s*(\\d+\\.|-) .*");
    private static final Pattern NAMED_OPERATION = Pattern.compile("`([A-Z]+) (/api/v1/[^` ]*)`");
    private static final Pattern STATED_REFUSAL = Pattern.compile("`(40[34]) ([a-z_]+)`");

    private Map<String, String> endpointRows;
    private List<String> matrixRows;
    private List<String> ruleItems;

    @BeforeEach
    void readDocument() throws IOException {
        endpointRows = new LinkedHashMap<>();
        matrixRows = new ArrayList<>();
        ruleItems = new ArrayList<>();
        boolean rules = true;
        for (String line : Files.readAllLines(DOCUMENT)) {
            rules = rules && !line.startsWith("## Endpoint table");
            if (rules && LIST_ITEM.matcher(line).matches()) {
                ruleItems.add(line.strip());
            } else if (rules && !line.isBlank() && !ruleItems.isEmpty()) {
                ruleItems.set(ruleItems.size() - 1, ruleItems.getLast() + " " + line.strip());
            }
            // A matrix row has eight columns, an endpoint row three; both may name a full path.
            boolean matrixRow = line.chars().filter(c -> c == '|').count() >= 9;
            Matcher endpoint = ENDPOINT_ROW.matcher(line);
            Matcher matrix = MATRIX_ROW.matcher(line);
            if (!matrixRow && endpoint.matches()) {
                String previous = endpointRows.put(endpoint.group(1) + " " + endpoint.group(2), endpoint.group(3));
                assertThat(previous).as("a second endpoint row for %s %s", endpoint.group(1), endpoint.group(2))
                        .isNull();
            } else if (matrix.matches()) {
                String path = FULL_PATH.matcher(matrix.group(2)).matches() ? matrix.group(2)
                        : "/api/v1" + matrix.group(2);
                matrixRows.add(matrix.group(1) + " " + path + " ->" + normalised(matrix.group(3)));
            }
        }
        assertThat(endpointRows).as("endpoint rows in %s", DOCUMENT).isNotEmpty();
        assertThat(matrixRows).as("matrix rows in %s", DOCUMENT).isNotEmpty();
    }

    @Test
    void endpointTableHasExactlyOneRowPerOperationOfTheApi() {
        Set<String> operations = new TreeSet<>(openApiOperations().keySet());

        assertThat(new TreeSet<>(endpointRows.keySet())).as("endpoint table of %s vs. /v3/api-docs", DOCUMENT)
                .isEqualTo(operations);
    }

    @Test
    void endpointTableNamesEveryRefusalWhoMayCallAnOperationDecidesInTheApiDocument() {
        List<String> missing = new ArrayList<>();
        openApiOperations().forEach((operation, node) -> {
            String row = endpointRows.getOrDefault(operation, "");
            for (String status : List.of("403", "404")) {
                Matcher code = DOCUMENTED_CODE.matcher(node.path("responses").path(status).path("description")
                        .asString(""));
                while (code.find()) {
                    if (!GENERAL.contains(code.group(1)) && !row.contains(status + " " + code.group(1))) {
                        missing.add(operation + ": " + status + " " + code.group(1));
                    }
                }
            }
        });

        assertThat(missing).as("refusals documented in /v3/api-docs but not in the endpoint table of %s", DOCUMENT)
                .isEmpty();
    }

    @Test
    void endpointTableNamesEveryRefusalTheMatrixExpects() {
        List<String> missing = new ArrayList<>();
        for (AuthorizationMatrixTest.Row row : AuthorizationMatrixTest.MATRIX) {
            String operation = row.call().method() + " " + row.call().path();
            String text = endpointRows.getOrDefault(operation, "");
            for (AuthorizationMatrixTest.Expect expect : row.expected()) {
                if (expect.code() != null && !GENERAL.contains(expect.code())
                        && !text.contains(expect.status() + " " + expect.code())) {
                    missing.add(operation + ": " + expect);
                }
            }
        }

        assertThat(missing).as("refusals of AuthorizationMatrixTest missing from the endpoint table of %s", DOCUMENT)
                .isEmpty();
    }

    /**
     * A rule (one item of a list) that names operations and states refusals must agree with the endpoint table: each
     * 403 or 404 it states appears in the row of one of the operations it names. (This is how "deleting a file you
     * may not read answers 404" in the rules, against "204" in both tables, would have been caught.)
     */
    @Test
    void refusalsTheRulesStateForAnOperationAreInItsEndpointRow() {
        List<String> contradictions = new ArrayList<>();
        for (String item : ruleItems) {
            List<String> named = new ArrayList<>();
            Matcher operation = NAMED_OPERATION.matcher(item);
            while (operation.find()) {
                named.add(operation.group(1) + " " + operation.group(2));
            }
            Matcher refusal = STATED_REFUSAL.matcher(item);
            while (!named.isEmpty() && refusal.find()) {
                String stated = refusal.group(1) + " " + refusal.group(2);
                if (!GENERAL.contains(refusal.group(2))
                        && named.stream().noneMatch(op -> endpointRows.getOrDefault(op, "").contains(stated))) {
                    contradictions.add(named + ": " + stated);
                }
            }
        }

        assertThat(ruleItems).as("rule items of %s", DOCUMENT).hasSizeGreaterThan(10);
        assertThat(contradictions).as("refusals stated by the rules of %s but absent from the endpoint table",
                DOCUMENT).isEmpty();
    }

    @Test
    void matrixTableIsTheMatrixTheTestChecks() {
        List<String> tested = new ArrayList<>();
        for (AuthorizationMatrixTest.Row row : AuthorizationMatrixTest.MATRIX) {
            StringBuilder line = new StringBuilder(row.call().method() + " " + row.call().path() + " ->");
            row.expected().forEach(expect -> line.append(' ').append(expect));
            tested.add(line.toString());
        }

        assertThat(matrixRows.stream().sorted().toList()).as("matrix table of %s vs. AuthorizationMatrixTest",
                DOCUMENT).isEqualTo(tested.stream().sorted().toList());
    }

    /** The document's cells ("401 unauth", "204 (nothing happens)") in the test's notation ("401 unauthenticated"). */
    private static String normalised(String cells) {
        StringBuilder line = new StringBuilder();
        for (String cell : cells.split("\\|")) {
            String[] words = cell.strip().replaceAll("\\s*\\(.*\\)$", "").split(" ");
            line.append(' ').append(words[0]);
            if (words.length > 1) {
                line.append(' ').append(switch (words[1]) {
                    case "unauth" -> "unauthenticated";
                    case "pending" -> "account_pending";
                    default -> words[1];
                });
            }
        }
        return line.toString();
    }

    private Map<String, JsonNode> openApiOperations() {
        Api.Response document = api.get("/v3/api-docs", null);
        assertThat(document.status()).isEqualTo(200);
        Map<String, JsonNode> operations = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> path : document.json().path("paths").properties()) {
            for (Map.Entry<String, JsonNode> method : path.getValue().properties()) {
                if (METHODS.contains(method.getKey())) {
                    operations.put(method.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(), method.getValue());
                }
            }
        }
        return operations;
    }
}
