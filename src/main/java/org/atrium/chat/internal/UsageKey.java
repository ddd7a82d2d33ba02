package org.atrium.chat.internal;

import org.atrium.chat.UsageEvent;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * What buffered usage is aggregated by, the primary key of {@code usage_hourly}.
 *
 * @param hour       the UTC hour the calls ended in
 * @param userId     the caller
 * @param groupId    the charged group, {@link #NO_GROUP} for none
 * @param model      the model's id
 * @param connection the connection's name
 */
record UsageKey(Instant hour, UUID userId, UUID groupId, String model, String connection) {

    /** Stands for "charged to no group" in the table, whose primary key cannot hold a null. */
    static final UUID NO_GROUP = new UUID(0, 0);

    static UsageKey of(UsageEvent event) {
        return new UsageKey(event.at().truncatedTo(ChronoUnit.HOURS), event.userId(),
                event.groupId() == null ? NO_GROUP : event.groupId(), event.model(), event.connection());
    }
}
