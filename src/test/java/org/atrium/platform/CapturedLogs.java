package org.atrium.platform;

import org.springframework.boot.test.system.CapturedOutput;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Reads the JSON log lines (cluster mode) out of captured console output. */
final class CapturedLogs {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration WAIT = Duration.ofSeconds(10);

    private CapturedLogs() {
    }

    /** @return every captured line that is a JSON object, parsed */
    static List<JsonNode> jsonLines(CapturedOutput output) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : output.getAll().split("\\R")) {
            String trimmed = line.strip();
            if (!trimmed.startsWith("{")) {
                continue;
            }
            try {
                JsonNode node = JSON.readTree(trimmed);
                if (node.isObject()) {
                    lines.add(node);
                }
            } catch (JacksonException notJson) {
                // a line that merely starts with a brace
            }
        }
        return lines;
    }

    /** @return the {@code http.request} lines of one request id */
    static List<JsonNode> requestLines(CapturedOutput output, String requestId) {
        return jsonLines(output).stream()
                .filter(line -> "http.request".equals(line.path("event").asString(null)))
                .filter(line -> requestId.equals(line.path("request_id").asString(null)))
                .toList();
    }

    /**
     * Waits until at least one line matches (the request line is written after the response has been sent), then
     * a little longer so that a duplicate would have been written too.
     *
     * @return the matching lines
     */
    static List<JsonNode> await(CapturedOutput output, Predicate<JsonNode> matching) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<JsonNode> found = List.of();
        while (System.nanoTime() < deadline) {
            found = jsonLines(output).stream().filter(matching).toList();
            if (!found.isEmpty()) {
                sleep(300);
                return jsonLines(output).stream().filter(matching).toList();
            }
            sleep(50);
        }
        return found;
    }

    /** Waits for the {@code http.request} lines of one request id. */
    static List<JsonNode> awaitRequest(CapturedOutput output, String requestId) {
        return await(output, line -> "http.request".equals(line.path("event").asString(null))
                && requestId.equals(line.path("request_id").asString(null)));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
