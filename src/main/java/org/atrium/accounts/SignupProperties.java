package org.atrium.accounts;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Who may create an account ({@code atrium.signup.*}). The first account always becomes instance admin.
 *
 * @param enabled     whether sign-up is open ({@code true}); when closed only the very first account can sign up
 * @param defaultRole role given to later sign-ups: {@code pending} (an admin approves them, the default) or
 *                    {@code user}
 */
@Validated
@ConfigurationProperties("atrium.signup")
public record SignupProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("pending") @NotNull Role defaultRole) {

    /** Refuses {@code admin}: instance admins are made by admins, never by signing up. */
    public SignupProperties {
        if (defaultRole == Role.ADMIN) {
            throw new IllegalArgumentException(
                    "atrium.signup.default-role (ATRIUM_SIGNUP_DEFAULT_ROLE) must be pending or user, not admin");
        }
    }
}
