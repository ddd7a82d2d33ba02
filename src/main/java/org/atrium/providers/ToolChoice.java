package org.atrium.providers;

import java.util.Objects;

/**
 * Whether, and which of, the request's tools the model must call: OpenAI's {@code tool_choice}. A {@link ChatRequest}
 * without one leaves the provider's default (the model decides). Each kind gets it in its own words:
 * <table>
 *   <caption>The wire shape per provider kind</caption>
 *   <tr><th></th><th>OpenAI-compatible</th><th>Anthropic</th><th>Gemini {@code functionCallingConfig}</th>
 *       <th>Ollama</th></tr>
 *   <tr><td>{@link Mode#AUTO}</td><td>{@code "auto"}</td><td>{@code {"type":"auto"}}</td>
 *       <td>{@code mode: AUTO}</td><td>nothing (its only behaviour)</td></tr>
 *   <tr><td>{@link Mode#NONE}</td><td>{@code "none"}</td><td>{@code {"type":"none"}}</td>
 *       <td>{@code mode: NONE}</td><td>the tools are not sent</td></tr>
 *   <tr><td>{@link Mode#REQUIRED}</td><td>{@code "required"}</td><td>{@code {"type":"any"}}</td>
 *       <td>{@code mode: ANY}</td><td>refused, {@code provider_unsupported}</td></tr>
 *   <tr><td>{@link Function}</td><td>{@code {"type":"function","function":{"name":...}}}</td>
 *       <td>{@code {"type":"tool","name":...}}</td><td>{@code mode: ANY, allowedFunctionNames: [...]}</td>
 *       <td>refused, {@code provider_unsupported}</td></tr>
 * </table>
 * With no tools in the request nothing is sent, since the APIs refuse a choice without tools.
 */
public sealed interface ToolChoice permits ToolChoice.Mode, ToolChoice.Function {

    /**
     * @param name the function, one of the request's {@link ToolDefinition tools}
     * @return the choice that makes the model call exactly that function
     * @throws IllegalArgumentException when the name is not a valid tool name
     */
    static ToolChoice function(String name) {
        return new Function(name);
    }

    /** @return true when the model must call a tool, so the request needs at least one */
    boolean requiresCall();

    /** A choice that names no function. */
    enum Mode implements ToolChoice {
        /** The model decides between answering and calling any of the tools. */
        AUTO,
        /** The model answers without calling a tool. */
        NONE,
        /** The model calls at least one of the tools. */
        REQUIRED;

        @Override
        public boolean requiresCall() {
            return this == REQUIRED;
        }
    }

    /**
     * The model calls this function.
     *
     * @param name the function's name, as in its {@link ToolDefinition}
     */
    record Function(String name) implements ToolChoice {

        /** Requires a valid tool name. */
        public Function {
            Objects.requireNonNull(name, "name");
            if (!ToolDefinition.validName(name)) {
                throw new IllegalArgumentException("The tool choice names a function by 1 to 64 letters, digits, '_'"
                        + " or '-'");
            }
        }

        @Override
        public boolean requiresCall() {
            return true;
        }
    }
}
