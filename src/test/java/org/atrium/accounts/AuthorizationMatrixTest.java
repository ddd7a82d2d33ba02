package org.atrium.accounts;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may call what: every endpoint of the API, called as each of six personas, with the exact status (and, for
 * failures, the problem {@code code}) each one gets. The table below is the executable form of
 * {@code docs/authorization.md}; a change to either must change the other.
 *
 * <p>Every cell builds its own world: a fresh group "G" (the group under test), a fresh caller for the persona, and
 * fresh targets (accounts, keys, members), so that no call can change what another cell sees. Deletions always
 * target throwaway objects.
 */
class AuthorizationMatrixTest extends IntegrationTest {

    /** The callers, in the order of the table's columns. */
    enum Persona {
        /** No credential at all. */
        ANONYMOUS("anonymous"),
        /** Signed in, waiting for approval. */
        PENDING("pending account"),
        /** Approved, in no group. */
        USER("plain user"),
        /** Approved, admin of another group "H", not a member of G. */
        OTHER_GROUP_ADMIN("admin of another group"),
        /** Approved, admin of G. */
        GROUP_ADMIN("admin of the group"),
        /** Instance admin. */
        INSTANCE_ADMIN("instance admin");

        final String label;

        Persona(String label) {
            this.label = label;
        }
    }

    /** What one persona gets: a status and, for failures, the problem code. */
    record Expect(int status, String code) {
        @Override
        public String toString() {
            return code == null ? Integer.toString(status) : status + " " + code;
        }
    }

    private static final Expect OK = new Expect(200, null);
    private static final Expect CREATED = new Expect(201, null);
    private static final Expect NO_CONTENT = new Expect(204, null);
    private static final Expect UNAUTHENTICATED = new Expect(401, "unauthenticated");
    private static final Expect ACCOUNT_PENDING = new Expect(403, "account_pending");
    private static final Expect ADMIN_REQUIRED = new Expect(403, "admin_required");
    private static final Expect FORBIDDEN = new Expect(403, "forbidden");
    private static final Expect USER_NOT_FOUND = new Expect(404, "user_not_found");
    private static final Expect API_KEY_NOT_FOUND = new Expect(404, "api_key_not_found");
    private static final Expect GROUP_NOT_FOUND = new Expect(404, "group_not_found");

    /** A request as sent: the method, the concrete path and the JSON body (or {@code null}). */
    record Request(String method, String path, Object body) {
    }

    /** One way of calling an endpoint: its method and path template, what it targets, and how to build it. */
    record Call(String method, String path, String target, Function<Cell, Request> build) {
    }

    /** One row of the matrix: a call and what each persona gets, in {@link Persona} order. */
    record Row(Call call, List<Expect> expected) {
    }

    // ----------------------------------------------------------------------------------------------------------------
    // The calls. "G" is the group under test; every target is created afresh for each cell.
    // ----------------------------------------------------------------------------------------------------------------

    private static final Call SIGN_UP = new Call("POST", "/api/v1/auth/signup", "a new e-mail address",
            c -> c.request("POST", "/api/v1/auth/signup", Map.of("email", TestUsers.uniqueEmail("matrix-signup"),
                    "name", "Signup", "password", TestUsers.PASSWORD)));
    private static final Call SIGN_IN = new Call("POST", "/api/v1/auth/signin", "an existing account's password",
            c -> c.request("POST", "/api/v1/auth/signin",
                    Map.of("email", c.throwawayUser().email(), "password", TestUsers.PASSWORD)));
    private static final Call SIGN_OUT = new Call("POST", "/api/v1/auth/signout", "the caller's session",
            c -> c.request("POST", "/api/v1/auth/signout", null));
    private static final Call ME = new Call("GET", "/api/v1/auth/me", "the caller's account",
            c -> c.request("GET", "/api/v1/auth/me", null));

