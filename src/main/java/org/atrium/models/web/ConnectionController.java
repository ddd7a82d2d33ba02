package org.atrium.models.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.atrium.models.Connection;
import org.atrium.models.ConnectionKind;
import org.atrium.models.ConnectionService;
import org.atrium.models.ConnectionTimeouts;
import org.atrium.platform.AtriumException;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Provider connections: registered by instance admins (and group admins, where allowed), or configured. */
@RestController
@RequestMapping("/api/v1/connections")
@Tag(name = "Connections", description = "Connections to model providers (OpenAI-compatible, Ollama, Anthropic,"
        + " Gemini): registered through the API, or configured (read-only).")
class ConnectionController {

    static final String ID = "The connection's id: a UUID, or `config:<name>` for a configured connection.";
    static final String HEADERS = "Extra request headers (a gateway's tenant or routing header), at most 20; names"
            + " are HTTP tokens of at most 100 characters, values printable ASCII of at most 2,000. `Authorization`,"
            + " `x-api-key`, `x-goog-api-key`, `Host`, `Content-*`, `Cookie`, `Proxy-*` and the like are refused: the"
            + " credential goes in a credential. Values are stored encrypted and never returned.";

    private final ConnectionService connections;

    ConnectionController(ConnectionService connections) {
        this.connections = connections;
    }

    @Schema(description = "Call timeouts in milliseconds; all four are required when given.")
    record TimeoutsRequest(
            @Schema(description = "100 to 60,000.", example = "5000") @NotNull Integer connectMs,
            @Schema(description = "100 to 600,000.", example = "60000") @NotNull Integer firstTokenMs,
            @Schema(description = "100 to 600,000.", example = "30000") @NotNull Integer idleMs,
            @Schema(description = "1,000 to 3,600,000.", example = "600000") @NotNull Integer totalMs) {

        ConnectionTimeouts toTimeouts() {
            return new ConnectionTimeouts(connectMs, firstTokenMs, idleMs, totalMs);
        }
    }

    @Schema(description = "A connection to register.")
    record CreateConnectionRequest(
            @Schema(description = "Lower-case letters, digits and dashes, at most 63; unique; not `local`."
                    + " Credentials and model ids use it.", example = "research-gateway")
            @NotBlank @Size(max = 63) String name,
            @Schema(description = "`openai`, `ollama`, `anthropic` or `gemini`.", example = "openai")
            @NotBlank @Pattern(regexp = "openai|ollama|anthropic|gemini",
                    message = "must be openai, ollama, anthropic or gemini") String kind,
            @Schema(description = "The API root: http or https, a host, no user info, query or fragment. Hosts that"
                    + " are or resolve to internal addresses are refused unless the operator allows them.",
                    example = "https://gateway.example.org/v1") @NotBlank @Size(max = 2000) String baseUrl,
            @Schema(description = "The group it is for (its admins manage it, only its members see it); omit for"
                    + " the whole instance.", example = "2d7e9f10-3a4b-4c5d-8e6f-7a8b9c0d1e2f", nullable = true)
            @Nullable UUID groupId,
            @Schema(description = HEADERS, example = "{\"x-tenant\": \"research\"}", nullable = true)
            @Nullable @Size(max = 20) Map<String, String> headers,
            @Schema(description = "Whether members are offered it (default true).", example = "true",
                    nullable = true) @Nullable Boolean enabled,
            @Schema(description = "Call timeouts; omitted: 5 s, 60 s, 30 s, 10 min.", nullable = true,
                    example = "{\"connectMs\": 5000, \"firstTokenMs\": 60000, \"idleMs\": 30000,"
                            + " \"totalMs\": 600000}")
            @Nullable @Valid TimeoutsRequest timeouts) {
    }

    @Schema(description = "Changes to a connection; omitted fields keep their value. Name, kind and group stay.")
    record UpdateConnectionRequest(
            @Schema(description = "A new API root (checked as on creation).", example = "https://gw2.example.org/v1",
                    nullable = true) @Nullable @Size(min = 1, max = 2000) String baseUrl,
            @Schema(description = HEADERS + " Replaces all headers; a header given with the value `null` keeps its"
                    + " stored value.", example = "{\"x-tenant\": null, \"x-route\": \"eu\"}", nullable = true)
            @Nullable @Size(max = 20) Map<String, @Nullable String> headers,
            @Schema(description = "Whether members are offered it.", example = "false", nullable = true)
            @Nullable Boolean enabled,
            @Schema(description = "New call timeouts.", nullable = true,
                    example = "{\"connectMs\": 2000, \"firstTokenMs\": 30000, \"idleMs\": 15000,"
                            + " \"totalMs\": 300000}")
            @Nullable @Valid TimeoutsRequest timeouts) {
    }

    @Schema(description = "Connections.")
    record ConnectionList(List<Connection> items) {
    }

