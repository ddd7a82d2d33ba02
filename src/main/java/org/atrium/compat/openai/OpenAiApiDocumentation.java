package org.atrium.compat.openai;

import io.swagger.v3.oas.models.examples.Example;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Documents the errors of the OpenAI-compatible paths in the shape they are answered in ({@link OpenAiErrorFilter}):
 * OpenAI's {@code {"error": {...}}} as {@code application/json}, one example per documented code, in place of the
 * problem details every other endpoint answers with.
 */
@Configuration(proxyBeanMethods = false)
class OpenAiApiDocumentation {

    /** A code in a response description: {@code `model_not_found`: ...}, as every endpoint documents them. */
    private static final Pattern CODE = Pattern.compile("`([a-z_]+)`:\\s*([^;]*)");
    private static final String SCHEMA = "OpenAiError";

    /** Runs after the platform's customizer, which gives every error response problem content first. */
    @Bean
    @Order(Ordered.LOWEST_PRECEDENCE)
    OpenApiCustomizer openAiErrorResponses() {
        return openApi -> {
            openApi.getComponents().addSchemas(SCHEMA, errorSchema());
            openApi.getPaths().forEach((path, item) -> {
                if (!OpenAiErrorFilter.isOpenAiPath(path)) {
                    return;
                }
                item.readOperations().forEach(operation -> operation.getResponses().forEach((status, response) -> {
                    if (status.startsWith("4") || status.startsWith("5")) {
                        response.setContent(content(Integer.parseInt(status), response.getDescription()));
                    }
                }));
            });
        };
    }

    private static Content content(int status, String description) {
        Map<String, Example> examples = new LinkedHashMap<>();
        Matcher code = CODE.matcher(description == null ? "" : description);
        while (code.find()) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("message", code.group(2).strip());
            error.put("type", OpenAiErrors.type(status));
            error.put("param", null);
            error.put("code", code.group(1));
            examples.put(code.group(1), new Example().value(Map.of("error", error)));
        }
        MediaType media = new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + SCHEMA));
        if (!examples.isEmpty()) {
            media.setExamples(examples);
        }
        return new Content().addMediaType(org.springframework.http.MediaType.APPLICATION_JSON_VALUE, media);
    }

    private static Schema<?> errorSchema() {
        ObjectSchema error = new ObjectSchema();
        error.addProperty("message", new StringSchema().example("No model 'openai/gpt-5' is available to you."));
        error.addProperty("type", new StringSchema().example("invalid_request_error")
                .description("From the status: invalid_request_error, authentication_error, permission_error,"
                        + " rate_limit_error, server_error."));
        error.addProperty("param", new StringSchema().nullable(true).example("model")
                .description("The request parameter at fault, when one is."));
        error.addProperty("code", new StringSchema().example("model_not_found").description("Atrium's stable code."));
        ObjectSchema wrapper = new ObjectSchema();
        wrapper.addProperty("error", error);
        wrapper.description("An error in OpenAI's shape.");
        return wrapper;
    }
}
