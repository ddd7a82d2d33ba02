package org.atrium.chat.presets;

import org.atrium.chat.AnswerParameters;
import org.atrium.providers.ChatMessage;
import org.atrium.providers.ChatRequest;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;

/**
 * How to make one answer, for the model an answer was asked of: a catalogue model as it is, or a preset turned into
 * its base model, parameters, system prompt, fallback models and default knowledge.
 *
 * @param modelId      the catalogue id to answer with
 * @param parameters   the parameters: the request's, each one it leaves out taken from the preset
 * @param systemPrompt the preset's system prompt, empty for none
 * @param fallbacks    the fallback models
 * @param preset       the preset, or null for a catalogue model
 * @param knowledge    the preset's default knowledge
 */
public record PresetRun(String modelId, AnswerParameters parameters, String systemPrompt, Fallbacks fallbacks,
                        @Nullable Preset preset, PresetKnowledge knowledge) {

    /** @return a run of a catalogue model, as asked */
    static PresetRun direct(String modelId, AnswerParameters parameters) {
        return new PresetRun(modelId, parameters, "", Fallbacks.NONE, null, PresetKnowledge.NONE);
    }

    /**
     * Adds the preset's system prompt to a request: after the effective {@code systemPrompt} setting's, separated by
     * a blank line, in the one system message at the start; or as that message when there is none.
     *
     * @param request the request as built for the conversation
     * @return the request with the preset's system prompt
     */
    public ChatRequest apply(ChatRequest request) {
        if (systemPrompt.isBlank()) {
            return request;
        }
        List<ChatMessage> messages = new ArrayList<>(request.messages());
        ChatMessage first = messages.getFirst();
        if (first.role() == ChatMessage.Role.SYSTEM && !first.text().isBlank()) {
            messages.set(0, ChatMessage.system(first.text() + "\n\n" + systemPrompt));
        } else {
            messages.addFirst(ChatMessage.system(systemPrompt));
        }
        return new ChatRequest(request.model(), messages, request.tools(), request.toolChoice(),
                request.responseFormat(), request.temperature(), request.topP(), request.maxTokens(), request.stop(),
                request.seed());
    }
}
