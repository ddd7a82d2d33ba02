package org.atrium.knowledge;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * How many of a collection's files stand where in their ingestion into the collection's embedding model, counted as
 * the file listing shows them (a file without an index in the collection's model yet counts as failed, with the
 * reason the listing gives).
 *
 * @param total   all files of the collection
 * @param queued  waiting for a job
 * @param running being extracted or embedded
 * @param ready   searchable
 * @param failed  stopped, each with a reason in the listing
 */
@Schema(description = "A collection's files by ingestion status. Ingestion is settled when `queued` and `running` are"
        + " both 0.")
public record FileCounts(
        @Schema(example = "120") long total,
        @Schema(example = "10") long queued,
        @Schema(example = "2") long running,
        @Schema(example = "105") long ready,
        @Schema(example = "3") long failed) {

    /** No files. */
    public static final FileCounts NONE = new FileCounts(0, 0, 0, 0, 0);

    /** @return true when no file is queued or running */
    public boolean settled() {
        return queued == 0 && running == 0;
    }
}
