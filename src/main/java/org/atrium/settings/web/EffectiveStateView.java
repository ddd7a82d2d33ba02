package org.atrium.settings.web;

import io.swagger.v3.oas.annotations.media.Schema;
import org.atrium.accounts.AccessProfile;
import org.atrium.accounts.Permission;
import org.atrium.accounts.Role;
import org.atrium.settings.EffectiveCredential;
import org.atrium.settings.EffectiveState;
import org.atrium.settings.EffectiveValue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The effective state as clients see it: sorted, with no internal versions.
 *
 * @param userId      the account
 * @param email       its e-mail address
 * @param role        its role
 * @param permissions granted permissions
 * @param groups      its groups, highest priority first
 * @param settings    setting key to effective value and source
 * @param credentials credential per provider connection
 */
@Schema(description = "An account's effective state.")
record EffectiveStateView(UUID userId, String email, Role role, List<Permission> permissions,
                          List<AccessProfile.Membership> groups, Map<String, EffectiveValue> settings,
                          List<EffectiveCredential> credentials) {

    static EffectiveStateView of(EffectiveState state) {
        return new EffectiveStateView(state.caller().userId(), state.caller().email(), state.caller().role(),
                List.copyOf(new TreeSet<>(state.caller().permissions())), state.groups(),
                new TreeMap<>(state.settings()), state.credentials());
    }
}
