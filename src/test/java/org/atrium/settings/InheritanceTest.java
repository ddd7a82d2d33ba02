package org.atrium.settings;

import org.atrium.accounts.AccessProfile;
import org.atrium.accounts.GroupRole;
import org.atrium.accounts.Permission;
import org.atrium.accounts.Role;
import org.atrium.accounts.User;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The merge of instance defaults, group layers, user overrides and credentials, as a pure function. */
class InheritanceTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final UUID USER_ID = UUID.fromString("00000000-0000-0000-0000-00000000aaaa");
    private static final UUID OTHER_USER_ID = UUID.fromString("00000000-0000-0000-0000-00000000bbbb");
    private static final UUID HIGH = UUID.fromString("90000000-0000-0000-0000-000000000001");
    private static final UUID LOW = UUID.fromString("10000000-0000-0000-0000-000000000002");
    private static final UUID TIE_A = UUID.fromString("30000000-0000-0000-0000-000000000003");
    private static final UUID TIE_B = UUID.fromString("20000000-0000-0000-0000-000000000004");
    private static final UUID FOREIGN = UUID.fromString("40000000-0000-0000-0000-000000000005");

    // ---------------------------------------------------------------- PRIORITY

    @Test
    void higherPriorityGroupWinsForSingleValuedSettingsWhateverItsIdOrPosition() {
        // LOW has the smaller id and comes first in the list: only the priority may decide.
        AccessProfile profile = profile(membership(LOW, 1), membership(HIGH, 10));
        Map<UUID, ObjectNode> layers = Map.of(
                LOW, layer("defaultModel", "low-model", "systemPrompt", "low prompt"),
                HIGH, layer("defaultModel", "high-model"));

        Inheritance.Result result = Inheritance.merge(profile, layer(), layers, layer(), List.of());

        assertThat(value(result, SettingKey.DEFAULT_MODEL)).isEqualTo("high-model");
        assertThat(result.settings().get("defaultModel").source()).isEqualTo("group:" + HIGH);
        assertThat(result.settings().get("defaultModel").sources()).containsExactly("group:" + HIGH);
        // HIGH does not set the prompt, so the next group that does decides it.
        assertThat(value(result, SettingKey.SYSTEM_PROMPT)).isEqualTo("low prompt");
        assertThat(result.settings().get("systemPrompt").source()).isEqualTo("group:" + LOW);
    }

    @Test
    void negativePrioritiesAreOrderedNumericallyNotAsText() {
        AccessProfile profile = profile(membership(LOW, -5), membership(HIGH, -20));
        Map<UUID, ObjectNode> layers = Map.of(
                LOW, layer("defaultModel", "minus-five"),
                HIGH, layer("defaultModel", "minus-twenty"));

        Inheritance.Result result = Inheritance.merge(profile, layer(), layers, layer(), List.of());

        assertThat(value(result, SettingKey.DEFAULT_MODEL)).isEqualTo("minus-five");
        assertThat(result.settings().get("defaultModel").source()).isEqualTo("group:" + LOW);
    }

    @Test
    void groupValueWinsOverInstanceValueAndInstanceValueOverBuiltInDefault() {
        AccessProfile profile = profile(membership(HIGH, 0));
        ObjectNode instance = layer("defaultModel", "instance-model", "features.autocompletion", true);
        Map<UUID, ObjectNode> layers = Map.of(HIGH, layer("defaultModel", "group-model"));

        Inheritance.Result result = Inheritance.merge(profile, instance, layers, layer(), List.of());

        assertThat(value(result, SettingKey.DEFAULT_MODEL)).isEqualTo("group-model");
        assertThat(result.settings().get("features.autocompletion").value().asBoolean()).isTrue();
        assertThat(result.settings().get("features.autocompletion").source()).isEqualTo("instance");
        assertThat(result.settings().get("features.autocompletion").sources()).containsExactly("instance");
    }

    @Test
    void withNoLayerSettingAKeyTheBuiltInDefaultAppliesFromTheInstance() {
        Inheritance.Result result = Inheritance.merge(profile(), layer(), Map.of(), layer(), List.of());

        assertThat(result.settings().keySet()).containsExactlyInAnyOrder(
                java.util.Arrays.stream(SettingKey.values()).map(SettingKey::key).toArray(String[]::new));
        assertThat(result.settings().get("features.autocompletion").value().asBoolean(true)).isFalse();
        assertThat(value(result, SettingKey.TITLE_MODEL)).isEqualTo("gemini-2.5-flash-lite");
        assertThat(result.settings().get("defaultModel").value().isNull()).isTrue();
        result.settings().values().forEach(v -> {
            assertThat(v.source()).isEqualTo("instance");
            assertThat(v.sources()).containsExactly("instance");
        });
    }

    @Test
    void nullInALayerMeansNotSetThere() {
        AccessProfile profile = profile(membership(HIGH, 10), membership(LOW, 1));
        ObjectNode high = layer();
        high.putNull("defaultModel");
        Map<UUID, ObjectNode> layers = Map.of(HIGH, high, LOW, layer("defaultModel", "low-model"));

        Inheritance.Result result = Inheritance.merge(profile, layer(), layers, layer(), List.of());

        assertThat(value(result, SettingKey.DEFAULT_MODEL)).isEqualTo("low-model");
        assertThat(result.settings().get("defaultModel").source()).isEqualTo("group:" + LOW);
    }

    @Test
    void equalPrioritiesAreBrokenTheSameWayWhateverTheOrderTheGroupsWereReadIn() {
        Map<UUID, ObjectNode> layers = Map.of(
                TIE_A, layer("defaultModel", "a", "systemPrompt", "prompt a"),
                TIE_B, layer("defaultModel", "b", "systemPrompt", "prompt b"));

        Inheritance.Result ab = Inheritance.merge(profile(membership(TIE_A, 5), membership(TIE_B, 5)),
                layer(), layers, layer(), List.of());
        Inheritance.Result ba = Inheritance.merge(profile(membership(TIE_B, 5), membership(TIE_A, 5)),
                layer(), layers, layer(), List.of());

        assertThat(ba.settings()).isEqualTo(ab.settings());
        String winner = ab.settings().get("defaultModel").source();
        assertThat(winner).isIn("group:" + TIE_A, "group:" + TIE_B);
        // One group decides both keys: the tie-break is an order of groups, not a coin toss per key.
        assertThat(ab.settings().get("systemPrompt").source()).isEqualTo(winner);
    }

    @Test
    void wholeResultIsIndependentOfMembershipOrderAndLayerMapOrder() {
        List<AccessProfile.Membership> memberships = List.of(
                membership(HIGH, 10), membership(LOW, 1), membership(TIE_A, 5), membership(TIE_B, 5));
        Map<UUID, ObjectNode> layers = new LinkedHashMap<>();
        layers.put(HIGH, layer("permissions.createApiKeys", true, "allowedModels", List.of("x", "y")));
        layers.put(LOW, layer("defaultModel", "low", "permissions.uploadFiles", true,
                "allowedModels", List.of("z", "x")));
        layers.put(TIE_A, layer("defaultModel", "tie-a", "features.titleGeneration", false,
                "allowedModels", List.of("a")));
        layers.put(TIE_B, layer("defaultModel", "tie-b", "quotas.tokensPerDay", 1000,
                "allowedModels", List.of("b")));
        ObjectNode instance = layer("permissions.createApiKeys", false, "permissions.uploadFiles", false,
                "permissions.overrideSettings", true, "defaultModel", "instance");
        ObjectNode user = layer("systemPrompt", "mine");
        List<Credential> credentials = List.of(
                instanceCredential("openai", true, List.of()),
                groupCredential(TIE_A, "openai"),
                groupCredential(TIE_B, "openai"),
                groupCredential(LOW, "anthropic"),
                userCredential(USER_ID, "gemini"));

        Inheritance.Result reference = Inheritance.merge(new AccessProfile(user(), memberships), instance, layers,
                user, credentials);
        Random random = new Random(42);
        for (int round = 0; round < 50; round++) {
            List<AccessProfile.Membership> shuffled = new ArrayList<>(memberships);
            Collections.shuffle(shuffled, random);
            List<UUID> keys = new ArrayList<>(layers.keySet());
            Collections.shuffle(keys, random);
            Map<UUID, ObjectNode> reordered = new LinkedHashMap<>();
            keys.forEach(k -> reordered.put(k, layers.get(k)));

            Inheritance.Result result = Inheritance.merge(new AccessProfile(user(), shuffled), instance,
                    reordered, user, credentials);

            assertThat(result.settings()).as("round %d, memberships %s", round, shuffled)
                    .isEqualTo(reference.settings());
            assertThat(result.credentials()).as("round %d", round).isEqualTo(reference.credentials());
            assertThat(result.permissions()).as("round %d", round).isEqualTo(reference.permissions());
        }
        // And the reference itself is what the rules say.
        assertThat(reference.settings().get("allowedModels").value().valueStream().map(JsonNode::asString))
                .containsExactlyInAnyOrder("x", "y", "z", "a", "b");
        assertThat(reference.settings().get("allowedModels").sources()).hasSize(4)
                .startsWith("group:" + HIGH).endsWith("group:" + LOW);
        assertThat(value(reference, SettingKey.DEFAULT_MODEL)).isIn("tie-a", "tie-b");
        assertThat(value(reference, SettingKey.SYSTEM_PROMPT)).isEqualTo("mine");
        assertThat(reference.permissions()).contains(Permission.CREATE_API_KEYS, Permission.UPLOAD_FILES);
    }

    @Test
    void choiceBetweenSeveralInstanceCredentialsForOneConnectionDoesNotDependOnInputOrder() {
        AccessProfile profile = profile(membership(HIGH, 10), membership(LOW, 1));
        List<Credential> credentials = List.of(
                instanceCredential("openai", true, List.of()),
                instanceCredential("openai", false, List.of(HIGH)),
                instanceCredential("openai", false, List.of(LOW)));

        EffectiveCredential reference = single(Inheritance.merge(profile, layer(), Map.of(), layer(),
                credentials).credentials());
        Random random = new Random(7);
        for (int round = 0; round < 20; round++) {
            List<Credential> shuffled = new ArrayList<>(credentials);
            Collections.shuffle(shuffled, random);
            EffectiveCredential chosen = single(Inheritance.merge(profile, layer(), Map.of(), layer(), shuffled)
                    .credentials());
            assertThat(chosen).as("round %d, input order %s", round,
                    shuffled.stream().map(Credential::id).toList()).isEqualTo(reference);
        }
    }

    // ---------------------------------------------------------------- ANY

    @Test
    void permissionIsGrantedByTheInstanceDefaultAlone() {
        ObjectNode instance = layer("permissions.uploadFiles", true);
        Map<UUID, ObjectNode> layers = Map.of(HIGH, layer("permissions.uploadFiles", false));

        Inheritance.Result result = Inheritance.merge(profile(membership(HIGH, 10)), instance, layers, layer(),
                List.of());

        assertThat(result.permissions()).contains(Permission.UPLOAD_FILES);
        EffectiveValue upload = result.settings().get("permissions.uploadFiles");
        assertThat(upload.value().asBoolean(false)).isTrue();
        assertThat(upload.source()).isEqualTo("instance");
        assertThat(upload.sources()).containsExactly("instance");
    }

    @Test
    void permissionIsGrantedByAnyGroupEvenAgainstAHigherPriorityGroupAndTheInstance() {
        ObjectNode instance = layer("permissions.createApiKeys", false);
        Map<UUID, ObjectNode> layers = Map.of(
                HIGH, layer("permissions.createApiKeys", false),
                LOW, layer("permissions.createApiKeys", true));

        Inheritance.Result result = Inheritance.merge(profile(membership(HIGH, 10), membership(LOW, 1)), instance,
                layers, layer(), List.of());

        assertThat(result.permissions()).contains(Permission.CREATE_API_KEYS);
        EffectiveValue keys = result.settings().get("permissions.createApiKeys");
        assertThat(keys.value().asBoolean(false)).isTrue();
        assertThat(keys.source()).isEqualTo("group:" + LOW);
        assertThat(keys.sources()).containsExactly("group:" + LOW);
    }

    @Test
    void permissionSourcesListEveryGrantingLayerInstanceFirstThenGroupsByPriority() {
        ObjectNode instance = layer("permissions.createCollections", true);
        Map<UUID, ObjectNode> layers = Map.of(
                HIGH, layer("permissions.createCollections", true),
                LOW, layer("permissions.createCollections", true),
                TIE_A, layer("permissions.createCollections", false));

        Inheritance.Result result = Inheritance.merge(
                profile(membership(LOW, 1), membership(TIE_A, 5), membership(HIGH, 10)), instance, layers,
                layer(), List.of());

        EffectiveValue collections = result.settings().get("permissions.createCollections");
        assertThat(collections.source()).isEqualTo("instance");
        assertThat(collections.sources()).containsExactly("instance", "group:" + HIGH, "group:" + LOW);
    }

    @Test
    void permissionIsDeniedWhenNeitherTheInstanceNorAnyGroupGrantsIt() {
        ObjectNode instance = layer("permissions.uploadFiles", false, "permissions.createCollections", false,
                "permissions.createApiKeys", false, "permissions.overrideSettings", false);
        Map<UUID, ObjectNode> layers = Map.of(HIGH, layer("permissions.uploadFiles", false), LOW, layer());

        Inheritance.Result result = Inheritance.merge(profile(membership(HIGH, 10), membership(LOW, 1)), instance,
                layers, layer(), List.of());

        assertThat(result.permissions()).isEmpty();
        EffectiveValue upload = result.settings().get("permissions.uploadFiles");
        assertThat(upload.value().asBoolean(true)).isFalse();
        assertThat(upload.source()).isEqualTo("instance");
    }

    @Test
    void permissionsDefaultToGrantedWhenNothingSetsThem() {
        Inheritance.Result result = Inheritance.merge(profile(), layer(), Map.of(), layer(), List.of());

        assertThat(result.permissions()).containsExactlyInAnyOrder(Permission.values());
    }

    // ---------------------------------------------------------------- UNION

    @Test
    void allowedModelsAreTheUnionOfTheGroupsThatSetThemAndIgnoreTheInstanceList() {
        ObjectNode instance = layer("allowedModels", List.of("instance-only"));
        Map<UUID, ObjectNode> layers = Map.of(
                HIGH, layer("allowedModels", List.of("gpt-4o", "claude")),
                LOW, layer("allowedModels", List.of("claude", "gemini")),
                TIE_A, layer("defaultModel", "does not set allowedModels"));

        Inheritance.Result result = Inheritance.merge(
                profile(membership(LOW, 1), membership(HIGH, 10), membership(TIE_A, 5)), instance, layers,
                layer(), List.of());

        EffectiveValue allowed = result.settings().get("allowedModels");
        assertThat(allowed.value().valueStream().map(JsonNode::asString))
                .containsExactlyInAnyOrder("gpt-4o", "claude", "gemini");
        assertThat(allowed.source()).isEqualTo("group:" + HIGH);
        assertThat(allowed.sources()).containsExactly("group:" + HIGH, "group:" + LOW);
    }

    @Test
    void allowedModelsFallBackToTheInstanceListWhenNoGroupSetsThem() {
        ObjectNode instance = layer("allowedModels", List.of("gpt-4o"));
        Map<UUID, ObjectNode> layers = Map.of(HIGH, layer("defaultModel", "gpt-4o"));

        Inheritance.Result result = Inheritance.merge(profile(membership(HIGH, 10)), instance, layers, layer(),
                List.of());

        EffectiveValue allowed = result.settings().get("allowedModels");
        assertThat(allowed.value().valueStream().map(JsonNode::asString)).containsExactly("gpt-4o");
        assertThat(allowed.source()).isEqualTo("instance");
        assertThat(allowed.sources()).containsExactly("instance");
    }

    @Test
    void allowedModelsDefaultToEverythingWhenNoLayerSetsThem() {
        Inheritance.Result result = Inheritance.merge(profile(membership(HIGH, 1)), layer(), Map.of(), layer(),
                List.of());

        assertThat(result.settings().get("allowedModels").value().valueStream().map(JsonNode::asString))
                .containsExactly("*");
    }

    // ---------------------------------------------------------------- user overrides

    @Test
    void userOverrideWinsForOverridableKeysWhenOverridingIsGranted() {
        Map<UUID, ObjectNode> layers = Map.of(HIGH, layer("defaultModel", "group-model",
                "features.titleGeneration", false, "permissions.overrideSettings", true));
        ObjectNode instance = layer("permissions.overrideSettings", false);
        ObjectNode user = layer("defaultModel", "my-model", "features.titleGeneration", true);

        Inheritance.Result result = Inheritance.merge(profile(membership(HIGH, 10)), instance, layers, user,
                List.of());

        assertThat(value(result, SettingKey.DEFAULT_MODEL)).isEqualTo("my-model");
        assertThat(result.settings().get("defaultModel").source()).isEqualTo("user");
        assertThat(result.settings().get("defaultModel").sources()).containsExactly("user");
        assertThat(result.settings().get("features.titleGeneration").value().asBoolean(false)).isTrue();
        assertThat(result.settings().get("features.titleGeneration").source()).isEqualTo("user");
    }

    @Test
    void userOverrideIsIgnoredWithoutOverrideSettings() {
        ObjectNode instance = layer("permissions.overrideSettings", false);
        Map<UUID, ObjectNode> layers = Map.of(HIGH, layer("defaultModel", "group-model",
                "permissions.overrideSettings", false));
        ObjectNode user = layer("defaultModel", "my-model", "systemPrompt", "my prompt");

        Inheritance.Result result = Inheritance.merge(profile(membership(HIGH, 10)), instance, layers, user,
                List.of());

        assertThat(result.permissions()).doesNotContain(Permission.OVERRIDE_SETTINGS);
        assertThat(value(result, SettingKey.DEFAULT_MODEL)).isEqualTo("group-model");
        assertThat(result.settings().get("defaultModel").source()).isEqualTo("group:" + HIGH);
        assertThat(result.settings().get("systemPrompt").source()).isEqualTo("instance");
        assertThat(result.settings().values()).noneMatch(v -> v.sources().contains("user"));
    }

    @Test
    void instanceAdminHoldsEveryPermissionSoTheirOwnOverridesAndCredentialsApplyWhateverTheLayersSay() {
        ObjectNode instance = layer("permissions.overrideSettings", false, "permissions.createApiKeys", false,
                "permissions.uploadFiles", false, "permissions.createCollections", false, "systemPrompt", "house");
        Map<UUID, ObjectNode> layers = Map.of(HIGH, layer("permissions.createApiKeys", true));
        Credential own = userCredential(USER_ID, "openai");
        Credential shared = instanceCredential("openai", true, List.of());
        AccessProfile admin = new AccessProfile(new User(USER_ID, "admin@atrium.test", "Admin", Role.ADMIN,
                Instant.parse("2026-01-01T00:00:00Z")), List.of(membership(HIGH, 0)));

        Inheritance.Result result = Inheritance.merge(admin, instance, layers, layer("systemPrompt", "mine"),
                List.of(shared, own));

        assertThat(result.permissions()).containsExactlyInAnyOrder(Permission.values());
        assertThat(value(result, SettingKey.SYSTEM_PROMPT)).isEqualTo("mine");
        assertThat(result.settings().get("systemPrompt").source()).isEqualTo("user");
        assertThat(single(result.credentials()).credentialId()).isEqualTo(own.id());
        EffectiveValue override = result.settings().get("permissions.overrideSettings");
        assertThat(override.value().asBoolean()).isTrue();
        assertThat(override.source()).isEqualTo("admin");
        assertThat(override.sources()).containsExactly("admin");
        // A layer that grants it as well is still listed after the role.
        assertThat(result.settings().get("permissions.createApiKeys").sources())
                .containsExactly("admin", "group:" + HIGH);

        // The same inputs for a plain user: the layers withhold overriding, so the house values apply.
        Inheritance.Result plain = Inheritance.merge(profile(membership(HIGH, 0)), instance, layers,
                layer("systemPrompt", "mine"), List.of(shared, own));
        assertThat(value(plain, SettingKey.SYSTEM_PROMPT)).isEqualTo("house");
        assertThat(single(plain.credentials()).credentialId()).isEqualTo(shared.id());
        assertThat(plain.permissions()).containsExactly(Permission.CREATE_API_KEYS);
    }

    @Test
    void userValuesForNonOverridableKeysNeverApplyEvenWithOverrideSettings() {
        ObjectNode instance = layer("permissions.overrideSettings", true, "permissions.createApiKeys", false,
                "features.titleModel", "instance-title-model");
        Map<UUID, ObjectNode> layers = Map.of(HIGH, layer("allowedModels", List.of("gpt-4o"),
                "quotas.tokensPerDay", 100));
        // A stored user layer should never hold these (the API refuses them), but the merge must not trust it.
        ObjectNode user = layer("allowedModels", List.of("*"), "permissions.createApiKeys", true,
                "features.titleModel", "my-title-model", "quotas.tokensPerDay", 1_000_000);

        Inheritance.Result result = Inheritance.merge(profile(membership(HIGH, 10)), instance, layers, user,
                List.of());

        assertThat(result.settings().get("allowedModels").value().valueStream().map(JsonNode::asString))
                .containsExactly("gpt-4o");
        assertThat(result.permissions()).doesNotContain(Permission.CREATE_API_KEYS);
        assertThat(value(result, SettingKey.TITLE_MODEL)).isEqualTo("instance-title-model");
        assertThat(result.settings().get("quotas.tokensPerDay").value().asLong()).isEqualTo(100);
        assertThat(result.settings().values()).noneMatch(v -> v.sources().contains("user"));
    }

    // ---------------------------------------------------------------- credentials

    @Test
    void usersOwnCredentialWinsOverGroupAndInstanceWhenOverridingIsGranted() {
        Credential own = userCredential(USER_ID, "openai");
        Credential group = groupCredential(HIGH, "openai");
        Credential shared = instanceCredential("openai", true, List.of());

        Inheritance.Result result = Inheritance.merge(profile(membership(HIGH, 10)),
                layer("permissions.overrideSettings", true), Map.of(), layer(), List.of(shared, group, own));

        EffectiveCredential chosen = single(result.credentials());
        assertThat(chosen.credentialId()).isEqualTo(own.id());
        assertThat(chosen.source()).isEqualTo("user");
        assertThat(chosen.connection()).isEqualTo("openai");
        assertThat(chosen.maskedSecret()).isEqualTo(own.maskedSecret());
        assertThat(chosen.kind()).isEqualTo(own.kind());
    }

    @Test
    void usersOwnCredentialIsIgnoredWithoutOverrideSettings() {
        Credential own = userCredential(USER_ID, "openai");
        Credential group = groupCredential(HIGH, "openai");

        Inheritance.Result result = Inheritance.merge(profile(membership(HIGH, 10)),
                layer("permissions.overrideSettings", false), Map.of(), layer(), List.of(own, group));

        EffectiveCredential chosen = single(result.credentials());
        assertThat(chosen.credentialId()).isEqualTo(group.id());
        assertThat(chosen.source()).isEqualTo("group:" + HIGH);
    }

    @Test
    void anotherUsersCredentialNeverApplies() {
        Inheritance.Result result = Inheritance.merge(profile(), layer("permissions.overrideSettings", true),
                Map.of(), layer(), List.of(userCredential(OTHER_USER_ID, "openai")));

        assertThat(result.credentials()).isEmpty();
    }

    @Test
    void groupCredentialsAreChosenByGroupPriorityAndWinOverInstanceCredentials() {
        Credential low = groupCredential(LOW, "openai");
        Credential high = groupCredential(HIGH, "openai");
        Credential shared = instanceCredential("openai", true, List.of());

        for (List<Credential> order : List.of(List.of(low, high, shared), List.of(shared, high, low),
                List.of(high, shared, low))) {
            Inheritance.Result result = Inheritance.merge(profile(membership(LOW, 1), membership(HIGH, 10)),
                    layer(), Map.of(), layer(), order);
            EffectiveCredential chosen = single(result.credentials());
            assertThat(chosen.credentialId()).as("input order %s", order).isEqualTo(high.id());
            assertThat(chosen.source()).isEqualTo("group:" + HIGH);
        }
    }

    @Test
    void credentialOfAGroupTheUserIsNotInNeverApplies() {
        Inheritance.Result result = Inheritance.merge(profile(membership(HIGH, 10)), layer(), Map.of(), layer(),
                List.of(groupCredential(FOREIGN, "openai")));

        assertThat(result.credentials()).isEmpty();
    }

    @Test
    void instanceCredentialAppliesWhenSharedWithAllOrWithOneOfTheUsersGroups() {
        Credential withAll = instanceCredential("openai", true, List.of());
        Credential withMyGroup = instanceCredential("anthropic", false, List.of(FOREIGN, LOW));

        Inheritance.Result result = Inheritance.merge(profile(membership(HIGH, 10), membership(LOW, 1)), layer(),
                Map.of(), layer(), List.of(withAll, withMyGroup));

        assertThat(result.credentials()).extracting(EffectiveCredential::connection,
                        EffectiveCredential::credentialId, EffectiveCredential::source)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("openai", withAll.id(), "instance"),
                        org.assertj.core.groups.Tuple.tuple("anthropic", withMyGroup.id(), "instance"));
    }

    @Test
    void unsharedInstanceCredentialsOrOnesSharedOnlyWithOtherGroupsNeverApply() {
        Credential unshared = instanceCredential("openai", false, List.of());
        Credential otherGroup = instanceCredential("anthropic", false, List.of(FOREIGN));

        Inheritance.Result withGroups = Inheritance.merge(profile(membership(HIGH, 10)), layer(), Map.of(),
                layer(), List.of(unshared, otherGroup));
        Inheritance.Result withoutGroups = Inheritance.merge(profile(), layer(), Map.of(), layer(),
                List.of(unshared, otherGroup));

        assertThat(withGroups.credentials()).isEmpty();
        assertThat(withoutGroups.credentials()).isEmpty();
    }

    @Test
    void credentialsAreChosenPerConnectionIndependently() {
        Credential ownOpenai = userCredential(USER_ID, "openai");
        Credential groupOpenai = groupCredential(HIGH, "openai");
        Credential groupAnthropic = groupCredential(HIGH, "anthropic");
        Credential sharedGemini = instanceCredential("gemini", true, List.of());

        Inheritance.Result result = Inheritance.merge(profile(membership(HIGH, 10)), layer(), Map.of(), layer(),
                List.of(sharedGemini, groupAnthropic, groupOpenai, ownOpenai));

        Map<String, EffectiveCredential> byConnection = new HashMap<>();
        result.credentials().forEach(c -> byConnection.put(c.connection(), c));
        assertThat(result.credentials()).hasSize(3);
        assertThat(byConnection.get("openai").credentialId()).isEqualTo(ownOpenai.id());
        assertThat(byConnection.get("anthropic").credentialId()).isEqualTo(groupAnthropic.id());
        assertThat(byConnection.get("anthropic").source()).isEqualTo("group:" + HIGH);
        assertThat(byConnection.get("gemini").credentialId()).isEqualTo(sharedGemini.id());
        assertThat(byConnection.get("gemini").source()).isEqualTo("instance");
    }

    // ---------------------------------------------------------------- helpers

    private static String value(Inheritance.Result result, SettingKey key) {
        return result.settings().get(key.key()).value().asString();
    }

    private static EffectiveCredential single(List<EffectiveCredential> credentials) {
        assertThat(credentials).hasSize(1);
        return credentials.getFirst();
    }

    private static User user() {
        return new User(USER_ID, "user@atrium.test", "User", Role.USER, Instant.parse("2026-01-01T00:00:00Z"));
    }

    private static AccessProfile profile(AccessProfile.Membership... memberships) {
        return new AccessProfile(user(), List.of(memberships));
    }

    private static AccessProfile.Membership membership(UUID groupId, int priority) {
        return new AccessProfile.Membership(groupId, "group-" + groupId.toString().substring(0, 4), priority,
                GroupRole.MEMBER);
    }

    /** A layer from alternating keys and values (String, Boolean, Integer or List of String). */
    private static ObjectNode layer(Object... keysAndValues) {
        ObjectNode node = JSON.createObjectNode();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            node.set((String) keysAndValues[i], JSON.valueToTree(keysAndValues[i + 1]));
        }
        return node;
    }

    private static int sequence;

    private static Credential credential(String scope, UUID ownerId, String connection, boolean sharedWithAll,
                                         List<UUID> sharedWithGroups) {
        sequence++;
        String lastFour = String.format("%04d", sequence);
        return new Credential(UUID.randomUUID(), scope, ownerId, connection, "api_key", scope + " " + connection,
                "..." + lastFour, sharedWithAll, sharedWithGroups,
                Instant.parse("2026-01-01T00:00:00Z").plusSeconds(sequence));
    }

    private static Credential instanceCredential(String connection, boolean sharedWithAll, List<UUID> groups) {
        return credential("instance", null, connection, sharedWithAll, groups);
    }

    private static Credential groupCredential(UUID groupId, String connection) {
        return credential("group", groupId, connection, false, List.of());
    }

    private static Credential userCredential(UUID userId, String connection) {
        return credential("user", userId, connection, false, List.of());
    }
}
