package org.atrium.compat.wire;

import io.swagger.v3.oas.models.examples.Example;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import tools.jackson.databind.json.JsonMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Documents the errors of the compatibility paths in the shape each {@link CompatErrorFilter} answers them in
 * ({@code application/json}, one example per documented code, keyed by the code), in place of the problem details
 * every other endpoint answers with.
 */
@Configuration(proxyBeanMethods = false)
class CompatApiDocumentation {

    /** A code in a response description: {@code `model_not_found`: ...}, as every endpoint documents them. */
    private static final Pattern CODE = Pattern.compile("`([a-z_]+)`:\\s*([^;]*)");

    /** Runs after the platform's customizer, which gives every error response problem content first. */
    @Bean
    @Order(Ordered.LOWEST_PRECEDENCE)
    OpenApiCustomizer compatErrorResponses(List<CompatErrorFilter> filters, JsonMapper json) {
        return openApi -> openApi.getPaths().forEach((path, item) -> filters.stream()
                .filter(filter -> filter.covers(path)).findFirst()
                .ifPresent(filter -> item.readOperations().forEach(operation -> operation.getResponses()
                        .forEach((status, response) -> {
                            if (status.startsWith("4") || status.startsWith("5")) {
                                response.setContent(content(filter, json, Integer.parseInt(status),
                                        response.getDescription()));
                            }
                        }))));
    }

    @SuppressWarnings("unchecked")
    private static Content content(CompatErrorFilter filter, JsonMapper json, int status, String description) {
        Map<String, Example> examples = new LinkedHashMap<>();
        Matcher code = CODE.matcher(description == null ? "" : description);
        while (code.find()) {
            Object body = json.convertValue(filter.shape(json, status,
                    new CompatErrorFilter.Problem(code.group(1), code.group(2).strip(), null)), Map.class);
            examples.put(code.group(1), new Example().value(body));
        }
        MediaType media = new MediaType().schema(new ObjectSchema().description("An error in the shape of the API"
                + " this path is compatible with (docs/compatibility.md), carrying Atrium's stable code."));
        if (!examples.isEmpty()) {
            media.setExamples(examples);
        }
        return new Content().addMediaType(org.springframework.http.MediaType.APPLICATION_JSON_VALUE, media);
    }
}
