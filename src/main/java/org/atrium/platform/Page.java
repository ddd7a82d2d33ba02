package org.atrium.platform;

import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;

/**
 * One page of a listing. Every list endpoint takes {@code offset} (default 0) and {@code limit} (default 50, at most
 * 200) and answers with this shape.
 *
 * @param items  the items on this page
 * @param total  how many items match in all
 * @param offset how many were skipped
 * @param limit  the page size asked for
 * @param <T>    the item type
 */
@Schema(description = "One page of a listing.")
public record Page<T>(List<T> items, @Schema(example = "120") long total, @Schema(example = "0") int offset,
                      @Schema(example = "50") int limit) {

    /** Largest page a caller may ask for. */
    public static final int MAX_LIMIT = 200;
}
