package org.atrium.compat.openai;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;
import java.util.regex.Pattern;

/**
 * OpenAI's error shape, {@code {"error": {"message", "type", "param", "code"}}}, filled from Atrium's problem details:
 * {@code code} keeps Atrium's stable code, {@code type} is derived from the status the way OpenAI's are.
 */
final class OpenAiErrors {

    private static final Pattern CAMEL = Pattern.compile("([a-z0-9])([A-Z])");

    private OpenAiErrors() {
    }

    /**
     * Fills {@code target} with the error.
     *
     * @param target  an empty object
     * @param status  the HTTP status
     * @param code    Atrium's stable code
     * @param message the sentence for people
     * @param param   the request parameter at fault, as Atrium names it (camelCase is turned into snake_case)
     */
    static void body(ObjectNode target, int status, String code, @Nullable String message, @Nullable String param) {
        ObjectNode error = target.putObject("error");
        error.put("message", message == null ? code : message);
        error.put("type", type(status));
        if (param == null) {
            error.putNull("param");
        } else {
            error.put("param", CAMEL.matcher(param).replaceAll("$1_$2").toLowerCase(java.util.Locale.ROOT));
        }
        error.put("code", code);
    }

    /** @return OpenAI's error type for a status */
    static String type(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 429 -> "rate_limit_error";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
    }
}
