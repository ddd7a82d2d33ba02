package org.atrium.settings.web;

import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;


/**
 * Documents the answers the security layer gives on every operation, so that controllers do not repeat them: any
 * request with a bad credential header gets 401 {@code invalid_credentials}; protected operations give 401
 * {@code unauthenticated} without credentials; operations closed to pending accounts give 403
 * {@code account_pending}. Mirrors the rules of {@link SecurityConfiguration}.
 */
@Component
@Order(0)
class AuthenticationResponses implements OpenApiCustomizer {


    private static final String UNAUTHENTICATED =
            "`unauthenticated`: no session or API key was sent";
    private static final String INVALID_CREDENTIALS =
            "`invalid_credentials`: the API key or session token sent is unknown, revoked or expired";
    private static final String PENDING = "`account_pending`: the account is waiting for an admin's approval";

    @Override
    public void customise(io.swagger.v3.oas.models.OpenAPI openApi) {
        openApi.getPaths().forEach((path, item) -> {
            if (!path.startsWith("/api/")) {
                return;
            }
            for (Operation operation : item.readOperations()) {
                ApiResponses responses = operation.getResponses();
                if (SecurityConfiguration.PUBLIC_API.contains(path)) {
                    mention(responses, "401", INVALID_CREDENTIALS);
                    continue;
                }
                mention(responses, "401", UNAUTHENTICATED);
                mention(responses, "401", INVALID_CREDENTIALS);
                if (!SecurityConfiguration.OPEN_TO_PENDING.contains(path)) {
                    mention(responses, "403", PENDING);
                }
            }
        });
    }

    private static void mention(ApiResponses responses, String status, String text) {
        ApiResponse response = responses.get(status);
        if (response == null) {
            responses.addApiResponse(status, new ApiResponse().description(text + "."));
            return;
        }
        String code = text.substring(0, text.indexOf(':'));
        String description = response.getDescription() == null ? "" : response.getDescription();
        if (!description.contains(code)) {
            response.setDescription(description.replaceFirst("\\.?$", "") + "; or " + text + ".");
        }
    }
}