    private static final Call LIST_USERS = new Call("GET", "/api/v1/users", "all accounts",
            c -> c.request("GET", "/api/v1/users", null));
    private static final Call CREATE_ACCOUNT = new Call("POST", "/api/v1/users", "a new account, role user",
            c -> c.request("POST", "/api/v1/users", Map.of("email", TestUsers.uniqueEmail("created"),
                    "name", "Created", "password", TestUsers.PASSWORD, "role", "user")));
    private static final Call READ_OWN_ACCOUNT = new Call("GET", "/api/v1/users/{userId}", "the caller's account",
            c -> c.request("GET", "/api/v1/users/" + c.callerIdOr(c.throwawayUser().id()), null));
    private static final Call READ_OTHER_ACCOUNT = new Call("GET", "/api/v1/users/{userId}", "a plain member of G",
            c -> c.request("GET", "/api/v1/users/" + c.plainMember().id(), null));
    private static final Call APPROVE_ACCOUNT = new Call("PATCH", "/api/v1/users/{userId}",
            "a pending account, role user",
            c -> c.request("PATCH", "/api/v1/users/" + c.throwawayPending().id(), Map.of("role", "user")));
    private static final Call DELETE_ACCOUNT = new Call("DELETE", "/api/v1/users/{userId}", "a throwaway account",
            c -> c.request("DELETE", "/api/v1/users/" + c.throwawayUser().id(), null));

    private static final Call LIST_API_KEYS = new Call("GET", "/api/v1/api-keys", "the caller's keys",
            c -> c.request("GET", "/api/v1/api-keys", null));
    private static final Call CREATE_API_KEY = new Call("POST", "/api/v1/api-keys", "a key for the caller",
            c -> c.request("POST", "/api/v1/api-keys", Map.of("name", "matrix")));
    private static final Call REVOKE_OWN_API_KEY = new Call("DELETE", "/api/v1/api-keys/{apiKeyId}",
            "the caller's own key",
            c -> c.request("DELETE", "/api/v1/api-keys/" + c.ownApiKey(), null));
    private static final Call REVOKE_OTHERS_API_KEY = new Call("DELETE", "/api/v1/api-keys/{apiKeyId}",
            "a key of a plain member of G",
            c -> c.request("DELETE", "/api/v1/api-keys/" + c.apiKeyOf(c.plainMember()), null));

    private static final Call LIST_GROUPS = new Call("GET", "/api/v1/groups", "the groups the caller may see",
            c -> c.request("GET", "/api/v1/groups", null));
    private static final Call CREATE_GROUP = new Call("POST", "/api/v1/groups", "a new group",
            c -> c.request("POST", "/api/v1/groups", Map.of("name", "matrix-" + UUID.randomUUID())));
    private static final Call READ_GROUP = new Call("GET", "/api/v1/groups/{groupId}", "G",
            c -> c.request("GET", "/api/v1/groups/" + c.group(), null));
    private static final Call RENAME_GROUP = new Call("PATCH", "/api/v1/groups/{groupId}", "G, a new name",
            c -> c.request("PATCH", "/api/v1/groups/" + c.group(), Map.of("name", "renamed-" + UUID.randomUUID())));
    private static final Call DELETE_GROUP = new Call("DELETE", "/api/v1/groups/{groupId}", "G",
            c -> c.request("DELETE", "/api/v1/groups/" + c.group(), null));
    private static final Call LIST_MEMBERS = new Call("GET", "/api/v1/groups/{groupId}/members", "G's members",
            c -> c.request("GET", "/api/v1/groups/" + c.group() + "/members", null));
    private static final Call ADD_MEMBER = new Call("PUT", "/api/v1/groups/{groupId}/members/{userId}",
            "a non-member into G, role member",
            c -> c.request("PUT", "/api/v1/groups/" + c.group() + "/members/" + c.throwawayUser().id(),
                    Map.of("role", "member")));
    private static final Call ADD_GROUP_ADMIN = new Call("PUT", "/api/v1/groups/{groupId}/members/{userId}",
            "a non-member into G, role admin",
            c -> c.request("PUT", "/api/v1/groups/" + c.group() + "/members/" + c.throwawayUser().id(),
                    Map.of("role", "admin")));
    private static final Call PROMOTE_MEMBER = new Call("PUT", "/api/v1/groups/{groupId}/members/{userId}",
            "a plain member of G, role admin",
            c -> c.request("PUT", "/api/v1/groups/" + c.group() + "/members/" + c.plainMember().id(),
                    Map.of("role", "admin")));
    private static final Call DEMOTE_GROUP_ADMIN = new Call("PUT", "/api/v1/groups/{groupId}/members/{userId}",
            "another admin of G, role member",
            c -> c.request("PUT", "/api/v1/groups/" + c.group() + "/members/" + c.secondGroupAdmin().id(),
                    Map.of("role", "member")));
    private static final Call REMOVE_MEMBER = new Call("DELETE", "/api/v1/groups/{groupId}/members/{userId}",
            "a plain member of G",
            c -> c.request("DELETE", "/api/v1/groups/" + c.group() + "/members/" + c.plainMember().id(), null));
    private static final Call REMOVE_GROUP_ADMIN = new Call("DELETE", "/api/v1/groups/{groupId}/members/{userId}",
            "another admin of G",
            c -> c.request("DELETE", "/api/v1/groups/" + c.group() + "/members/" + c.secondGroupAdmin().id(), null));

