package org.atrium.chat.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.atrium.accounts.Caller;
import org.atrium.chat.ModelsInUse;
import org.atrium.chat.ModelsInUseView;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The live view of models with answers streaming. */
@RestController
@Tag(name = "Usage", description = "Token usage by period, user, group, model and connection (admins).")
class ModelsInUseController {

    private final ModelsInUse modelsInUse;

    ModelsInUseController(ModelsInUse modelsInUse) {
        this.modelsInUse = modelsInUse;
    }

    @GetMapping("/api/v1/models-in-use")
    @Operation(summary = "See which models are streaming now",
            description = "The models with answers streaming at this moment on any replica, with how many streams"
                    + " each and on which replicas. Entries expire on their own: a replica that dies drops out within"
                    + " `atrium.usage.models-in-use-ttl` (30 s by default). When Redis cannot be read the view holds"
                    + " this replica's streams only and says `partial: true`. Instance admins only.")
    @ApiResponse(responseCode = "200", description = "The view.")
    @ApiResponse(responseCode = "401", description = "`unauthenticated`: no valid session or key was sent.")
    @ApiResponse(responseCode = "403", description = "`admin_required`: the caller is not an instance admin.")
    ModelsInUseView view(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        caller.requireAdmin();
        return modelsInUse.view();
    }
}
