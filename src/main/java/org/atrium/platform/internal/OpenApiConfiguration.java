package org.atrium.platform.internal;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.examples.Example;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.atrium.platform.ErrorShape;
import org.atrium.platform.Problems;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAPI document at {@code /v3/api-docs}, browsable at {@code /swagger-ui/index.html}.
 *
 * <p>Controllers declare each error response with a description that starts with its code in backticks
 * ({@code `group_not_found`: ...}, several separated by {@code ;}); this customizer gives every such response the
 * {@code Problem} schema and one example per code, and adds the {@code 500 internal_error} response every operation
 * can return.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    /** A code in a response description: {@code `group_not_found`: no such group}. */
    private static final Pattern CODE = Pattern.compile("`([a-z_]+)`:\\s*([^;]*)");
    private static final String PROBLEM_SCHEMA = "Problem";

    @Bean
    OpenAPI atriumOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Atrium API").version("v1")
                        .description("Atrium, a self-hosted AI workspace. Authenticate with a session token"
                                + " (`POST /api/v1/auth/signin`) or a personal API key, sent as"
                                + " `Authorization: Bearer <token>` or `x-api-key: <key>`. Errors are RFC 9457"
                                + " problem details (`application/problem+json`) with a stable `code`.")
                        .license(new License().name("Apache-2.0")))
                .components(new Components()
                        .addSecuritySchemes("bearer", new SecurityScheme().type(SecurityScheme.Type.HTTP)
                                .scheme("bearer").description("A session token or a personal API key."))
                        .addSecuritySchemes("apiKey", new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                                .in(SecurityScheme.In.HEADER).name("x-api-key")
                                .description("A personal API key."))
                        .addSecuritySchemes("cookie", new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                                .in(SecurityScheme.In.COOKIE).name("atrium_session")
                                .description("The browser session cookie set by sign-in."))
                        .addSchemas(PROBLEM_SCHEMA, problemSchema()))
                .addSecurityItem(new SecurityRequirement().addList("bearer"))
                .addSecurityItem(new SecurityRequirement().addList("apiKey"))
                .addSecurityItem(new SecurityRequirement().addList("cookie"));
    }

    /**
     * Runs after every module's customizer, so that the responses they add get their problem content too; paths an
     * {@link ErrorShape} covers get that shape's examples instead.
     */
    @Bean
    @Order(Ordered.LOWEST_PRECEDENCE)
    OpenApiCustomizer problemResponses(List<ErrorShape> shapes) {
        return openApi -> openApi.getPaths().forEach((template, path) -> path.readOperationsMap().forEach((method,
                operation) -> {
            ErrorShape shape = shapes.stream().filter(candidate -> candidate.covers(template)).findFirst()
                    .orElse(null);
            var responses = operation.getResponses();
            if (operation.getRequestBody() != null) {
                documentBodyLimits(operation);
            }
            if (method != PathItem.HttpMethod.GET) {
                // TransactionRetry's answer after its last attempt, or ProblemDetailsAdvice's where nothing retries.
                append(responses, "409", "`conflict`: the request collided with concurrent changes to the same data"
                        + " and changed nothing; send it again");
            }
            if (!responses.containsKey("500")) {
                responses.addApiResponse("500", new ApiResponse().description(
                        "`internal_error`: something failed on the server; quote the request id when reporting."));
            }
            responses.forEach((status, response) -> {
                if (status.startsWith("4") || status.startsWith("5")) {
                    response.setContent(shape == null
                            ? problemContent(Integer.parseInt(status), response.getDescription())
                            : shapedContent(shape, Integer.parseInt(status), response.getDescription()));
                }
            });
        }));
    }

    /**
     * Every body is bounded before it is parsed (docs/limits.md): JSON bodies answer {@code 413 payload_too_large} and
     * {@code 400 json_limit_exceeded}; multipart bodies have limits of their own.
     */
    private static void documentBodyLimits(io.swagger.v3.oas.models.Operation operation) {
        boolean multipart = operation.getRequestBody().getContent() != null
                && operation.getRequestBody().getContent().containsKey("multipart/form-data");
        var responses = operation.getResponses();
        String tooLarge = multipart
                ? "`too_many_parts`: more multipart parts than `server.jetty.max-form-keys`;"
                        + " `part_header_too_large`: a part's headers exceed `server.max-http-request-header-size`;"
                        + " `payload_too_large`: the whole body exceeds the file limit plus 1 MB"
                : "`payload_too_large`: the body is larger than this endpoint accepts (see docs/limits.md)";
        String malformed = multipart
                ? "`malformed_multipart`: the multipart body has no boundary, is truncated or is malformed"
                : "`json_limit_exceeded`: the JSON nests too deep or has a number or string that is too long";
        append(responses, "413", tooLarge);
        append(responses, "400", malformed);
        if (!multipart) {
            append(responses, "415", "`unsupported_media_type`: the body is not JSON (multipart and form bodies are"
                    + " accepted by file uploads only)");
        }
    }

    private static void append(io.swagger.v3.oas.models.responses.ApiResponses responses, String status,
                               String description) {
        ApiResponse response = responses.get(status);
        if (response == null) {
            responses.addApiResponse(status, new ApiResponse().description(description + "."));
        } else if (!response.getDescription().contains(description.substring(0, description.indexOf(':')))) {
            String existing = response.getDescription().strip();
            response.setDescription((existing.endsWith(".") ? existing.substring(0, existing.length() - 1) : existing)
                    + "; " + description + ".");
        }
    }

    /** An error shape's examples, one per documented code, keyed by the code, as {@code application/json}. */
    private static Content shapedContent(ErrorShape shape, int status, String description) {
        Map<String, Example> examples = new LinkedHashMap<>();
        Matcher code = CODE.matcher(description == null ? "" : description);
        while (code.find()) {
            examples.put(code.group(1), new Example().value(shape.example(status, code.group(1),
                    code.group(2).strip())));
        }
        MediaType mediaType = new MediaType().schema(new io.swagger.v3.oas.models.media.ObjectSchema()
                .description("An error in the shape of the API this path is compatible with (docs/compatibility.md),"
                        + " carrying the stable code."));
        if (!examples.isEmpty()) {
            mediaType.setExamples(examples);
        }
        return new Content().addMediaType(org.springframework.http.MediaType.APPLICATION_JSON_VALUE, mediaType);
    }

    private static Content problemContent(int status, String description) {
        Matcher code = CODE.matcher(description == null ? "" : description);
        Map<String, Example> examples = new LinkedHashMap<>();
        while (code.find()) {
            String name = code.group(1);
            HttpStatus httpStatus = HttpStatus.valueOf(status);
            Map<String, Object> value = new LinkedHashMap<>();
            value.put("type", Problems.TYPE_PREFIX + name);
            value.put("title", httpStatus.getReasonPhrase());
            value.put("status", status);
            value.put("detail", code.group(2).strip());
            value.put("code", name);
            value.put("requestId", "5f0c6a2e-3b1d-4c7e-9a8f-1e2d3c4b5a69");
            examples.put(name, new Example().value(value));
        }
        MediaType mediaType = new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM_SCHEMA));
        if (!examples.isEmpty()) {
            mediaType.setExamples(examples);
        }
        return new Content().addMediaType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                mediaType);
    }

    private static Schema<?> problemSchema() {
        ObjectSchema fieldError = new ObjectSchema();
        fieldError.addProperty("field", new StringSchema().example("email"));
        fieldError.addProperty("message", new StringSchema().example("must be a well-formed email address"));
        ObjectSchema problem = new ObjectSchema();
        problem.description("An RFC 9457 problem detail.");
        problem.addProperty("type", new StringSchema().example(Problems.TYPE_PREFIX + "validation_failed")
                .description("Identifies the kind of problem; ends with the code."));
        problem.addProperty("title", new StringSchema().example("Bad Request"));
        problem.addProperty("status", new IntegerSchema().example(400));
        problem.addProperty("detail", new StringSchema().example("Some fields are not valid: email."));
        problem.addProperty("code", new StringSchema().example("validation_failed")
                .description("Stable, machine-readable code; clients may branch on it."));
        problem.addProperty("requestId", new StringSchema().example("5f0c6a2e-3b1d-4c7e-9a8f-1e2d3c4b5a69")
                .description("The request id, also in the X-Request-Id response header."));
        problem.addProperty("errors", new io.swagger.v3.oas.models.media.ArraySchema().items(fieldError)
                .description("For validation_failed: each invalid field."));
        return problem;
    }
}
