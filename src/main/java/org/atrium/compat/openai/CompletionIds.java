package org.atrium.compat.openai;

import org.atrium.platform.RequestIds;

import java.time.Instant;

/**
 * What every object of one completion repeats.
 *
 * @param id      {@code chatcmpl-} and a random part
 * @param created seconds since the epoch
 * @param model   the model as the client named it
 */
record CompletionIds(String id, long created, String model) {

    /** @return ids for a new completion of the named model */
    static CompletionIds of(String model) {
        return new CompletionIds("chatcmpl-" + RequestIds.random().toString().replace("-", ""),
                Instant.now().getEpochSecond(), model);
    }
}