    // ----------------------------------------------------------------------------------------------------------------
    // The matrix. Columns: anonymous, pending account, plain user, admin of another group, admin of G, instance admin.
    // ----------------------------------------------------------------------------------------------------------------

    static final List<Row> MATRIX = List.of(
            //  call                   anonymous        pending          plain user         admin of other group admin of G          instance admin
            row(SIGN_UP,               CREATED,         CREATED,         CREATED,           CREATED,           CREATED,           CREATED),
            row(SIGN_IN,               OK,              OK,              OK,                OK,                OK,                OK),
            row(SIGN_OUT,              UNAUTHENTICATED, NO_CONTENT,      NO_CONTENT,        NO_CONTENT,        NO_CONTENT,        NO_CONTENT),
            row(ME,                    UNAUTHENTICATED, OK,              OK,                OK,                OK,                OK),

            row(LIST_USERS,            UNAUTHENTICATED, ACCOUNT_PENDING, ADMIN_REQUIRED,    ADMIN_REQUIRED,    ADMIN_REQUIRED,    OK),
            row(CREATE_ACCOUNT,        UNAUTHENTICATED, ACCOUNT_PENDING, ADMIN_REQUIRED,    ADMIN_REQUIRED,    ADMIN_REQUIRED,    CREATED),
            row(READ_OWN_ACCOUNT,      UNAUTHENTICATED, ACCOUNT_PENDING, OK,                OK,                OK,                OK),
            row(READ_OTHER_ACCOUNT,    UNAUTHENTICATED, ACCOUNT_PENDING, USER_NOT_FOUND,    USER_NOT_FOUND,    USER_NOT_FOUND,    OK),
            row(APPROVE_ACCOUNT,       UNAUTHENTICATED, ACCOUNT_PENDING, ADMIN_REQUIRED,    ADMIN_REQUIRED,    ADMIN_REQUIRED,    OK),
            row(DELETE_ACCOUNT,        UNAUTHENTICATED, ACCOUNT_PENDING, ADMIN_REQUIRED,    ADMIN_REQUIRED,    ADMIN_REQUIRED,    NO_CONTENT),

            row(LIST_API_KEYS,         UNAUTHENTICATED, ACCOUNT_PENDING, OK,                OK,                OK,                OK),
            row(CREATE_API_KEY,        UNAUTHENTICATED, ACCOUNT_PENDING, CREATED,           CREATED,           CREATED,           CREATED),
            row(REVOKE_OWN_API_KEY,    UNAUTHENTICATED, ACCOUNT_PENDING, NO_CONTENT,        NO_CONTENT,        NO_CONTENT,        NO_CONTENT),
            row(REVOKE_OTHERS_API_KEY, UNAUTHENTICATED, ACCOUNT_PENDING, API_KEY_NOT_FOUND, API_KEY_NOT_FOUND, API_KEY_NOT_FOUND, NO_CONTENT),

            row(LIST_GROUPS,           UNAUTHENTICATED, ACCOUNT_PENDING, OK,                OK,                OK,                OK),
            row(CREATE_GROUP,          UNAUTHENTICATED, ACCOUNT_PENDING, ADMIN_REQUIRED,    ADMIN_REQUIRED,    ADMIN_REQUIRED,    CREATED),
            row(READ_GROUP,            UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,   GROUP_NOT_FOUND,   OK,                OK),
            row(RENAME_GROUP,          UNAUTHENTICATED, ACCOUNT_PENDING, ADMIN_REQUIRED,    ADMIN_REQUIRED,    ADMIN_REQUIRED,    OK),
            row(DELETE_GROUP,          UNAUTHENTICATED, ACCOUNT_PENDING, ADMIN_REQUIRED,    ADMIN_REQUIRED,    ADMIN_REQUIRED,    NO_CONTENT),
            row(LIST_MEMBERS,          UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,   GROUP_NOT_FOUND,   OK,                OK),
            row(ADD_MEMBER,            UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,   GROUP_NOT_FOUND,   OK,                OK),
            row(ADD_GROUP_ADMIN,       UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,   GROUP_NOT_FOUND,   FORBIDDEN,         OK),
            row(PROMOTE_MEMBER,        UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,   GROUP_NOT_FOUND,   FORBIDDEN,         OK),
            row(DEMOTE_GROUP_ADMIN,    UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,   GROUP_NOT_FOUND,   FORBIDDEN,         OK),
            row(REMOVE_MEMBER,         UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,   GROUP_NOT_FOUND,   NO_CONTENT,        NO_CONTENT),
            row(REMOVE_GROUP_ADMIN,    UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,   GROUP_NOT_FOUND,   FORBIDDEN,         NO_CONTENT));