    @GetMapping
    @Operation(summary = "List connections", description = "The connections the caller manages: every one for"
            + " instance admins (configured ones first, marked `source: configuration`, read-only), the connections"
            + " of the groups they administer for group admins, none for other members (who see models through"
            + " `GET /api/v1/models`). Header values are never returned.")
    @ApiResponse(responseCode = "200", description = "The connections.")
    @ApiResponse(responseCode = "403", description = "`account_pending`: the account awaits approval.")
    ConnectionList list(EffectiveState state) {
        return new ConnectionList(connections.list(state));
    }

    @PostMapping
    @Operation(summary = "Register a connection", description = "Registers a connection for the whole instance"
            + " (instance admins) or for one group (`groupId`: instance admins, and the group's admins when the"
            + " instance setting `permissions.groupConnections` allows it). A group admin's URL never reaches"
            + " internal addresses unless the operator allows it separately. Applies to the next request on every"
            + " replica.")
    @ApiResponse(responseCode = "201", description = "The connection.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: a field is missing or invalid, or the"
            + " base URL is refused.")
    @ApiResponse(responseCode = "403", description = "`admin_required`: only instance admins register instance"
            + " connections; `group_connections_disabled`: group admins may not register connections here;"
            + " `forbidden`: the caller is a plain member of the group.")
    @ApiResponse(responseCode = "404", description = "`group_not_found`: no such group, or not yours.")
    @ApiResponse(responseCode = "409", description = "`connection_exists`: a connection has this name.")
    ResponseEntity<Connection> create(EffectiveState state, @Valid @RequestBody CreateConnectionRequest body) {
        Map<String, String> headers = body.headers() == null ? Map.of() : body.headers();
        headers.forEach((name, value) -> {
            if (value == null) {
                throw AtriumException.invalidField("headers", "header '" + name + "' needs a value");
            }
        });
        Connection created = connections.create(state, new ConnectionService.NewConnection(body.name(),
                ConnectionKind.of(body.kind()),
                body.baseUrl(), body.groupId(), headers, body.enabled() == null || body.enabled(),
                body.timeouts() == null ? null : body.timeouts().toTimeouts()));
        return ResponseEntity.status(HttpStatus.CREATED).body(created);
    }

    @GetMapping("/{connectionId}")
    @Operation(summary = "Read a connection", description = "A connection the caller manages. Header values are"
            + " never returned, only their names.")
    @ApiResponse(responseCode = "200", description = "The connection.")
    @ApiResponse(responseCode = "404", description = "`connection_not_found`: no such connection, or not yours.")
    Connection get(EffectiveState state,
                   @Parameter(description = ID) @PathVariable @Size(max = 100) String connectionId) {
        return connections.get(state.caller(), connectionId);
    }

    @PatchMapping("/{connectionId}")
    @Operation(summary = "Change a connection", description = "Changes base URL, headers, enabled or timeouts."
            + " Instance admins, and the group's admins for a group's connection while the instance allows group"
            + " connections. Applies to the next request on every replica; a changed connection's model list is"
            + " fetched again.")
    @ApiResponse(responseCode = "200", description = "The connection after the change.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: a field is invalid, or the base URL is"
            + " refused.")
    @ApiResponse(responseCode = "403", description = "`group_connections_disabled`: group admins may not change"
            + " connections here.")
    @ApiResponse(responseCode = "404", description = "`connection_not_found`: no such connection, or not yours.")
    @ApiResponse(responseCode = "409", description = "`connection_read_only`: a configured connection.")
    Connection update(EffectiveState state,
                      @Parameter(description = ID) @PathVariable @Size(max = 100) String connectionId,
                      @Valid @RequestBody UpdateConnectionRequest body) {
        return connections.update(state, connectionId, new ConnectionService.ConnectionChange(body.baseUrl(),
                body.headers(), body.enabled(), body.timeouts() == null ? null : body.timeouts().toTimeouts()));
    }

    @DeleteMapping("/{connectionId}")
    @Operation(summary = "Delete a connection", description = "Deletes a registered connection and its cached"
            + " model lists. Credentials and settings that name it stay, apply to nothing, and apply again to a"
            + " connection registered later under the same name. Instance admins, and the group's admins for a"
            + " group's connection.")
    @ApiResponse(responseCode = "204", description = "It is gone.")
    @ApiResponse(responseCode = "404", description = "`connection_not_found`: no such connection, or not yours.")
    @ApiResponse(responseCode = "409", description = "`connection_read_only`: a configured connection.")
    ResponseEntity<Void> delete(EffectiveState state,
                                @Parameter(description = ID) @PathVariable @Size(max = 100) String connectionId) {
        connections.delete(state.caller(), connectionId);
        return ResponseEntity.noContent().build();
    }
}
