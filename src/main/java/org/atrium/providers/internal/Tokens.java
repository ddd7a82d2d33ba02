package org.atrium.providers.internal;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import org.atrium.providers.ChatMessage;
import org.atrium.providers.ChatRequest;
import org.atrium.providers.ToolCall;
import org.atrium.providers.ToolDefinition;

import java.util.List;

/**
 * Counts tokens when a provider does not report usage, with OpenAI's o200k_base encoding: exact for current OpenAI
 * models, within a few percent for others, which is what quotas and usage reports need. Thread-safe.
 */
public final class Tokens {

    /** Per-message overhead of the chat format (role and separators), as OpenAI documents it. */
    private static final int PER_MESSAGE = 4;
    private static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

    private Tokens() {
    }

    /**
     * @param request the request
     * @return its prompt's tokens: messages, tool calls and results, tool definitions; images are not counted
     */
    public static int input(ChatRequest request) {
        int count = 3;
        for (ChatMessage message : request.messages()) {
            count += PER_MESSAGE + count(message.text());
            for (ToolCall call : message.toolCalls()) {
                count += count(call.name()) + count(call.arguments());
            }
        }
        for (ToolDefinition tool : request.tools()) {
            count += count(tool.name()) + count(tool.description() == null ? "" : tool.description())
                    + count(tool.parameters().toString());
        }
        return count;
    }

    /**
     * @param text  the answer's text
     * @param calls its tool calls
     * @return the answer's tokens
     */
    public static int output(String text, List<ToolCall> calls) {
        int count = count(text);
        for (ToolCall call : calls) {
            count += count(call.name()) + count(call.arguments());
        }
        return count;
    }

    /**
     * @param text any text
     * @return its tokens by o200k_base
     */
    public static int count(String text) {
        return text.isEmpty() ? 0 : ENCODING.countTokensOrdinary(text);
    }
}
