package org.atrium.chat;

import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Instant;
import java.util.List;

/**
 * What is streaming now, by model and connection.
 *
 * @param models  one entry per model and connection with at least one answer streaming, most streams first
 * @param streams every answer streaming, all models together
 * @param partial whether the view holds only this replica's streams, because Redis could not be read
 * @param at      when the view was taken
 */
@Schema(description = "The models with answers streaming now, across every replica.")
public record ModelsInUseView(List<Model> models, @Schema(example = "3") int streams,
                              @Schema(description = "True when Redis could not be read and only this replica's"
                                      + " streams are shown.", example = "false") boolean partial,
                              @Schema(example = "2026-12-02T08:00:00Z") Instant at) {

    /** Freezes the list. */
    public ModelsInUseView {
        models = List.copyOf(models);
    }

    /**
     * One model on one connection.
     *
     * @param model      the model's id
     * @param connection the connection's name
     * @param streams    answers streaming with it now
     * @param replicas   the replicas streaming them, sorted
     */
    @Schema(description = "One model on one connection with answers streaming.")
    public record Model(@Schema(example = "gpt-4o") String model, @Schema(example = "openai") String connection,
                        @Schema(example = "2") int streams,
                        @Schema(example = "[\"atrium-7d9f-abcde\"]") List<String> replicas) {

        /** Freezes the list. */
        public Model {
            replicas = List.copyOf(replicas);
        }
    }
}
