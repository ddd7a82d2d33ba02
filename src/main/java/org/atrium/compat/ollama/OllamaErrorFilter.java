package org.atrium.compat.ollama;

import org.atrium.compat.wire.CompatErrorFilter;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * For the Ollama proxy paths: every error in Ollama's shape, {@code {"error": "..."}}, with Atrium's stable
 * {@code code} beside it (Ollama's clients read {@code error} only); see {@link CompatErrorFilter}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class OllamaErrorFilter extends CompatErrorFilter {

    OllamaErrorFilter(JsonMapper json) {
        super(json);
    }

    @Override
    public boolean covers(String path) {
        return path.startsWith("/ollama/");
    }

    @Override
    protected ObjectNode shape(JsonMapper json, int status, Problem problem) {
        return json.createObjectNode().put("error", problem.message() == null ? problem.code() : problem.message())
                .put("code", problem.code());
    }
}
