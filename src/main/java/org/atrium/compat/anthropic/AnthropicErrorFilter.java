package org.atrium.compat.anthropic;

import org.atrium.compat.wire.CompatErrorFilter;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * For {@code /api/v1/messages}: every error in Anthropic's shape, {@code {"type": "error", "error": {"type",
 * "message", "code"}}}, {@code type} derived from the status as Anthropic's are, {@code code} Atrium's stable code;
 * see {@link CompatErrorFilter}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class AnthropicErrorFilter extends CompatErrorFilter {

    /** The path this filter covers. */
    static final String PATH = "/api/v1/messages";

    AnthropicErrorFilter(JsonMapper json) {
        super(json);
    }

    @Override
    public boolean covers(String path) {
        return PATH.equals(path);
    }

    @Override
    protected ObjectNode shape(JsonMapper json, int status, Problem problem) {
        return body(json.createObjectNode(), status, problem.code(), problem.message());
    }

    /**
     * Fills {@code target} with the error.
     *
     * @param target  an empty object
     * @param status  the HTTP status
     * @param code    Atrium's stable code
     * @param message the sentence for people
     * @return the target
     */
    static ObjectNode body(ObjectNode target, int status, String code, @Nullable String message) {
        target.put("type", "error");
        target.putObject("error").put("type", type(status)).put("message", message == null ? code : message)
                .put("code", code);
        return target;
    }

    private static String type(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 503, 529 -> "overloaded_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    }
}
