package org.atrium.chat.internal;

import org.atrium.accounts.Caller;
import org.atrium.accounts.GroupService;
import org.atrium.chat.UsageQuery;
import org.atrium.chat.UsageReports;
import org.atrium.chat.UsageRow;
import org.atrium.platform.AtriumException;
import org.atrium.platform.Page;

import java.time.Duration;
import java.util.UUID;

/** {@link UsageReports}: the rules (who may read what, bounded periods), then one query. */
final class UsageReportService implements UsageReports {

    private final UsageStore store;
    private final GroupService groups;

    UsageReportService(UsageStore store, GroupService groups) {
        this.store = store;
        this.groups = groups;
    }

    @Override
    public Page<UsageRow> instance(Caller caller, UsageQuery query) {
        caller.requireAdmin();
        check(query);
        return store.report(query, null);
    }

    @Override
    public Page<UsageRow> group(Caller caller, UUID groupId, UsageQuery query) {
        groups.requireGroupAdmin(caller, groupId);
        check(query);
        return store.report(query, groupId);
    }

    /** Bounds the work one report can ask for: the period, and the page. */
    private static void check(UsageQuery query) {
        if (!query.from().isBefore(query.to())) {
            throw AtriumException.invalidField("to", "The period must end after it starts.");
        }
        int maxDays = query.granularity() == UsageQuery.Granularity.DAY
                ? UsageQuery.MAX_DAYS_BY_DAY : UsageQuery.MAX_DAYS_BY_HOUR;
        if (Duration.between(query.from(), query.to()).compareTo(Duration.ofDays(maxDays)) > 0) {
            throw AtriumException.invalidField("from", "A period by " + query.granularity().name().toLowerCase()
                    + " may span at most " + maxDays + " days.");
        }
        if (query.offset() < 0 || query.limit() < 1 || query.limit() > Page.MAX_LIMIT) {
            throw AtriumException.invalidField("limit", "offset must be at least 0 and limit between 1 and "
                    + Page.MAX_LIMIT + ".");
        }
    }
}