    private static Row row(Call call, Expect anonymous, Expect pending, Expect user, Expect otherGroupAdmin,
                           Expect groupAdmin, Expect instanceAdmin) {
        return new Row(call, List.of(anonymous, pending, user, otherGroupAdmin, groupAdmin, instanceAdmin));
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Tests
    // ----------------------------------------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> everyPersonaGetsTheDocumentedStatusFromEveryEndpoint() {
        TestUsers.Account setupAdmin = users.admin();
        return MATRIX.stream().flatMap(row -> Arrays.stream(Persona.values()).map(persona -> {
            Expect expected = row.expected().get(persona.ordinal());
            String name = row.call().method() + " " + row.call().path() + " (" + row.call().target() + ") as "
                    + persona.label + " -> " + expected;
            return DynamicTest.dynamicTest(name, () -> {
                Cell cell = new Cell(setupAdmin, persona);
                Request request = row.call().build().apply(cell);
                assertThat(request.method()).isEqualTo(row.call().method());
                assertThat(request.path()).matches(templateRegex(row.call().path()));

                Api.Response response = cell.sendAsCaller(request);

                String context = name + "; got " + response.status() + " " + response.text();
                assertThat(response.status()).as(context).isEqualTo(expected.status());
                if (expected.code() != null) {
                    assertThat(response.json().path("code").asString()).as(context).isEqualTo(expected.code());
                }
            });
        }));
    }

    @Test
    void openApiDocumentListsExactlyTheOperationsTheMatrixCovers() {
        Api.Response document = api.get("/v3/api-docs", null);
        assertThat(document.status()).isEqualTo(200);

        Set<String> documented = new TreeSet<>();
        for (Map.Entry<String, JsonNode> path : document.json().path("paths").properties()) {
            for (String method : path.getValue().propertyNames()) {
                if (HTTP_METHODS.contains(method)) {
                    documented.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
                }
            }
        }
        Set<String> covered = MATRIX.stream().map(row -> row.call().method() + " " + row.call().path())
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(documented).as("operations in /v3/api-docs vs. rows of the matrix").isEqualTo(covered);
    }

    @Test
    void unknownBearerTokenIsRejectedWithInvalidCredentialsOnEveryEndpointPublicOnesIncluded() {
        TestUsers.Account setupAdmin = users.admin();
        for (Row row : MATRIX) {
            Request request = row.call().build().apply(new Cell(setupAdmin, Persona.ANONYMOUS));
            Api.Response response = api.send(request.method(), request.path(), request.body(),
                    Map.of("Authorization", "Bearer ats_not-a-real-session-token"));
            assertThat(response.status()).as("%s %s", request.method(), request.path()).isEqualTo(401);
            assertThat(response.json().path("code").asString()).as("%s %s", request.method(), request.path())
                    .isEqualTo("invalid_credentials");
        }
    }

