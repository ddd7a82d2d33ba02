package org.atrium.benchmarks;

import org.atrium.testing.Api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Which optional fields of {@code POST /api/v1/retrieval} the benchmark sends: {@code mode} and
 * {@code groupBy: "file"} when the server accepts them. A server that predates them may answer {@code 400}; the
 * benchmark then drops {@code groupBy}, then {@code mode} (measuring the server's default, which is vector search, so
 * only for the mode {@code vector}), and says so in its table.
 *
 * @param mode          the retrieval mode asked for
 * @param sendsMode     whether {@code mode} is sent
 * @param sendsGroupBy  whether {@code groupBy: "file"} is sent
 */
record RequestShape(String mode, boolean sendsMode, boolean sendsGroupBy) {

    /** Sends one query with this shape. */
    Api.Response send(Api api, String token, UUID collection, String query) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", query);
        body.put("collectionIds", List.of(collection));
        body.put("topK", 100);
        if (sendsMode) {
            body.put("mode", mode);
        }
        if (sendsGroupBy) {
            body.put("groupBy", "file");
        }
        return api.post("/api/v1/retrieval", body, token);
    }

    /** For the table: what was sent. */
    String description() {
        if (sendsMode && sendsGroupBy) {
            return "mode + groupBy=file";
        }
        return sendsMode ? "mode (groupBy rejected)" : "no mode (rejected): server default";
    }

    /**
     * Tries the richest shape first with one query; returns the first the server answers {@code 200} to, or null
     * when only a request without {@code mode} is accepted and the mode is not {@code vector}.
     */
    static RequestShape negotiate(Api api, String token, UUID collection, String mode, String query) {
        List<RequestShape> shapes = List.of(new RequestShape(mode, true, true), new RequestShape(mode, true, false),
                new RequestShape(mode, false, false));
        for (RequestShape shape : shapes) {
            Api.Response response = shape.send(api, token, collection, query);
            if (response.status() == 200) {
                if (!shape.sendsMode() && !mode.equals("vector")) {
                    return null;
                }
                if (shape != shapes.getFirst()) {
                    System.out.println(mode + ": the richer request was rejected; sending " + shape.description());
                }
                return shape;
            }
            if (response.status() != 400) {
                throw new AssertionError("retrieval answered " + response.status() + ": " + response.text());
            }
            System.out.println(mode + ": " + shape.description() + " answered 400: " + response.text());
        }
        throw new AssertionError("every request shape was rejected");
    }
}
