package org.atrium.web;

import io.swagger.v3.oas.annotations.Hidden;
import org.atrium.accounts.Group;
import org.atrium.accounts.GroupService;
import org.atrium.chat.ModelsInUse;
import org.atrium.chat.UsageQuery;
import org.atrium.chat.UsageReports;
import org.atrium.chat.UsageRow;
import org.atrium.platform.AtriumException;
import org.atrium.platform.Page;
import org.atrium.settings.EffectiveState;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.json.JsonMapper;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Usage dashboards: tokens per day charted by user, group, model or connection over the last 7, 30 or 90 days, with
 * the totals as a table; for instance admins the whole instance's usage and the models streaming right now (kept
 * live by the page), for a group's admins what was charged to their group. Read through the same reports as the
 * usage API, whose rules decide who sees what.
 */
@Controller
@Hidden // pages, not API: they stay out of the OpenAPI document
class UsagePages {

    /** Periods offered, in days. */
    static final List<Integer> PERIODS = List.of(7, 30, 90);
    /** Rows read at most for one dashboard: 90 days of 55 values; a larger report says it is incomplete. */
    static final int MAX_PAGES = 25;

    private static final Map<String, String> INSTANCE_DIMENSIONS = dimensions(UsageQuery.Dimension.MODEL,
            UsageQuery.Dimension.USER, UsageQuery.Dimension.GROUP, UsageQuery.Dimension.CONNECTION);
    private static final Map<String, String> GROUP_DIMENSIONS = dimensions(UsageQuery.Dimension.USER,
            UsageQuery.Dimension.MODEL, UsageQuery.Dimension.CONNECTION);

    private final UsageReports reports;
    private final ModelsInUse modelsInUse;
    private final GroupService groups;
    private final JsonMapper json;

    UsagePages(UsageReports reports, ModelsInUse modelsInUse, GroupService groups, JsonMapper json) {
        this.reports = reports;
        this.modelsInUse = modelsInUse;
        this.groups = groups;
        this.json = json;
    }

    @GetMapping("/admin/usage")
    String instance(EffectiveState state, @RequestParam(defaultValue = "30") String days,
                    @RequestParam(defaultValue = "model") String by, CsrfToken csrf, Model model) {
        state.caller().requireAdmin();
        UsageQuery query = query(days, by, INSTANCE_DIMENSIONS);
        model.addAttribute("heading", "Usage");
        model.addAttribute("path", "/admin/usage");
        model.addAttribute("back", "/admin");
        model.addAttribute("backLabel", "Administration");
        model.addAttribute("modelsInUse", modelsInUse.view());
        return view(state, csrf, model, query, INSTANCE_DIMENSIONS, q -> reports.instance(state.caller(), q));
    }

    @GetMapping("/groups/{groupId}/usage")
    String group(EffectiveState state, @PathVariable UUID groupId, @RequestParam(defaultValue = "30") String days,
                 @RequestParam(defaultValue = "user") String by, CsrfToken csrf, Model model) {
        Group group;
        try {
            group = groups.requireVisible(state.caller(), groupId);
        } catch (AtriumException missing) {
            if (missing.status() == HttpStatus.NOT_FOUND) {
                return "redirect:/settings";
            }
            throw missing;
        }
        if (!groups.manages(state.caller(), groupId)) { // plain members see no usage: their group's page
            return "redirect:/groups/" + groupId;
        }
        UsageQuery query = query(days, by, GROUP_DIMENSIONS);
        model.addAttribute("heading", "Usage charged to " + group.name());
        model.addAttribute("path", "/groups/" + groupId + "/usage");
        model.addAttribute("back", "/groups/" + groupId);
        model.addAttribute("backLabel", group.name());
        model.addAttribute("modelsInUse", null);
        return view(state, csrf, model, query, GROUP_DIMENSIONS, q -> reports.group(state.caller(), groupId, q));
    }

    private String view(EffectiveState state, CsrfToken csrf, Model model, UsageQuery query,
                        Map<String, String> dimensions, Function<UsageQuery, Page<UsageRow>> report) {
        List<UsageRow> rows = new ArrayList<>();
        boolean truncated = false;
        for (int page = 0; ; page++) {
            Page<UsageRow> read = report.apply(new UsageQuery(query.from(), query.to(), query.granularity(),
                    query.groupBy(), page * Page.MAX_LIMIT, Page.MAX_LIMIT));
            rows.addAll(read.items());
            if (rows.size() >= read.total() || read.items().isEmpty()) {
                break;
            }
            if (page + 1 == MAX_PAGES) {
                truncated = true;
                break;
            }
        }
        UsageDashboard dashboard = UsageDashboard.of(query, rows, truncated);
        Map<String, Object> chart = new LinkedHashMap<>();
        chart.put("days", dashboard.days().stream().map(LocalDate::toString).toList());
        chart.put("series", dashboard.series());
        model.addAttribute("page", PageContext.of(csrf, state.caller()));
        model.addAttribute("periods", PERIODS);
        model.addAttribute("days", dashboard.days().size());
        model.addAttribute("by", query.groupBy().name().toLowerCase(Locale.ROOT));
        model.addAttribute("dimensions", dimensions);
        model.addAttribute("dashboard", dashboard);
        model.addAttribute("chart", json.writeValueAsString(chart));
        return "usage";
    }

    /** A period or dimension that is not offered falls back to the default rather than failing the page. */
    private static UsageQuery query(String days, String by, Map<String, String> dimensions) {
        int period = PERIODS.stream().filter(p -> p.toString().equals(days)).findFirst().orElse(30);
        String dimension = dimensions.containsKey(by) ? by : dimensions.keySet().iterator().next();
        LocalDate tomorrow = LocalDate.now(ZoneOffset.UTC).plusDays(1);
        return new UsageQuery(tomorrow.minusDays(period).atStartOfDay(ZoneOffset.UTC).toInstant(),
                tomorrow.atStartOfDay(ZoneOffset.UTC).toInstant(), UsageQuery.Granularity.DAY,
                UsageQuery.Dimension.valueOf(dimension.toUpperCase(Locale.ROOT)), 0, Page.MAX_LIMIT);
    }

    private static Map<String, String> dimensions(UsageQuery.Dimension... offered) {
        Map<String, String> named = new LinkedHashMap<>();
        for (UsageQuery.Dimension dimension : offered) {
            named.put(dimension.name().toLowerCase(Locale.ROOT), switch (dimension) {
                case USER -> "User";
                case GROUP -> "Group";
                case MODEL -> "Model";
                case CONNECTION -> "Connection";
            });
        }
        return Collections.unmodifiableMap(named);
    }
}
