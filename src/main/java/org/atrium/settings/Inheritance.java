package org.atrium.settings;

import org.atrium.accounts.AccessProfile;
import org.atrium.accounts.Permission;
import org.atrium.accounts.Role;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The merge of instance defaults, group settings and user overrides, as documented in {@code docs/settings.md}.
 * Pure: the same inputs always give the same result, whatever the order the groups were read in.
 *
 * <p>Instance admins hold every permission whatever the layers say ({@code Caller#require} lets them through), so
 * the merge grants them every {@code permissions.*} key too, with the source {@code admin}: their own overrides and
 * credentials apply, as they do for users granted {@code permissions.overrideSettings}, and what they are allowed to
 * store is never silently ignored.
 */
final class Inheritance {

    /** The merged settings, credentials and permissions of one user. */
    record Result(Map<String, EffectiveValue> settings, List<EffectiveCredential> credentials,
                  Set<Permission> permissions) {
    }

    private static final Map<SettingKey, Permission> PERMISSIONS = Map.of(
            SettingKey.UPLOAD_FILES, Permission.UPLOAD_FILES,
            SettingKey.CREATE_COLLECTIONS, Permission.CREATE_COLLECTIONS,
            SettingKey.CREATE_API_KEYS, Permission.CREATE_API_KEYS,
            SettingKey.OVERRIDE_SETTINGS, Permission.OVERRIDE_SETTINGS);

    /** The source of a permission an instance admin holds by their role. */
    static final String ADMIN_SOURCE = "admin";

    private Inheritance() {
    }

    static Result merge(AccessProfile profile, ObjectNode instance, Map<UUID, ObjectNode> groupLayers,
                        ObjectNode user, List<Credential> credentials) {
        List<AccessProfile.Membership> groups = profile.memberships().stream()
                .sorted(Comparator.comparingInt(AccessProfile.Membership::priority).reversed()
                        .thenComparing(m -> m.groupId().toString()))
                .toList();
        Map<String, EffectiveValue> settings = new LinkedHashMap<>();
        for (SettingKey key : SettingKey.values()) {
            if (key.merge() == SettingKey.Merge.ANY) {
                settings.put(key.key(), any(key, instance, groups, groupLayers));
            }
        }
        if (profile.user().role() == Role.ADMIN) {
            PERMISSIONS.keySet().forEach(key -> settings.put(key.key(), heldByAdmin(settings.get(key.key()))));
        }
        boolean mayOverride = settings.get(SettingKey.OVERRIDE_SETTINGS.key()).value().asBoolean(false);
        for (SettingKey key : SettingKey.values()) {
            switch (key.merge()) {
                case PRIORITY -> settings.put(key.key(),
                        priority(key, instance, groups, groupLayers, mayOverride ? user : null));
                case UNION -> settings.put(key.key(), union(key, instance, groups, groupLayers));
                case ANY -> {
                }
            }
        }
        Set<Permission> permissions = EnumSet.noneOf(Permission.class);
        PERMISSIONS.forEach((key, permission) -> {
            if (settings.get(key.key()).value().asBoolean(false)) {
                permissions.add(permission);
            }
        });
        return new Result(settings, credentials(profile, groups, credentials, mayOverride), permissions);
    }

    private static EffectiveValue priority(SettingKey key, ObjectNode instance, List<AccessProfile.Membership> groups,
                                           Map<UUID, ObjectNode> layers, ObjectNode user) {
        if (key.userOverridable() && user != null && isSet(user, key)) {
            return new EffectiveValue(user.get(key.key()), "user", List.of("user"));
        }
        for (AccessProfile.Membership group : groups) {
            ObjectNode layer = layers.get(group.groupId());
            if (layer != null && isSet(layer, key)) {
                String source = groupSource(group);
                return new EffectiveValue(layer.get(key.key()), source, List.of(source));
            }
        }
        return instanceValue(key, instance);
    }

    private static EffectiveValue any(SettingKey key, ObjectNode instance, List<AccessProfile.Membership> groups,
                                      Map<UUID, ObjectNode> layers) {
        List<String> granting = new ArrayList<>();
        if (instanceValue(key, instance).value().asBoolean(false)) {
            granting.add("instance");
        }
        for (AccessProfile.Membership group : groups) {
            ObjectNode layer = layers.get(group.groupId());
            if (layer != null && isSet(layer, key) && layer.get(key.key()).asBoolean(false)) {
                granting.add(groupSource(group));
            }
        }
        if (granting.isEmpty()) {
            return new EffectiveValue(JsonNodeFactory.instance.booleanNode(false), "instance", List.of("instance"));
        }
        return new EffectiveValue(JsonNodeFactory.instance.booleanNode(true), granting.getFirst(), granting);
    }

    /** An instance admin's permission: granted by their role, and by whichever layers grant it too. */
    private static EffectiveValue heldByAdmin(EffectiveValue merged) {
        List<String> sources = new ArrayList<>();
        sources.add(ADMIN_SOURCE);
        if (merged.value().asBoolean(false)) {
            sources.addAll(merged.sources());
        }
        return new EffectiveValue(JsonNodeFactory.instance.booleanNode(true), ADMIN_SOURCE, sources);
    }

    private static EffectiveValue union(SettingKey key, ObjectNode instance, List<AccessProfile.Membership> groups,
                                        Map<UUID, ObjectNode> layers) {
        LinkedHashSet<String> items = new LinkedHashSet<>();
        List<String> sources = new ArrayList<>();
        for (AccessProfile.Membership group : groups) {
            ObjectNode layer = layers.get(group.groupId());
            if (layer != null && isSet(layer, key)) {
                layer.get(key.key()).valueStream().forEach(item -> items.add(item.asString()));
                sources.add(groupSource(group));
            }
        }
        if (sources.isEmpty()) {
            return instanceValue(key, instance);
        }
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        items.forEach(array::add);
        return new EffectiveValue(array, sources.getFirst(), sources);
    }

    private static List<EffectiveCredential> credentials(AccessProfile profile, List<AccessProfile.Membership> groups,
                                                         List<Credential> all, boolean mayOverride) {
        record Candidate(Credential credential, String source, int rank) {
        }
        TreeMap<String, Candidate> chosen = new TreeMap<>();
        Comparator<Candidate> strength = Comparator.comparingInt(Candidate::rank)
                .thenComparing(c -> c.credential().createdAt())
                .thenComparing(c -> c.credential().id());
        for (Credential credential : all) {
            OptionalInt rank = rank(profile, groups, credential, mayOverride);
            if (rank.isEmpty()) {
                continue;
            }
            Candidate candidate = new Candidate(credential, credential.scope().equals("group")
                    ? "group:" + credential.ownerId() : credential.scope(), rank.getAsInt());
            chosen.merge(credential.connection(), candidate,
                    (current, other) -> strength.compare(other, current) < 0 ? other : current);
        }
        return chosen.values().stream().map(c -> new EffectiveCredential(c.credential().connection(),
                c.credential().id(), c.credential().kind(), c.credential().maskedSecret(), c.source())).toList();
    }

    /**
     * How strongly a credential applies to this user, lower being stronger, or empty when it does not reach them:
     * their own (0); their groups' by priority (1..n); instance credentials shared with one of their groups, by that
     * group's priority (n+1..2n); instance credentials shared with everyone (2n+1). Ties go to the oldest.
     */
    private static OptionalInt rank(AccessProfile profile, List<AccessProfile.Membership> groups, Credential credential,
                                    boolean mayOverride) {
        int n = groups.size();
        switch (credential.scope()) {
            case "user" -> {
                return mayOverride && profile.user().id().equals(credential.ownerId())
                        ? OptionalInt.of(0) : OptionalInt.empty();
            }
            case "group" -> {
                for (int i = 0; i < n; i++) {
                    if (groups.get(i).groupId().equals(credential.ownerId())) {
                        return OptionalInt.of(1 + i);
                    }
                }
                return OptionalInt.empty();
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    if (credential.sharedWithGroups().contains(groups.get(i).groupId())) {
                        return OptionalInt.of(1 + n + i);
                    }
                }
                return credential.sharedWithAll() ? OptionalInt.of(1 + 2 * n) : OptionalInt.empty();
            }
        }
    }

    private static EffectiveValue instanceValue(SettingKey key, ObjectNode instance) {
        JsonNode value = isSet(instance, key) ? instance.get(key.key()) : key.builtInDefault();
        return new EffectiveValue(value, "instance", List.of("instance"));
    }

    private static boolean isSet(ObjectNode layer, SettingKey key) {
        JsonNode value = layer.get(key.key());
        return value != null && !value.isNull();
    }

    private static String groupSource(AccessProfile.Membership group) {
        return "group:" + group.groupId();
    }
}
