package org.atrium.accounts;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Sign-in throttling ({@code atrium.signin.throttle.*}). Every attempt counts against the e-mail address it names
 * (whether or not an account has it) and against the client address it comes from; a successful sign-in clears the
 * account's count and takes its own attempt back from the address's. Once a count reaches its free attempts, each
 * further attempt locks the e-mail or the address for a backoff that doubles up to the maximum; while locked, every
 * attempt, even with the right password, is answered {@code 429 too_many_attempts} with {@code Retry-After} and costs
 * no password hashing.
 *
 * @param accountFreeAttempts attempts on one e-mail address before the first lock ({@code 5})
 * @param addressFreeAttempts unsuccessful attempts from one client address (an IPv6 address counts as its /64)
 *                            before the first lock ({@code 20})
 * @param initialBackoff      the first lock ({@code 1s}); each further attempt doubles it
 * @param maxBackoff          the longest lock ({@code 5m})
 * @param resetAfter          a count is forgotten this long after its last attempt ({@code 15m})
 */
@Validated
@ConfigurationProperties("atrium.signin.throttle")
public record SignInThrottleProperties(
        @DefaultValue("5") @Min(1) int accountFreeAttempts,
        @DefaultValue("20") @Min(1) int addressFreeAttempts,
        @DefaultValue("1s") @NotNull Duration initialBackoff,
        @DefaultValue("5m") @NotNull Duration maxBackoff,
        @DefaultValue("15m") @NotNull Duration resetAfter) {
}