    @Test
    void wrongPasswordIsRejectedWithInvalidCredentials() {
        TestUsers.Account account = users.user();
        Api.Response response = api.post("/api/v1/auth/signin",
                Map.of("email", account.email(), "password", "not the password"), null);
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.json().path("code").asString()).isEqualTo("invalid_credentials");
    }

    private static final Set<String> HTTP_METHODS =
            Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    private static String templateRegex(String template) {
        return template.replaceAll("\\{[^}]+}", "[^/]+");
    }

    // ----------------------------------------------------------------------------------------------------------------
    // One cell's world
    // ----------------------------------------------------------------------------------------------------------------

    /**
     * The world of one cell: a fresh group G, the persona's fresh caller account and, on demand, fresh targets.
     * Setup goes through the API as {@code setupAdmin}, an instance admin that is never the caller.
     */
    final class Cell {

        private final TestUsers.Account setupAdmin;
        private final Persona persona;
        private final UUID group;
        private final TestUsers.Account caller;
        private final Map<String, TestUsers.Account> targets = new HashMap<>();

        Cell(TestUsers.Account setupAdmin, Persona persona) {
            this.setupAdmin = setupAdmin;
            this.persona = persona;
            this.group = users.group(setupAdmin, "matrix-g");
            this.caller = switch (persona) {
                case ANONYMOUS -> null;
                case PENDING -> users.pending();
                case USER -> users.user();
                case OTHER_GROUP_ADMIN -> {
                    TestUsers.Account account = users.user();
                    users.member(setupAdmin, users.group(setupAdmin, "matrix-h"), account, "admin");
                    yield account;
                }
                case GROUP_ADMIN -> {
                    TestUsers.Account account = users.user();
                    users.member(setupAdmin, group, account, "admin");
                    yield account;
                }
                case INSTANCE_ADMIN -> users.admin();
            };
        }

        UUID group() {
            return group;
        }

        UUID callerIdOr(UUID fallback) {
            return caller == null ? fallback : caller.id();
        }

        /** A fresh approved account in no group. */
        TestUsers.Account throwawayUser() {
            return users.user();
        }

        /** A fresh pending account. */
        TestUsers.Account throwawayPending() {
            return users.pending();
        }

        /** A plain member of G (the same one for the whole cell). */
        TestUsers.Account plainMember() {
            return targets.computeIfAbsent("member", ignored -> {
                TestUsers.Account account = users.user();
                users.member(setupAdmin, group, account, "member");
                return account;
            });
        }

        /** An admin of G other than the caller (the same one for the whole cell). */
        TestUsers.Account secondGroupAdmin() {
            return targets.computeIfAbsent("admin", ignored -> {
                TestUsers.Account account = users.user();
                users.member(setupAdmin, group, account, "admin");
                return account;
            });
        }

        /** Creates an API key for an approved account and returns its id. */
        String apiKeyOf(TestUsers.Account owner) {
            Api.Response created = api.post("/api/v1/api-keys", Map.of("name", "target"), owner.token());
            assertThat(created.status()).as("creating a target key: %s", created.text()).isEqualTo(201);
            return created.json().path("apiKey").path("id").asString();
        }

        /**
         * The caller's own key. A pending account cannot create one, so it gets its key while briefly approved, as
         * an account demoted back to pending would have; the anonymous caller has none and gets a stranger's.
         */
        String ownApiKey() {
            return switch (persona) {
                case ANONYMOUS -> apiKeyOf(throwawayUser());
                case PENDING -> {
                    setRole(caller, "user");
                    String key = apiKeyOf(caller);
                    setRole(caller, "pending");
                    yield key;
                }
                default -> apiKeyOf(caller);
            };
        }

        Request request(String method, String path, Object body) {
            return new Request(method, path, body);
        }

        Api.Response sendAsCaller(Request request) {
            Map<String, String> headers = caller == null ? Map.of()
                    : Map.of("Authorization", "Bearer " + caller.token());
            return api.send(request.method(), request.path(), request.body(), headers);
        }

        private void setRole(TestUsers.Account account, String role) {
            users.setRole(account.id(), role);
        }
    }
}
