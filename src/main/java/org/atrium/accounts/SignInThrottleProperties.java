package org.atrium.accounts;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Sign-in throttling ({@code atrium.signin.throttle.*}). Every attempt counts three times: against the e-mail address
 * it names (whether or not an account has it) from the client address it comes from, against the e-mail address from
 * every client address, and against the client address whatever e-mail it names. Once a count reaches its free
 * attempts, each further attempt locks it for a backoff that doubles up to the maximum; a locked attempt is answered
 * {@code 429 too_many_attempts} with {@code Retry-After}, even with the right password, and costs no password hashing.
 *
 * <p>So that nobody can lock an owner out, the lock of an e-mail address is per client address: failures from one
 * address never refuse the owner at another. The account-wide count bounds guessing spread over many addresses; its
 * lock refuses only addresses that have not signed in to the account successfully within {@code knownAddressFor}.
 * A successful sign-in clears its pair's count, takes its own attempt back from the other two, and makes the pair
 * known.
 *
 * @param accountFreeAttempts     attempts on one e-mail address from one client address before its first lock
 *                                ({@code 5})
 * @param accountWideFreeAttempts attempts on one e-mail address from all client addresses together before the first
 *                                account-wide lock ({@code 100})
 * @param addressFreeAttempts     unsuccessful attempts from one client address (an IPv6 address counts as its /64)
 *                                before its first lock ({@code 20})
 * @param initialBackoff          the first lock ({@code 1s}); each further attempt doubles it
 * @param maxBackoff              the longest lock ({@code 5m})
 * @param resetAfter              a count is forgotten this long after its last attempt ({@code 15m})
 * @param knownAddressFor         a client address stays known to an account this long after its last successful
 *                                sign-in ({@code 30d})
 */
@Validated
@ConfigurationProperties("atrium.signin.throttle")
public record SignInThrottleProperties(
        @DefaultValue("5") @Min(1) int accountFreeAttempts,
        @DefaultValue("100") @Min(1) int accountWideFreeAttempts,
        @DefaultValue("20") @Min(1) int addressFreeAttempts,
        @DefaultValue("1s") @NotNull Duration initialBackoff,
        @DefaultValue("5m") @NotNull Duration maxBackoff,
        @DefaultValue("15m") @NotNull Duration resetAfter,
        @DefaultValue("30d") @NotNull Duration knownAddressFor) {
}
