package org.atrium.chat;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Task-model calls: chat titles and autocompletion ({@code atrium.chat.tasks.*}).
 *
 * @param titleTimeout            the longest a title takes, model lookup and call together; past it the call is
 *                                cancelled and the chat keeps its title ({@code 10s})
 * @param titleMaxTokens          most output tokens of a title call ({@code 40})
 * @param titlesInFlight          titles one replica generates at once; an answer that ends while as many are running
 *                                gets none ({@code 64})
 * @param autocompletionTimeout   the longest an autocompletion request takes, model lookup and call together; past it
 *                                the call is cancelled and the answer is {@code 204} ({@code 1s})
 * @param autocompletionMaxTokens most output tokens of an autocompletion call ({@code 32})
 */
@Validated
@ConfigurationProperties("atrium.chat.tasks")
record TaskProperties(
        @DefaultValue("10s") @NotNull Duration titleTimeout,
        @DefaultValue("40") @Min(1) @Max(1_000) int titleMaxTokens,
        @DefaultValue("64") @Min(1) @Max(10_000) int titlesInFlight,
        @DefaultValue("1s") @NotNull Duration autocompletionTimeout,
        @DefaultValue("32") @Min(1) @Max(1_000) int autocompletionMaxTokens) {
}
