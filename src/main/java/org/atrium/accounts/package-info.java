/**
 * Accounts: users and their roles, sign-up and sign-in, sessions, personal API keys, groups, group membership and
 * invitations. The facades {@link org.atrium.accounts.AccountService}, {@link org.atrium.accounts.ApiKeyService},
 * {@link org.atrium.accounts.GroupService} and {@link org.atrium.accounts.GroupInvitationService} are the module's
 * API; every other type is a value they take or return.
 */
@NullMarked
@ApplicationModule(displayName = "Accounts", allowedDependencies = {"platform", "cache"})
package org.atrium.accounts;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
