package org.atrium.chat.presets;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;
import java.util.UUID;

/**
 * The knowledge a preset grounds its answers on by default: links to collections and files, in the order given.
 * A collection or file deleted later drops out of the lists (its link goes with it); whoever grounds an answer on them
 * checks the asking user's read access, as for knowledge attached to a chat.
 *
 * @param collectionIds collections, at most {@value #MAX_COLLECTIONS}
 * @param fileIds       files, at most {@value #MAX_FILES}
 */
@Schema(description = "A preset's default knowledge.")
public record PresetKnowledge(
        @ArraySchema(schema = @Schema(example = "2d7e9f10-3a4b-4c5d-8e6f-7a8b9c0d1e2f")) List<UUID> collectionIds,
        @ArraySchema(schema = @Schema(example = "3e8f0a21-4b5c-4d6e-9f70-8b9c0d1e2f30")) List<UUID> fileIds) {

    /** Most collections a preset names. */
    public static final int MAX_COLLECTIONS = 10;
    /** Most files a preset names. */
    public static final int MAX_FILES = 20;
    /** No knowledge. */
    public static final PresetKnowledge NONE = new PresetKnowledge(List.of(), List.of());

    /** Freezes the lists. */
    public PresetKnowledge {
        collectionIds = List.copyOf(collectionIds);
        fileIds = List.copyOf(fileIds);
    }

    /** @return whether it names nothing */
    public boolean isEmpty() {
        return collectionIds.isEmpty() && fileIds.isEmpty();
    }
}
