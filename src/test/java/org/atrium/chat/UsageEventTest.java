package org.atrium.chat;

import org.atrium.accounts.AccessProfile;
import org.atrium.accounts.Caller;
import org.atrium.accounts.GroupRole;
import org.atrium.accounts.Role;
import org.atrium.cache.Stamp;
import org.atrium.settings.EffectiveCredential;
import org.atrium.settings.EffectiveState;
import org.atrium.settings.EffectiveValue;
import org.atrium.settings.SettingKey;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which group a call is charged to, the quotas read from effective settings, and the event's own checks. */
class UsageEventTest {

    private static final UUID USER = UUID.randomUUID();
    private static final UUID FIRST = UUID.randomUUID();
    private static final UUID SECOND = UUID.randomUUID();

    private static EffectiveState state(List<AccessProfile.Membership> groups, List<EffectiveCredential> credentials,
                                        Map<String, EffectiveValue> settings) {
        Caller caller = new Caller(USER, "a@example.org", "A", Role.USER, Caller.Credential.SESSION,
                UUID.randomUUID(), Set.of());
        return new EffectiveState(caller, Instant.now(), groups, settings, credentials, Stamp.of(Map.of()));
    }

    private static final List<AccessProfile.Membership> TWO_GROUPS = List.of(
            new AccessProfile.Membership(FIRST, "first", 10, GroupRole.MEMBER),
            new AccessProfile.Membership(SECOND, "second", 1, GroupRole.MEMBER));

    @Test
    void theGroupWhoseCredentialPaidIsCharged() {
        EffectiveState state = state(TWO_GROUPS, List.of(
                new EffectiveCredential("openai", UUID.randomUUID(), "virtual_key", "sk-...abcd", "group:" + SECOND),
                new EffectiveCredential("ollama", UUID.randomUUID(), "api_key", "...", "user")), Map.of());
        assertThat(UsageEvent.chargedGroup(state, "openai")).isEqualTo(SECOND);
        assertThat(UsageEvent.chargedGroup(state, "ollama")).as("own key: highest-priority group").isEqualTo(FIRST);
        assertThat(UsageEvent.chargedGroup(state, "other")).isEqualTo(FIRST);
        assertThat(UsageEvent.chargedGroup(state(List.of(), List.of(), Map.of()), "openai")).isNull();
    }

    @Test
    void quotasComeFromTheEffectiveSettingsAndUnsetMeansUnlimited() {
        JsonNodeFactory json = JsonNodeFactory.instance;
        EffectiveState limited = state(List.of(), List.of(), Map.of(
                SettingKey.TOKENS_PER_DAY.key(), new EffectiveValue(json.numberNode(1000L), "instance", List.of()),
                SettingKey.REQUESTS_PER_MINUTE.key(), new EffectiveValue(json.numberNode(0), "user", List.of())));
        assertThat(QuotaLimits.of(limited)).isEqualTo(new QuotaLimits(1000L, 0L));
        EffectiveState unset = state(List.of(), List.of(), Map.of(
                SettingKey.TOKENS_PER_DAY.key(), new EffectiveValue(json.nullNode(), "instance", List.of())));
        assertThat(QuotaLimits.of(unset)).isEqualTo(QuotaLimits.UNLIMITED);
    }

    @Test
    void countsCannotBeNegativeAndLongNamesAreCut() {
        assertThatThrownBy(() -> new UsageEvent(USER, null, "m", "c", -1, 0, false, UsageEvent.Outcome.COMPLETE,
                Instant.now())).isInstanceOf(IllegalArgumentException.class);
        UsageEvent event = new UsageEvent(USER, null, "m".repeat(500), "c", 3, 4, false,
                UsageEvent.Outcome.COMPLETE, Instant.now());
        assertThat(event.model()).hasSize(UsageEvent.MAX_NAME);
        assertThat(event.totalTokens()).isEqualTo(7);
    }
}
