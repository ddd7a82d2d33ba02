package org.atrium.chat;

import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;
import java.util.UUID;

/**
 * A message among the messages that share its parent (its versions: edited questions, regenerated answers), oldest
 * first. A client shows it as "{@code index + 1}/{@code count}" and switches with one of {@code ids}.
 *
 * @param index its position in {@code ids}, from 0
 * @param count how many there are, itself included
 * @param ids   their ids, oldest first
 */
@Schema(description = "A message among its siblings (the messages with the same parent), oldest first.")
public record Siblings(@Schema(example = "1") int index, @Schema(example = "3") int count, List<UUID> ids) {
}
