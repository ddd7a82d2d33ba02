package org.atrium.accounts;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How passwords are stored ({@code atrium.passwords.*}).
 *
 * @param hashCost the bcrypt cost (log2 of its rounds) of new password hashes, 4 to 16 ({@code 10}). Existing hashes
 *                 keep the cost they were made with. Only the test suite lowers it, to spend milliseconds rather than
 *                 a tenth of a second on each of its thousands of sign-ups.
 */
@Validated
@ConfigurationProperties("atrium.passwords")
record PasswordProperties(@DefaultValue("10") @Min(4) @Max(16) int hashCost) {
}
