package org.atrium.providers;

import org.jspecify.annotations.Nullable;

/**
 * A piece of a tool call as it streams: the first piece of a call carries its id and name, later ones more of its
 * arguments.
 *
 * @param index          which call of the answer this belongs to (0, 1, ...)
 * @param id             the call's id, on its first piece
 * @param name           the tool's name, on its first piece
 * @param argumentsDelta more JSON text of the arguments (possibly empty)
 */
public record ToolCallDelta(int index, @Nullable String id, @Nullable String name, String argumentsDelta) {
}
