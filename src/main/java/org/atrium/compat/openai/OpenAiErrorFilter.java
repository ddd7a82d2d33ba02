package org.atrium.compat.openai;

import org.atrium.compat.wire.CompatErrorFilter;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * For the OpenAI-compatible paths: every error in OpenAI's shape ({@code {"error": {"message", "type", "param",
 * "code"}}}) instead of problem details, since OpenAI's clients read that shape; see {@link CompatErrorFilter}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class OpenAiErrorFilter extends CompatErrorFilter {

    /** Open WebUI's OpenAI-shaped paths; everything under {@code /v1/} is OpenAI's. */
    private static final Set<String> OPEN_WEBUI_PATHS = Set.of("/api/models", "/api/chat/completions",
            "/api/embeddings");

    OpenAiErrorFilter(JsonMapper json) {
        super(json);
    }

    @Override
    public boolean covers(String path) {
        return path.startsWith("/v1/") || OPEN_WEBUI_PATHS.contains(path) || path.startsWith("/api/models/");
    }

    @Override
    protected ObjectNode shape(JsonMapper json, int status, Problem problem) {
        ObjectNode body = json.createObjectNode();
        OpenAiErrors.body(body, status, problem.code(), problem.message(), problem.param());
        return body;
    }
}
