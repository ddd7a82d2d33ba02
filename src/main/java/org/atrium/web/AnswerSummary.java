package org.atrium.web;

import org.atrium.chat.AnswerDetails;
import org.atrium.chat.AnswerTimings;
import org.atrium.chat.TokenUsage;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The line under an answer, shown when it is hovered or focused: its model, its tokens and its timings, as
 * {@code chat.js} writes it for an answer that ends while the page is open.
 */
public final class AnswerSummary {

    private AnswerSummary() {
    }

    /** @return for example "openai/gpt-4o-mini · 812 tokens in, 240 out · first token 0.42 s · 5.31 s in all" */
    public static String of(AnswerDetails answer) {
        List<String> parts = new ArrayList<>(List.of(answer.model()));
        TokenUsage usage = answer.usage();
        if (usage != null && usage.inputTokens() != null && usage.outputTokens() != null) {
            parts.add(usage.inputTokens() + " tokens in, " + usage.outputTokens() + " out"
                    + (usage.estimated() ? " (estimated)" : ""));
        }
        AnswerTimings timings = answer.timings();
        if (timings != null && timings.timeToFirstTokenMs() != null) {
            parts.add("first token " + seconds(timings.timeToFirstTokenMs()));
        }
        if (timings != null && timings.durationMs() != null) {
            parts.add(seconds(timings.durationMs()) + " in all");
        }
        return String.join(" · ", parts);
    }

    private static String seconds(int millis) {
        return String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
    }
}
