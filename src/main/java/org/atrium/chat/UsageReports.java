package org.atrium.chat;

import org.atrium.accounts.Caller;
import org.atrium.platform.Page;

import java.util.UUID;

/**
 * Usage reports from the aggregated usage in PostgreSQL (what replicas have flushed: up to
 * {@code atrium.usage.flush-interval} behind).
 */
public interface UsageReports {

    /**
     * Usage of every user, for instance admins.
     *
     * @param caller the current caller
     * @param query  period, buckets, dimension and page
     * @return one page of rows, by period then key
     * @throws org.atrium.platform.AtriumException {@code admin_required} (403); {@code validation_failed} (400) for
     *                                             a period that is empty, reversed or too long
     */
    Page<UsageRow> instance(Caller caller, UsageQuery query);

    /**
     * Usage charged to one group, for the group's admins and instance admins.
     *
     * @param caller  the current caller
     * @param groupId the group
     * @param query   period, buckets, dimension and page
     * @return one page of rows, by period then key
     * @throws org.atrium.platform.AtriumException {@code group_not_found} (404) for non-members, {@code forbidden}
     *                                             (403) for plain members, {@code validation_failed} (400)
     */
    Page<UsageRow> group(Caller caller, UUID groupId, UsageQuery query);
}
