package org.atrium.chat.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.atrium.accounts.Caller;
import org.atrium.chat.UsageQuery;
import org.atrium.chat.UsageReports;
import org.atrium.chat.UsageRow;
import org.atrium.platform.Page;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/** Usage reports over HTTP, as JSON or CSV. */
@RestController
@Tag(name = "Usage", description = "Token usage by period, user, group, model and connection (admins).")
class UsageController {

    private static final String CSV = "text/csv";
    private static final String DESCRIPTION = " Periods are half-open (`from` included, `to` excluded), counted in"
            + " whole UTC hours, at most 366 days by day and 31 by hour; without them, the last 7 days (by day) or"
            + " 24 hours (by hour) up to the end of the current hour. Usage reaches the report when replicas flush"
            + " it (every `atrium.usage.flush-interval`, 5 s by default). The answer is JSON, or CSV (the same rows,"
            + " with a header line) with `format=csv` or `Accept: text/csv`.";

    private final UsageReports reports;

    UsageController(UsageReports reports) {
        this.reports = reports;
    }

    /** The JSON answer's shape, for the OpenAPI document. */
    @Schema(description = "One page of usage rows, by period then key.")
    record UsagePage(List<UsageRow> items, @Schema(example = "120") long total, @Schema(example = "0") int offset,
                     @Schema(example = "50") int limit) {
    }

    @GetMapping(path = "/api/v1/usage", produces = {MediaType.APPLICATION_JSON_VALUE, CSV})
    @Operation(summary = "Read everyone's usage",
            description = "Requests and tokens of every user, by UTC day or hour, grouped by user, group (the group"
                    + " each call was charged to), model or connection. Instance admins only." + DESCRIPTION)
    @ApiResponse(responseCode = "200", description = "One page of rows.", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = UsagePage.class)),
            @Content(mediaType = CSV, schema = @Schema(type = "string", example = UsageCsv.EXAMPLE))})
    @ApiResponse(responseCode = "400", description = "`validation_failed`: a period that is reversed, empty or too"
            + " long, an unknown granularity, dimension or format, or `offset`/`limit` out of range.")
    @ApiResponse(responseCode = "401", description = "`unauthenticated`: no valid session or key was sent.")
    @ApiResponse(responseCode = "403", description = "`admin_required`: the caller is not an instance admin.")
    ResponseEntity<?> instance(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                               @Parameter(description = "Start of the period: an ISO-8601 instant or a date (UTC"
                                       + " midnight).", example = "2026-11-25") @RequestParam(required = false)
                               @Nullable String from,
                               @Parameter(description = "End of the period (excluded), like `from`.",
                                       example = "2026-12-02") @RequestParam(required = false) @Nullable String to,
                               @Parameter(description = "`day` or `hour`.", example = "day")
                               @RequestParam(defaultValue = "day") String granularity,
                               @Parameter(description = "`user`, `group`, `model` or `connection`.",
                                       example = "model") @RequestParam(defaultValue = "user") String groupBy,
                               @Parameter(description = "`json` or `csv`; overrides `Accept`.", example = "json")
                               @RequestParam(required = false) @Nullable String format,
                               @Parameter(description = "How many rows to skip.", example = "0")
                               @RequestParam(defaultValue = "0") @Min(0) int offset,
                               @Parameter(description = "Page size, 1 to 200.", example = "50")
                               @RequestParam(defaultValue = "50") @Min(1) @Max(Page.MAX_LIMIT) int limit,
                               @Parameter(hidden = true) @RequestHeader(value = HttpHeaders.ACCEPT, required = false)
                               @Nullable String accept) {
        UsageQuery query = UsageParameters.query(from, to, granularity, groupBy, offset, limit);
        return answer(format, accept, q -> reports.instance(caller, q), query);
    }

    @GetMapping(path = "/api/v1/groups/{groupId}/usage", produces = {MediaType.APPLICATION_JSON_VALUE, CSV})
    @Operation(summary = "Read a group's usage",
            description = "Requests and tokens charged to the group (by its members, when the group's credential"
                    + " paid or it was their highest-priority group), by UTC day or hour, grouped by user, model or"
                    + " connection. Instance admins and the group's admins." + DESCRIPTION)
    @ApiResponse(responseCode = "200", description = "One page of rows.", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = UsagePage.class)),
            @Content(mediaType = CSV, schema = @Schema(type = "string", example = UsageCsv.EXAMPLE))})
    @ApiResponse(responseCode = "400", description = "`validation_failed`: a period that is reversed, empty or too"
            + " long, an unknown granularity, dimension or format, or `offset`/`limit` out of range.")
    @ApiResponse(responseCode = "401", description = "`unauthenticated`: no valid session or key was sent.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller is a plain member of the group.")
    @ApiResponse(responseCode = "404", description = "`group_not_found`: no such group, or the caller is not a"
            + " member.")
    ResponseEntity<?> group(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                            @Parameter(description = "The group's id.") @PathVariable UUID groupId,
                            @Parameter(description = "Start of the period: an ISO-8601 instant or a date (UTC"
                                    + " midnight).", example = "2026-11-25") @RequestParam(required = false)
                            @Nullable String from,
                            @Parameter(description = "End of the period (excluded), like `from`.",
                                    example = "2026-12-02") @RequestParam(required = false) @Nullable String to,
                            @Parameter(description = "`day` or `hour`.", example = "day")
                            @RequestParam(defaultValue = "day") String granularity,
                            @Parameter(description = "`user`, `group`, `model` or `connection`.", example = "user")
                            @RequestParam(defaultValue = "user") String groupBy,
                            @Parameter(description = "`json` or `csv`; overrides `Accept`.", example = "json")
                            @RequestParam(required = false) @Nullable String format,
                            @Parameter(description = "How many rows to skip.", example = "0")
                            @RequestParam(defaultValue = "0") @Min(0) int offset,
                            @Parameter(description = "Page size, 1 to 200.", example = "50")
                            @RequestParam(defaultValue = "50") @Min(1) @Max(Page.MAX_LIMIT) int limit,
                            @Parameter(hidden = true) @RequestHeader(value = HttpHeaders.ACCEPT, required = false)
                            @Nullable String accept) {
        UsageQuery query = UsageParameters.query(from, to, granularity, groupBy, offset, limit);
        return answer(format, accept, q -> reports.group(caller, groupId, q), query);
    }

    private static ResponseEntity<?> answer(@Nullable String format, @Nullable String accept,
                                            Function<UsageQuery, Page<UsageRow>> report, UsageQuery query) {
        boolean csv = UsageParameters.wantsCsv(format, accept);
        Page<UsageRow> page = report.apply(query);
        if (!csv) {
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(page);
        }
        return ResponseEntity.ok()
                .contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"usage.csv\"")
                .header("X-Total-Count", Long.toString(page.total()))
                .body(UsageCsv.write(page.items()));
    }
}
