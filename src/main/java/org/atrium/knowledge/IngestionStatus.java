package org.atrium.knowledge;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a file's ingestion into one embedding space stands. */
public enum IngestionStatus {
    /** Waiting for a replica to pick the job up. */
    @JsonProperty("queued") QUEUED,
    /** Text is being extracted and chunked. */
    @JsonProperty("extracting") EXTRACTING,
    /** Chunks are being embedded; see chunks done and total. */
    @JsonProperty("embedding") EMBEDDING,
    /** Every chunk is embedded and searchable. */
    @JsonProperty("ready") READY,
    /** Ingestion stopped; the failure reason says why and what to do. */
    @JsonProperty("failed") FAILED;

    String sql() {
        return name().toLowerCase();
    }

    static IngestionStatus fromSql(String value) {
        return valueOf(value.toUpperCase());
    }
}
