package org.atrium.accounts;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.LinkedHashMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * target throwaway objects, and writes that every caller may make (settings, credentials) only touch the cell's own
 * objects; the one write with global effect, replacing the instance defaults, writes back the layer it read.
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

    /** The file every upload sends: plain text, so its type is detected from the content alone. */
    private static final byte[] MATRIX_FILE =
            "Kiwis are green inside.\n".getBytes(StandardCharsets.UTF_8);

    private static final Expect OK = new Expect(200, null);
    private static final Expect CREATED = new Expect(201, null);
    private static final Expect ACCEPTED = new Expect(202, null);
    private static final Expect NO_CONTENT = new Expect(204, null);
    private static final Expect UNAUTHENTICATED = new Expect(401, "unauthenticated");
    private static final Expect ACCOUNT_PENDING = new Expect(403, "account_pending");
    private static final Expect ADMIN_REQUIRED = new Expect(403, "admin_required");
    private static final Expect FORBIDDEN = new Expect(403, "forbidden");
    private static final Expect USER_NOT_FOUND = new Expect(404, "user_not_found");
    private static final Expect API_KEY_NOT_FOUND = new Expect(404, "api_key_not_found");
    private static final Expect GROUP_NOT_FOUND = new Expect(404, "group_not_found");
    private static final Expect CREDENTIAL_NOT_FOUND = new Expect(404, "credential_not_found");
    private static final Expect COLLECTION_NOT_FOUND = new Expect(404, "collection_not_found");
    private static final Expect FILE_NOT_FOUND = new Expect(404, "file_not_found");
    private static final Expect INVITATION_REQUIRED = new Expect(403, "invitation_required");
    private static final Expect INVITATION_NOT_FOUND = new Expect(404, "invitation_not_found");
    private static final Expect CONNECTION_NOT_FOUND = new Expect(404, "connection_not_found");
    private static final Expect GROUP_CONNECTIONS_DISABLED = new Expect(403, "group_connections_disabled");
    private static final Expect PRESET_NOT_FOUND = new Expect(404, "preset_not_found");

    /**
     * A request as sent: the method, the concrete path and the body: JSON, an {@link Upload}, or {@code null}. A
     * {@code stream} request is a server-sent event stream, which does not end for authorised callers: only its
     * status and headers (and its first event) are read before it is closed.
     */
    record Request(String method, String path, Object body, boolean stream) {
        Request(String method, String path, Object body) {
            this(method, path, body, false);
        }
    }

    /** A request body sent as a multipart upload: the part {@code file}, with the client's name for it. */
    record Upload(String fileName, byte[] content) {
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
    /** With a wrong current password, so that the personas keep theirs: reaching the check is what is tested. */
    private static final Call CHANGE_PASSWORD = new Call("POST", "/api/v1/auth/password", "the caller's password",
            c -> c.request("POST", "/api/v1/auth/password", Map.of("currentPassword", "not the password",
                    "newPassword", "correct horse, new staple")));
    private static final Expect WRONG_PASSWORD = new Expect(400, "validation_failed");
    private static final Call ME = new Call("GET", "/api/v1/auth/me", "the caller's account",
            c -> c.request("GET", "/api/v1/auth/me", null));
    private static final Call RENAME = new Call("PATCH", "/api/v1/auth/me", "the caller's name",
            c -> c.request("PATCH", "/api/v1/auth/me", Map.of("name", "Renamed by the matrix")));

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

    private static final Call ADD_INSTANCE_ADMIN = new Call("PUT", "/api/v1/groups/{groupId}/members/{userId}",
            "another instance admin, role member",
            c -> c.request("PUT", "/api/v1/groups/" + c.group() + "/members/" + c.anotherInstanceAdmin().id(),
                    Map.of("role", "member")));
    private static final Call ADD_SELF = new Call("PUT", "/api/v1/groups/{groupId}/members/{userId}",
            "the caller themselves, role member",
            c -> c.request("PUT", "/api/v1/groups/" + c.group() + "/members/" + c.callerIdOr(c.throwawayUser().id()),
                    Map.of("role", "member")));
    private static final Call LEAVE_GROUP = new Call("DELETE", "/api/v1/groups/{groupId}/members/{userId}",
            "the caller themselves (leaving)",
            c -> c.request("DELETE", "/api/v1/groups/" + c.group() + "/members/"
                    + c.callerIdOr(c.throwawayUser().id()), null));

    private static final Call INVITE = new Call("POST", "/api/v1/groups/{groupId}/invitations",
            "a non-member, role member",
            c -> c.request("POST", "/api/v1/groups/" + c.group() + "/invitations",
                    Map.of("userId", c.throwawayUser().id(), "role", "member")));
    private static final Call INVITE_AS_GROUP_ADMIN = new Call("POST", "/api/v1/groups/{groupId}/invitations",
            "a non-member, role admin",
            c -> c.request("POST", "/api/v1/groups/" + c.group() + "/invitations",
                    Map.of("userId", c.throwawayUser().id(), "role", "admin")));
    private static final Call INVITE_INSTANCE_ADMIN = new Call("POST", "/api/v1/groups/{groupId}/invitations",
            "another instance admin, role member",
            c -> c.request("POST", "/api/v1/groups/" + c.group() + "/invitations",
                    Map.of("userId", c.anotherInstanceAdmin().id(), "role", "member")));
    private static final Call LIST_GROUP_INVITATIONS = new Call("GET", "/api/v1/groups/{groupId}/invitations",
            "G's invitations",
            c -> c.request("GET", "/api/v1/groups/" + c.group() + "/invitations", null));
    private static final Call REVOKE_INVITATION = new Call("DELETE",
            "/api/v1/groups/{groupId}/invitations/{invitationId}", "an invitation to G, role member",
            c -> c.request("DELETE", "/api/v1/groups/" + c.group() + "/invitations/"
                    + c.invitation(c.group(), c.throwawayUser(), "member"), null));
    private static final Call REVOKE_ADMIN_INVITATION = new Call("DELETE",
            "/api/v1/groups/{groupId}/invitations/{invitationId}", "an invitation to G, role admin",
            c -> c.request("DELETE", "/api/v1/groups/" + c.group() + "/invitations/"
                    + c.invitation(c.group(), c.throwawayUser(), "admin"), null));
    private static final Call LIST_OWN_INVITATIONS = new Call("GET", "/api/v1/invitations",
            "the caller's invitations",
            c -> c.request("GET", "/api/v1/invitations", null));
    private static final Call ACCEPT_INVITATION = new Call("POST", "/api/v1/invitations/{invitationId}/accept",
            "the caller's invitation to another group",
            c -> c.request("POST", "/api/v1/invitations/" + c.ownInvitation() + "/accept", null));
    private static final Call ACCEPT_OTHERS_INVITATION = new Call("POST",
            "/api/v1/invitations/{invitationId}/accept", "a throwaway account's invitation to G",
            c -> c.request("POST", "/api/v1/invitations/" + c.invitation(c.group(), c.throwawayUser(), "member")
                    + "/accept", null));
    private static final Call DECLINE_INVITATION = new Call("POST", "/api/v1/invitations/{invitationId}/decline",
            "the caller's invitation to another group",
            c -> c.request("POST", "/api/v1/invitations/" + c.ownInvitation() + "/decline", null));
    private static final Call DECLINE_OTHERS_INVITATION = new Call("POST",
            "/api/v1/invitations/{invitationId}/decline", "a throwaway account's invitation to G",
            c -> c.request("POST", "/api/v1/invitations/" + c.invitation(c.group(), c.throwawayUser(), "member")
                    + "/decline", null));


    private static final Call READ_INSTANCE_SETTINGS = new Call("GET", "/api/v1/settings/instance",
            "the instance defaults",
            c -> c.request("GET", "/api/v1/settings/instance", null));
    private static final Call REPLACE_INSTANCE_SETTINGS = new Call("PUT", "/api/v1/settings/instance",
            "the instance defaults, unchanged (the layer as read)",
            c -> c.request("PUT", "/api/v1/settings/instance", Map.of("settings", c.currentInstanceLayer())));
    private static final Call READ_GROUP_SETTINGS = new Call("GET", "/api/v1/groups/{groupId}/settings",
            "G's settings",
            c -> c.request("GET", "/api/v1/groups/" + c.group() + "/settings", null));
    private static final Call REPLACE_GROUP_SETTINGS = new Call("PUT", "/api/v1/groups/{groupId}/settings",
            "G's settings, no priority",
            c -> c.request("PUT", "/api/v1/groups/" + c.group() + "/settings",
                    Map.of("settings", Map.of("systemPrompt", "matrix"))));
    private static final Call REPLACE_GROUP_SETTINGS_AND_PRIORITY = new Call("PUT",
            "/api/v1/groups/{groupId}/settings", "G's settings and a new priority",
            c -> c.request("PUT", "/api/v1/groups/" + c.group() + "/settings",
                    Map.of("settings", Map.of("systemPrompt", "matrix"), "priority", 7)));
    private static final Call READ_OWN_SETTINGS = new Call("GET", "/api/v1/me/settings", "the caller's overrides",
            c -> c.request("GET", "/api/v1/me/settings", null));
    private static final Call REPLACE_OWN_SETTINGS = new Call("PUT", "/api/v1/me/settings",
            "the caller's overrides, an overridable key",
            c -> c.request("PUT", "/api/v1/me/settings", Map.of("settings", Map.of("defaultModel", "m"))));
    private static final Call READ_OWN_EFFECTIVE_STATE = new Call("GET", "/api/v1/me/effective-state",
            "the caller's effective state",
            c -> c.request("GET", "/api/v1/me/effective-state", null));
    private static final Call READ_OTHERS_EFFECTIVE_STATE = new Call("GET", "/api/v1/users/{userId}/effective-state",
            "a plain member of G",
            c -> c.request("GET", "/api/v1/users/" + c.plainMember().id() + "/effective-state", null));

    private static final Call LIST_INSTANCE_CREDENTIALS = new Call("GET", "/api/v1/settings/instance/credentials",
            "the instance's credentials",
            c -> c.request("GET", "/api/v1/settings/instance/credentials", null));
    private static final Call CREATE_INSTANCE_CREDENTIAL = new Call("POST", "/api/v1/settings/instance/credentials",
            "a new instance credential, shared with G",
            c -> c.request("POST", "/api/v1/settings/instance/credentials", c.credentialBody(c.group())));
    private static final Call SHARE_INSTANCE_CREDENTIAL = new Call("PUT",
            "/api/v1/settings/instance/credentials/{credentialId}/shares", "an instance credential, shared with G",
            c -> c.request("PUT", "/api/v1/settings/instance/credentials/" + c.instanceCredential() + "/shares",
                    Map.of("sharedWithAll", false, "sharedWithGroups", List.of(c.group()))));
    private static final Call DELETE_INSTANCE_CREDENTIAL = new Call("DELETE",
            "/api/v1/settings/instance/credentials/{credentialId}", "a throwaway instance credential",
            c -> c.request("DELETE", "/api/v1/settings/instance/credentials/" + c.instanceCredential(), null));
    private static final Call LIST_GROUP_CREDENTIALS = new Call("GET", "/api/v1/groups/{groupId}/credentials",
            "G's credentials",
            c -> c.request("GET", "/api/v1/groups/" + c.group() + "/credentials", null));
    private static final Call CREATE_GROUP_CREDENTIAL = new Call("POST", "/api/v1/groups/{groupId}/credentials",
            "a new credential of G",
            c -> c.request("POST", "/api/v1/groups/" + c.group() + "/credentials", c.credentialBody(null)));
    private static final Call DELETE_GROUP_CREDENTIAL = new Call("DELETE",
            "/api/v1/groups/{groupId}/credentials/{credentialId}", "a credential of G",
            c -> c.request("DELETE", "/api/v1/groups/" + c.group() + "/credentials/"
                    + c.groupCredential(c.group()), null));
    private static final Call DELETE_OTHER_GROUPS_CREDENTIAL = new Call("DELETE",
            "/api/v1/groups/{groupId}/credentials/{credentialId}", "a credential of another group, under G's path",
            c -> c.request("DELETE", "/api/v1/groups/" + c.group() + "/credentials/"
                    + c.groupCredential(c.otherGroup()), null));
    private static final Call LIST_OWN_CREDENTIALS = new Call("GET", "/api/v1/me/credentials",
            "the caller's credentials",
            c -> c.request("GET", "/api/v1/me/credentials", null));
    private static final Call CREATE_OWN_CREDENTIAL = new Call("POST", "/api/v1/me/credentials",
            "a new credential of the caller's",
            c -> c.request("POST", "/api/v1/me/credentials", c.credentialBody(null)));
    private static final Call DELETE_OWN_CREDENTIAL = new Call("DELETE", "/api/v1/me/credentials/{credentialId}",
            "the caller's own credential",
            c -> c.request("DELETE", "/api/v1/me/credentials/" + c.ownCredential(), null));
    private static final Call DELETE_OTHERS_CREDENTIAL = new Call("DELETE", "/api/v1/me/credentials/{credentialId}",
            "a credential of a plain member of G",
            c -> c.request("DELETE", "/api/v1/me/credentials/" + c.userCredentialOf(c.plainMember()), null));

    private static final Call EVENTS = new Call("GET", "/api/v1/events",
            "the caller's event stream (ended by signing out)",
            c -> c.stream("GET", "/api/v1/events"));

    private static final String COLLECTIONS = "/api/v1/collections";
    private static final Call CREATE_PERSONAL_COLLECTION = new Call("POST", COLLECTIONS,
            "a new personal collection of the caller's",
            c -> c.request("POST", COLLECTIONS, Map.of("name", "matrix-personal")));
    private static final Call CREATE_GROUP_COLLECTION = new Call("POST", COLLECTIONS, "a new collection of G",
            c -> c.request("POST", COLLECTIONS, Map.of("name", "matrix-group", "groupId", c.group())));
    private static final Call LIST_COLLECTIONS = new Call("GET", COLLECTIONS,
            "the collections the caller may read",
            c -> c.request("GET", COLLECTIONS, null));
    private static final Call READ_COLLECTION = new Call("GET", COLLECTIONS + "/{collectionId}", "a collection of G",
            c -> c.request("GET", COLLECTIONS + "/" + c.groupCollection(), null));
    private static final Call READ_OTHERS_COLLECTION = new Call("GET", COLLECTIONS + "/{collectionId}",
            "a personal collection of a plain member of G",
            c -> c.request("GET", COLLECTIONS + "/" + c.personalCollectionOf(c.plainMember()), null));
    private static final Call RENAME_COLLECTION = new Call("PATCH", COLLECTIONS + "/{collectionId}",
            "a collection of G, a new name",
            c -> c.request("PATCH", COLLECTIONS + "/" + c.groupCollection(), Map.of("name", "renamed")));
    private static final Call DELETE_COLLECTION = new Call("DELETE", COLLECTIONS + "/{collectionId}",
            "a collection of G",
            c -> c.request("DELETE", COLLECTIONS + "/" + c.groupCollection(), null));
    private static final Call LIST_COLLECTION_GRANTS = new Call("GET", COLLECTIONS + "/{collectionId}/grants",
            "a collection of G's grants",
            c -> c.request("GET", COLLECTIONS + "/" + c.groupCollection() + "/grants", null));
    private static final Call GRANT_USER = new Call("PUT", COLLECTIONS + "/{collectionId}/grants/users/{userId}",
            "a collection of G, read for a throwaway account",
            c -> c.request("PUT", COLLECTIONS + "/" + c.groupCollection() + "/grants/users/" + c.throwawayUser().id(),
                    Map.of("access", "read")));
    private static final Call GRANT_GROUP = new Call("PUT", COLLECTIONS + "/{collectionId}/grants/groups/{groupId}",
            "a collection of G, read for another group",
            c -> c.request("PUT", COLLECTIONS + "/" + c.groupCollection() + "/grants/groups/" + c.otherGroup(),
                    Map.of("access", "read")));
    private static final Call REVOKE_USER = new Call("DELETE", COLLECTIONS + "/{collectionId}/grants/users/{userId}",
            "a collection of G, a throwaway account's read grant",
            c -> {
                UUID collection = c.groupCollection();
                UUID grantee = c.throwawayUser().id();
                c.grantAsSetupAdmin(collection, "users", grantee);
                return c.request("DELETE", COLLECTIONS + "/" + collection + "/grants/users/" + grantee, null);
            });
    private static final Call REVOKE_GROUP = new Call("DELETE",
            COLLECTIONS + "/{collectionId}/grants/groups/{groupId}", "a collection of G, another group's read grant",
            c -> {
                UUID collection = c.groupCollection();
                UUID grantee = c.otherGroup();
                c.grantAsSetupAdmin(collection, "groups", grantee);
                return c.request("DELETE", COLLECTIONS + "/" + collection + "/grants/groups/" + grantee, null);
            });

    private static final String FILES = "/api/v1/files";
    private static final Call UPLOAD_FILE = new Call("POST", COLLECTIONS + "/{collectionId}/files",
            "a collection of G, a small text file",
            c -> c.upload(COLLECTIONS + "/" + c.groupCollection() + "/files"));
    private static final Call UPLOAD_TO_OWN_COLLECTION = new Call("POST", COLLECTIONS + "/{collectionId}/files",
            "the caller's own personal collection, a small text file",
            c -> c.upload(COLLECTIONS + "/" + c.ownPersonalCollection() + "/files"));
    private static final Call UPLOAD_TO_READABLE_COLLECTION = new Call("POST",
            COLLECTIONS + "/{collectionId}/files", "a collection of another group, shared with the caller for reading",
            c -> c.upload(COLLECTIONS + "/" + c.readOnlyCollection() + "/files"));
    private static final Call UPLOAD_BATCH = new Call("POST", COLLECTIONS + "/{collectionId}/files/batch",
            "a collection of G, a small text file",
            c -> c.upload(COLLECTIONS + "/" + c.groupCollection() + "/files/batch"));
    private static final Call LIST_FILES = new Call("GET", COLLECTIONS + "/{collectionId}/files",
            "a collection of G holding a file",
            c -> {
                c.groupFile();
                return c.request("GET", COLLECTIONS + "/" + c.groupCollection() + "/files", null);
            });
    private static final Call ADD_FILE = new Call("PUT", COLLECTIONS + "/{collectionId}/files/{fileId}",
            "a file of a collection of G, into another collection of G",
            c -> c.request("PUT", COLLECTIONS + "/" + c.secondGroupCollection() + "/files/" + c.groupFile(), null));
    private static final Call ADD_FILE_TO_OWN_COLLECTION = new Call("PUT",
            COLLECTIONS + "/{collectionId}/files/{fileId}",
            "a file of a collection of G, into the caller's own personal collection",
            c -> c.request("PUT", COLLECTIONS + "/" + c.ownPersonalCollection() + "/files/" + c.groupFile(), null));
    private static final Call REMOVE_FILE = new Call("DELETE", COLLECTIONS + "/{collectionId}/files/{fileId}",
            "a file of a collection of G, from that collection",
            c -> c.request("DELETE", COLLECTIONS + "/" + c.groupCollection() + "/files/" + c.groupFile(), null));
    private static final Call REMOVE_FROM_READABLE_COLLECTION = new Call("DELETE",
            COLLECTIONS + "/{collectionId}/files/{fileId}",
            "a file of a collection of another group shared with the caller for reading, from that collection",
            c -> c.request("DELETE", COLLECTIONS + "/" + c.readOnlyCollection() + "/files/" + c.readOnlyFile(),
                    null));
    private static final Call READ_FILE = new Call("GET", FILES + "/{fileId}", "a file of a collection of G",
            c -> c.request("GET", FILES + "/" + c.groupFile(), null));
    private static final Call READ_UPLOADED_FILE = new Call("GET", FILES + "/{fileId}",
            "a file the caller uploaded to another group's collection, whose write grant was then revoked",
            c -> c.request("GET", FILES + "/" + c.fileUploadedBeforeLosingAccess(), null));
    private static final Call DOWNLOAD_FILE = new Call("GET", FILES + "/{fileId}/content",
            "a file of a collection of G",
            c -> c.request("GET", FILES + "/" + c.groupFile() + "/content", null));
    private static final Call UPDATE_FILE = new Call("PATCH", FILES + "/{fileId}",
            "a file of a collection of G, uploaded by an instance admin, new metadata",
            c -> c.request("PATCH", FILES + "/" + c.groupFile(), Map.of("metadata", Map.of("team", "matrix"))));
    private static final Call UPDATE_OWN_FILE = new Call("PATCH", FILES + "/{fileId}",
            "a file the caller uploaded to their own personal collection, new metadata",
            c -> c.request("PATCH", FILES + "/" + c.ownFile(), Map.of("metadata", Map.of("team", "matrix"))));
    private static final Call DELETE_FILE = new Call("DELETE", FILES + "/{fileId}",
            "a file of a collection of G, uploaded by an instance admin",
            c -> c.request("DELETE", FILES + "/" + c.groupFile(), null));
    private static final Call DELETE_OWN_FILE = new Call("DELETE", FILES + "/{fileId}",
            "a file the caller uploaded to their own personal collection",
            c -> c.request("DELETE", FILES + "/" + c.ownFile(), null));
    private static final Call DELETE_UNKNOWN_FILE = new Call("DELETE", FILES + "/{fileId}", "an id of no file",
            c -> c.request("DELETE", FILES + "/" + UUID.randomUUID(), null));
    private static final Call RETRIEVE = new Call("POST", "/api/v1/retrieval",
            "a collection of G",
            c -> c.request("POST", "/api/v1/retrieval", c.retrievalBody(c.groupCollection())));
    private static final Call RETRIEVE_WITH_OWN_COLLECTION = new Call("POST", "/api/v1/retrieval",
            "the caller's own personal collection and a collection of G",
            c -> c.request("POST", "/api/v1/retrieval",
                    c.retrievalBody(c.ownPersonalCollection(), c.groupCollection())));

    private static final String CONNECTIONS = "/api/v1/connections";
    private static final Call LIST_CONNECTIONS = new Call("GET", CONNECTIONS, "the connections the caller manages",
            c -> c.request("GET", CONNECTIONS, null));
    private static final Call CREATE_INSTANCE_CONNECTION = new Call("POST", CONNECTIONS, "a new instance connection",
            c -> c.request("POST", CONNECTIONS, c.connectionBody(null)));
    private static final Call CREATE_GROUP_CONNECTION = new Call("POST", CONNECTIONS, "a new connection of G",
            c -> c.request("POST", CONNECTIONS, c.connectionBody(c.group())));
    private static final Call READ_CONNECTION = new Call("GET", CONNECTIONS + "/{connectionId}",
            "an instance connection", c -> c.request("GET", CONNECTIONS + "/" + c.connection(null), null));
    private static final Call READ_GROUP_CONNECTION = new Call("GET", CONNECTIONS + "/{connectionId}",
            "a connection of G", c -> c.request("GET", CONNECTIONS + "/" + c.connection(c.group()), null));
    private static final Call UPDATE_GROUP_CONNECTION = new Call("PATCH", CONNECTIONS + "/{connectionId}",
            "a connection of G, disabled", c -> c.request("PATCH", CONNECTIONS + "/" + c.connection(c.group()),
                    Map.of("enabled", false)));
    private static final Call DELETE_GROUP_CONNECTION = new Call("DELETE", CONNECTIONS + "/{connectionId}",
            "a connection of G", c -> c.request("DELETE", CONNECTIONS + "/" + c.connection(c.group()), null));
    private static final Call LIST_CONNECTION_MODELS = new Call("GET", CONNECTIONS + "/{connectionId}/models",
            "a connection of G", c -> c.request("GET", CONNECTIONS + "/" + c.connection(c.group()) + "/models",
                    null));
    private static final Call REFRESH_CONNECTION_MODELS = new Call("POST",
            CONNECTIONS + "/{connectionId}/models/refresh", "a connection of G",
            c -> c.request("POST", CONNECTIONS + "/" + c.connection(c.group()) + "/models/refresh", null));
    private static final Call LIST_MODELS = new Call("GET", "/api/v1/models", "the models the caller may use",
            c -> c.request("GET", "/api/v1/models", null));
    private static final String CHATS = "/api/v1/chats";
    private static final Expect CHAT_NOT_FOUND = new Expect(404, "chat_not_found");
    private static final Call CREATE_CHAT = new Call("POST", CHATS, "a new chat of the caller's, with a question",
            c -> c.request("POST", CHATS, Map.of("title", "matrix", "message", Map.of("content", "Kiwi?"))));
    private static final Call CREATE_CHAT_ON_GROUP_COLLECTION = new Call("POST", CHATS,
            "a new chat whose question grounds on a collection of G",
            c -> c.request("POST", CHATS, Map.of("message", Map.of("content", "Kiwi?",
                    "collectionIds", List.of(c.groupCollection())))));
    private static final Call LIST_CHATS = new Call("GET", CHATS, "the caller's chats",
            c -> c.request("GET", CHATS, null));
    private static final Call READ_OWN_CHAT = new Call("GET", CHATS + "/{chatId}", "the caller's own chat",
            c -> c.request("GET", CHATS + "/" + c.ownChat()[0], null));
    private static final Call READ_OTHERS_CHAT = new Call("GET", CHATS + "/{chatId}", "a chat of a plain member of G",
            c -> c.request("GET", CHATS + "/" + c.chatOf(c.plainMember())[0], null));
    private static final Call UPDATE_OWN_CHAT = new Call("PATCH", CHATS + "/{chatId}",
            "the caller's own chat, a new title and pinned",
            c -> c.request("PATCH", CHATS + "/" + c.ownChat()[0], Map.of("title", "renamed", "pinned", true)));
    private static final Call DELETE_OWN_CHAT = new Call("DELETE", CHATS + "/{chatId}", "the caller's own chat",
            c -> c.request("DELETE", CHATS + "/" + c.ownChat()[0], null));
    private static final Call DELETE_OTHERS_CHAT = new Call("DELETE", CHATS + "/{chatId}",
            "a chat of a plain member of G",
            c -> c.request("DELETE", CHATS + "/" + c.chatOf(c.plainMember())[0], null));
    private static final Call ADD_OWN_MESSAGE = new Call("POST", CHATS + "/{chatId}/messages",
            "the caller's own chat, a question after its first",
            c -> {
                String[] chat = c.ownChat();
                return c.request("POST", CHATS + "/" + chat[0] + "/messages",
                        Map.of("content", "And mango?", "parentId", chat[1]));
            });
    private static final Call ADD_OTHERS_MESSAGE = new Call("POST", CHATS + "/{chatId}/messages",
            "a chat of a plain member of G, a question",
            c -> c.request("POST", CHATS + "/" + c.chatOf(c.plainMember())[0] + "/messages",
                    Map.of("content", "Mine now?")));
    private static final Call LIST_OWN_MESSAGES = new Call("GET", CHATS + "/{chatId}/messages",
            "the caller's own chat's messages",
            c -> c.request("GET", CHATS + "/" + c.ownChat()[0] + "/messages", null));
    private static final Call READ_OWN_MESSAGE = new Call("GET", CHATS + "/{chatId}/messages/{messageId}",
            "the first question of the caller's own chat",
            c -> {
                String[] chat = c.ownChat();
                return c.request("GET", CHATS + "/" + chat[0] + "/messages/" + chat[1], null);
            });
    private static final Call SELECT_OWN_BRANCH = new Call("PUT", CHATS + "/{chatId}/branch",
            "the caller's own chat, its first question",
            c -> {
                String[] chat = c.ownChat();
                return c.request("PUT", CHATS + "/" + chat[0] + "/branch", Map.of("messageId", chat[1]));
            });
    private static final Expect MODEL_NOT_FOUND = new Expect(404, "model_not_found");
    private static final Expect NOT_AN_ANSWER = new Expect(400, "validation_failed");
    private static final Call ASK_OWN_ANSWER = new Call("POST", CHATS + "/{chatId}/answers",
            "the caller's own chat, its question, a model of no catalogue",
            c -> {
                String[] chat = c.ownChat();
                return c.request("POST", CHATS + "/" + chat[0] + "/answers",
                        Map.of("questionId", chat[1], "model", "matrix-none/none"));
            });
    private static final Call ASK_OTHERS_ANSWER = new Call("POST", CHATS + "/{chatId}/answers",
            "a chat of a plain member of G, its question",
            c -> {
                String[] chat = c.chatOf(c.plainMember());
                return c.request("POST", CHATS + "/" + chat[0] + "/answers",
                        Map.of("questionId", chat[1], "model", "matrix-none/none"));
            });
    private static final Call REGENERATE_OWN = new Call("POST", CHATS + "/{chatId}/messages/{messageId}/regenerate",
            "the caller's own chat, its question (not an answer)",
            c -> {
                String[] chat = c.ownChat();
                return c.request("POST", CHATS + "/" + chat[0] + "/messages/" + chat[1] + "/regenerate", Map.of());
            });
    private static final Call REGENERATE_OTHERS = new Call("POST",
            CHATS + "/{chatId}/messages/{messageId}/regenerate", "a chat of a plain member of G, its question",
            c -> {
                String[] chat = c.chatOf(c.plainMember());
                return c.request("POST", CHATS + "/" + chat[0] + "/messages/" + chat[1] + "/regenerate", Map.of());
            });
    private static final Call OWN_ANSWER_EVENTS = new Call("GET", CHATS + "/{chatId}/messages/{messageId}/events",
            "the caller's own chat, its question (not an answer)",
            c -> {
                String[] chat = c.ownChat();
                return c.request("GET", CHATS + "/" + chat[0] + "/messages/" + chat[1] + "/events", null);
            });
    private static final Call OTHERS_ANSWER_EVENTS = new Call("GET",
            CHATS + "/{chatId}/messages/{messageId}/events", "a chat of a plain member of G, its question",
            c -> {
                String[] chat = c.chatOf(c.plainMember());
                return c.request("GET", CHATS + "/" + chat[0] + "/messages/" + chat[1] + "/events", null);
            });
    private static final Call STOP_OWN = new Call("POST", CHATS + "/{chatId}/messages/{messageId}/stop",
            "the caller's own chat, its question (not an answer)",
            c -> {
                String[] chat = c.ownChat();
                return c.request("POST", CHATS + "/" + chat[0] + "/messages/" + chat[1] + "/stop", null);
            });
    private static final Call STOP_OTHERS = new Call("POST", CHATS + "/{chatId}/messages/{messageId}/stop",
            "a chat of a plain member of G, its question",
            c -> {
                String[] chat = c.chatOf(c.plainMember());
                return c.request("POST", CHATS + "/" + chat[0] + "/messages/" + chat[1] + "/stop", null);
            });
    private static final Call READ_USAGE = new Call("GET", "/api/v1/usage", "everyone's usage",
            c -> c.request("GET", "/api/v1/usage", null));
    private static final Call READ_GROUP_USAGE = new Call("GET", "/api/v1/groups/{groupId}/usage",
            "the usage charged to G",
            c -> c.request("GET", "/api/v1/groups/" + c.group() + "/usage", null));
    private static final Call MODELS_IN_USE = new Call("GET", "/api/v1/models-in-use", "the live view",
            c -> c.request("GET", "/api/v1/models-in-use", null));
    private static final Expect TITLE_MODEL_UNAVAILABLE = new Expect(422, "title_model_unavailable");
    private static final Expect AUTOCOMPLETION_DISABLED = new Expect(403, "autocompletion_disabled");
    private static final Call TITLE_OWN = new Call("POST", CHATS + "/{chatId}/title",
            "the caller's own chat, no title model in the catalogue",
            c -> c.request("POST", CHATS + "/" + c.ownChat()[0] + "/title", null));
    private static final Call TITLE_OTHERS = new Call("POST", CHATS + "/{chatId}/title",
            "a chat of a plain member of G",
            c -> c.request("POST", CHATS + "/" + c.chatOf(c.plainMember())[0] + "/title", null));
    private static final Call AUTOCOMPLETE = new Call("POST", "/api/v1/autocompletions",
            "a text, autocompletion off (the default)",
            c -> c.request("POST", "/api/v1/autocompletions", Map.of("text", "Which rooms")));

    private static final String PRESETS = "/api/v1/presets";
    private static final Call CREATE_PERSONAL_PRESET = new Call("POST", PRESETS, "a new personal preset",
            c -> c.request("POST", PRESETS, Map.of("name", "matrix-personal", "baseModel", "matrix-none/none")));
    private static final Call CREATE_GROUP_PRESET = new Call("POST", PRESETS, "a new preset of G",
            c -> c.request("POST", PRESETS, Map.of("name", "matrix-group", "baseModel", "matrix-none/none",
                    "groupId", c.group())));
    private static final Call LIST_PRESETS = new Call("GET", PRESETS, "the presets the caller may see",
            c -> c.request("GET", PRESETS, null));
    private static final Call READ_PRESET = new Call("GET", PRESETS + "/{presetId}", "a preset of G",
            c -> c.request("GET", PRESETS + "/" + c.groupPreset(), null));
    private static final Call READ_OTHERS_PRESET = new Call("GET", PRESETS + "/{presetId}",
            "a personal preset of a plain member of G",
            c -> c.request("GET", PRESETS + "/" + c.presetOf(c.plainMember()), null));
    private static final Call UPDATE_PRESET = new Call("PATCH", PRESETS + "/{presetId}", "a preset of G",
            c -> c.request("PATCH", PRESETS + "/" + c.groupPreset(), Map.of("name", "renamed")));
    private static final Call DELETE_PRESET = new Call("DELETE", PRESETS + "/{presetId}", "a preset of G",
            c -> c.request("DELETE", PRESETS + "/" + c.groupPreset(), null));

    // ----------------------------------------------------------------------------------------------------------------
    // The matrix. Columns: anonymous, pending account, plain user, admin of another group, admin of G, instance admin.
    // ----------------------------------------------------------------------------------------------------------------

    static final List<Row> MATRIX = List.of(
            //  call                   anonymous        pending          plain user         admin of other group admin of G          instance admin
            row(SIGN_UP,               CREATED,         CREATED,         CREATED,           CREATED,           CREATED,           CREATED),
            row(SIGN_IN,               OK,              OK,              OK,                OK,                OK,                OK),
            row(SIGN_OUT,              UNAUTHENTICATED, NO_CONTENT,      NO_CONTENT,        NO_CONTENT,        NO_CONTENT,        NO_CONTENT),
            row(ME,                    UNAUTHENTICATED, OK,              OK,                OK,                OK,                OK),
            row(RENAME,                UNAUTHENTICATED, ACCOUNT_PENDING, OK,                OK,                OK,                OK),
            row(CHANGE_PASSWORD,       UNAUTHENTICATED, ACCOUNT_PENDING, WRONG_PASSWORD,    WRONG_PASSWORD,    WRONG_PASSWORD,    WRONG_PASSWORD),

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
            row(ADD_MEMBER,            UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,   GROUP_NOT_FOUND,   INVITATION_REQUIRED, OK),
            row(ADD_INSTANCE_ADMIN,    UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,   GROUP_NOT_FOUND,   INVITATION_REQUIRED, INVITATION_REQUIRED),
            row(ADD_SELF,              UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,   GROUP_NOT_FOUND,   FORBIDDEN,         OK),
            row(ADD_GROUP_ADMIN,       UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,   GROUP_NOT_FOUND,   FORBIDDEN,         OK),
            row(PROMOTE_MEMBER,        UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,   GROUP_NOT_FOUND,   FORBIDDEN,         OK),
            row(DEMOTE_GROUP_ADMIN,    UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,   GROUP_NOT_FOUND,   FORBIDDEN,         OK),
            row(REMOVE_MEMBER,         UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,   GROUP_NOT_FOUND,   NO_CONTENT,        NO_CONTENT),
            row(REMOVE_GROUP_ADMIN,    UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,   GROUP_NOT_FOUND,   FORBIDDEN,         NO_CONTENT),
            row(LEAVE_GROUP,           UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,   GROUP_NOT_FOUND,   NO_CONTENT,        NO_CONTENT),

            row(INVITE,                UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,   GROUP_NOT_FOUND,   CREATED,           CREATED),
            row(INVITE_AS_GROUP_ADMIN, UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,   GROUP_NOT_FOUND,   FORBIDDEN,         CREATED),
            row(INVITE_INSTANCE_ADMIN, UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,   GROUP_NOT_FOUND,   CREATED,           CREATED),
            row(LIST_GROUP_INVITATIONS, UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,  GROUP_NOT_FOUND,   OK,                OK),
            row(REVOKE_INVITATION,     UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,   GROUP_NOT_FOUND,   NO_CONTENT,        NO_CONTENT),
            row(REVOKE_ADMIN_INVITATION, UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND, GROUP_NOT_FOUND,   FORBIDDEN,         NO_CONTENT),
            row(LIST_OWN_INVITATIONS,  UNAUTHENTICATED, ACCOUNT_PENDING, OK,                OK,                OK,                OK),
            row(ACCEPT_INVITATION,     UNAUTHENTICATED, ACCOUNT_PENDING, OK,                OK,                OK,                OK),
            row(ACCEPT_OTHERS_INVITATION, UNAUTHENTICATED, ACCOUNT_PENDING, INVITATION_NOT_FOUND, INVITATION_NOT_FOUND, INVITATION_NOT_FOUND, INVITATION_NOT_FOUND),
            row(DECLINE_INVITATION,    UNAUTHENTICATED, ACCOUNT_PENDING, NO_CONTENT,        NO_CONTENT,        NO_CONTENT,        NO_CONTENT),
            row(DECLINE_OTHERS_INVITATION, UNAUTHENTICATED, ACCOUNT_PENDING, INVITATION_NOT_FOUND, INVITATION_NOT_FOUND, INVITATION_NOT_FOUND, INVITATION_NOT_FOUND),

            row(READ_INSTANCE_SETTINGS,              UNAUTHENTICATED, ACCOUNT_PENDING, ADMIN_REQUIRED,       ADMIN_REQUIRED,       ADMIN_REQUIRED,       OK),
            row(REPLACE_INSTANCE_SETTINGS,           UNAUTHENTICATED, ACCOUNT_PENDING, ADMIN_REQUIRED,       ADMIN_REQUIRED,       ADMIN_REQUIRED,       OK),
            row(READ_GROUP_SETTINGS,                 UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,      GROUP_NOT_FOUND,      OK,                   OK),
            row(REPLACE_GROUP_SETTINGS,              UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,      GROUP_NOT_FOUND,      OK,                   OK),
            row(REPLACE_GROUP_SETTINGS_AND_PRIORITY, UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,      GROUP_NOT_FOUND,      ADMIN_REQUIRED,       OK),
            row(READ_OWN_SETTINGS,                   UNAUTHENTICATED, ACCOUNT_PENDING, OK,                   OK,                   OK,                   OK),
            row(REPLACE_OWN_SETTINGS,                UNAUTHENTICATED, ACCOUNT_PENDING, OK,                   OK,                   OK,                   OK),
            row(READ_OWN_EFFECTIVE_STATE,            UNAUTHENTICATED, ACCOUNT_PENDING, OK,                   OK,                   OK,                   OK),
            row(READ_OTHERS_EFFECTIVE_STATE,         UNAUTHENTICATED, ACCOUNT_PENDING, ADMIN_REQUIRED,       ADMIN_REQUIRED,       ADMIN_REQUIRED,       OK),

            row(LIST_INSTANCE_CREDENTIALS,           UNAUTHENTICATED, ACCOUNT_PENDING, ADMIN_REQUIRED,       ADMIN_REQUIRED,       ADMIN_REQUIRED,       OK),
            row(CREATE_INSTANCE_CREDENTIAL,          UNAUTHENTICATED, ACCOUNT_PENDING, ADMIN_REQUIRED,       ADMIN_REQUIRED,       ADMIN_REQUIRED,       CREATED),
            row(SHARE_INSTANCE_CREDENTIAL,           UNAUTHENTICATED, ACCOUNT_PENDING, ADMIN_REQUIRED,       ADMIN_REQUIRED,       ADMIN_REQUIRED,       OK),
            row(DELETE_INSTANCE_CREDENTIAL,          UNAUTHENTICATED, ACCOUNT_PENDING, ADMIN_REQUIRED,       ADMIN_REQUIRED,       ADMIN_REQUIRED,       NO_CONTENT),
            row(LIST_GROUP_CREDENTIALS,              UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,      GROUP_NOT_FOUND,      OK,                   OK),
            row(CREATE_GROUP_CREDENTIAL,             UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,      GROUP_NOT_FOUND,      CREATED,              CREATED),
            row(DELETE_GROUP_CREDENTIAL,             UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,      GROUP_NOT_FOUND,      NO_CONTENT,           NO_CONTENT),
            row(DELETE_OTHER_GROUPS_CREDENTIAL,      UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,      GROUP_NOT_FOUND,      CREDENTIAL_NOT_FOUND, CREDENTIAL_NOT_FOUND),
            row(LIST_OWN_CREDENTIALS,                UNAUTHENTICATED, ACCOUNT_PENDING, OK,                   OK,                   OK,                   OK),
            row(CREATE_OWN_CREDENTIAL,               UNAUTHENTICATED, ACCOUNT_PENDING, CREATED,              CREATED,              CREATED,              CREATED),
            row(DELETE_OWN_CREDENTIAL,               UNAUTHENTICATED, ACCOUNT_PENDING, NO_CONTENT,           NO_CONTENT,           NO_CONTENT,           NO_CONTENT),
            row(DELETE_OTHERS_CREDENTIAL,            UNAUTHENTICATED, ACCOUNT_PENDING, CREDENTIAL_NOT_FOUND, CREDENTIAL_NOT_FOUND, CREDENTIAL_NOT_FOUND, CREDENTIAL_NOT_FOUND),

            row(EVENTS,                              UNAUTHENTICATED, ACCOUNT_PENDING, OK,                   OK,                   OK,                   OK),

            row(CREATE_PERSONAL_COLLECTION,          UNAUTHENTICATED, ACCOUNT_PENDING, CREATED,              CREATED,              CREATED,              CREATED),
            row(CREATE_GROUP_COLLECTION,             UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,      GROUP_NOT_FOUND,      CREATED,              CREATED),
            row(LIST_COLLECTIONS,                    UNAUTHENTICATED, ACCOUNT_PENDING, OK,                   OK,                   OK,                   OK),
            row(READ_COLLECTION,                     UNAUTHENTICATED, ACCOUNT_PENDING, COLLECTION_NOT_FOUND, COLLECTION_NOT_FOUND, OK,                   OK),
            row(READ_OTHERS_COLLECTION,              UNAUTHENTICATED, ACCOUNT_PENDING, COLLECTION_NOT_FOUND, COLLECTION_NOT_FOUND, COLLECTION_NOT_FOUND, OK),
            row(RENAME_COLLECTION,                   UNAUTHENTICATED, ACCOUNT_PENDING, COLLECTION_NOT_FOUND, COLLECTION_NOT_FOUND, OK,                   OK),
            row(DELETE_COLLECTION,                   UNAUTHENTICATED, ACCOUNT_PENDING, COLLECTION_NOT_FOUND, COLLECTION_NOT_FOUND, NO_CONTENT,           NO_CONTENT),
            row(LIST_COLLECTION_GRANTS,              UNAUTHENTICATED, ACCOUNT_PENDING, COLLECTION_NOT_FOUND, COLLECTION_NOT_FOUND, OK,                   OK),
            row(GRANT_USER,                          UNAUTHENTICATED, ACCOUNT_PENDING, COLLECTION_NOT_FOUND, COLLECTION_NOT_FOUND, OK,                   OK),
            row(GRANT_GROUP,                         UNAUTHENTICATED, ACCOUNT_PENDING, COLLECTION_NOT_FOUND, COLLECTION_NOT_FOUND, OK,                   OK),
            row(REVOKE_USER,                         UNAUTHENTICATED, ACCOUNT_PENDING, COLLECTION_NOT_FOUND, COLLECTION_NOT_FOUND, NO_CONTENT,           NO_CONTENT),
            row(REVOKE_GROUP,                        UNAUTHENTICATED, ACCOUNT_PENDING, COLLECTION_NOT_FOUND, COLLECTION_NOT_FOUND, NO_CONTENT,           NO_CONTENT),

            row(UPLOAD_FILE,                         UNAUTHENTICATED, ACCOUNT_PENDING, COLLECTION_NOT_FOUND, COLLECTION_NOT_FOUND, ACCEPTED,             ACCEPTED),
            row(UPLOAD_TO_OWN_COLLECTION,            UNAUTHENTICATED, ACCOUNT_PENDING, ACCEPTED,             ACCEPTED,             ACCEPTED,             ACCEPTED),
            row(UPLOAD_TO_READABLE_COLLECTION,       UNAUTHENTICATED, ACCOUNT_PENDING, FORBIDDEN,            FORBIDDEN,            FORBIDDEN,            ACCEPTED),
            row(UPLOAD_BATCH,                        UNAUTHENTICATED, ACCOUNT_PENDING, COLLECTION_NOT_FOUND, COLLECTION_NOT_FOUND, OK,                   OK),
            row(LIST_FILES,                          UNAUTHENTICATED, ACCOUNT_PENDING, COLLECTION_NOT_FOUND, COLLECTION_NOT_FOUND, OK,                   OK),
            row(ADD_FILE,                            UNAUTHENTICATED, ACCOUNT_PENDING, COLLECTION_NOT_FOUND, COLLECTION_NOT_FOUND, OK,                   OK),
            row(ADD_FILE_TO_OWN_COLLECTION,          UNAUTHENTICATED, ACCOUNT_PENDING, FILE_NOT_FOUND,       FILE_NOT_FOUND,       OK,                   OK),
            row(REMOVE_FILE,                         UNAUTHENTICATED, ACCOUNT_PENDING, COLLECTION_NOT_FOUND, COLLECTION_NOT_FOUND, NO_CONTENT,           NO_CONTENT),
            row(REMOVE_FROM_READABLE_COLLECTION,     UNAUTHENTICATED, ACCOUNT_PENDING, FORBIDDEN,            FORBIDDEN,            FORBIDDEN,            NO_CONTENT),
            row(READ_FILE,                           UNAUTHENTICATED, ACCOUNT_PENDING, FILE_NOT_FOUND,       FILE_NOT_FOUND,       OK,                   OK),
            row(READ_UPLOADED_FILE,                  UNAUTHENTICATED, ACCOUNT_PENDING, OK,                   OK,                   OK,                   OK),
            row(DOWNLOAD_FILE,                       UNAUTHENTICATED, ACCOUNT_PENDING, FILE_NOT_FOUND,       FILE_NOT_FOUND,       OK,                   OK),
            row(UPDATE_FILE,                         UNAUTHENTICATED, ACCOUNT_PENDING, FILE_NOT_FOUND,       FILE_NOT_FOUND,       FORBIDDEN,            OK),
            row(UPDATE_OWN_FILE,                     UNAUTHENTICATED, ACCOUNT_PENDING, OK,                   OK,                   OK,                   OK),
            row(DELETE_FILE,                         UNAUTHENTICATED, ACCOUNT_PENDING, NO_CONTENT,           NO_CONTENT,           FORBIDDEN,            NO_CONTENT),
            row(DELETE_OWN_FILE,                     UNAUTHENTICATED, ACCOUNT_PENDING, NO_CONTENT,           NO_CONTENT,           NO_CONTENT,           NO_CONTENT),
            row(DELETE_UNKNOWN_FILE,                 UNAUTHENTICATED, ACCOUNT_PENDING, NO_CONTENT,           NO_CONTENT,           NO_CONTENT,           NO_CONTENT),
            row(RETRIEVE,                            UNAUTHENTICATED, ACCOUNT_PENDING, COLLECTION_NOT_FOUND, COLLECTION_NOT_FOUND, OK,                   OK),
            row(RETRIEVE_WITH_OWN_COLLECTION,        UNAUTHENTICATED, ACCOUNT_PENDING, COLLECTION_NOT_FOUND, COLLECTION_NOT_FOUND, OK,                   OK),

            row(LIST_CONNECTIONS,                    UNAUTHENTICATED, ACCOUNT_PENDING, OK,                   OK,                   OK,                   OK),
            row(CREATE_INSTANCE_CONNECTION,          UNAUTHENTICATED, ACCOUNT_PENDING, ADMIN_REQUIRED,       ADMIN_REQUIRED,       ADMIN_REQUIRED,       CREATED),
            row(CREATE_GROUP_CONNECTION,             UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,      GROUP_NOT_FOUND,      GROUP_CONNECTIONS_DISABLED, CREATED),
            row(READ_CONNECTION,                     UNAUTHENTICATED, ACCOUNT_PENDING, CONNECTION_NOT_FOUND, CONNECTION_NOT_FOUND, CONNECTION_NOT_FOUND, OK),
            row(READ_GROUP_CONNECTION,               UNAUTHENTICATED, ACCOUNT_PENDING, CONNECTION_NOT_FOUND, CONNECTION_NOT_FOUND, OK,                   OK),
            row(UPDATE_GROUP_CONNECTION,             UNAUTHENTICATED, ACCOUNT_PENDING, CONNECTION_NOT_FOUND, CONNECTION_NOT_FOUND, GROUP_CONNECTIONS_DISABLED, OK),
            row(DELETE_GROUP_CONNECTION,             UNAUTHENTICATED, ACCOUNT_PENDING, CONNECTION_NOT_FOUND, CONNECTION_NOT_FOUND, NO_CONTENT,           NO_CONTENT),
            row(LIST_CONNECTION_MODELS,              UNAUTHENTICATED, ACCOUNT_PENDING, CONNECTION_NOT_FOUND, CONNECTION_NOT_FOUND, OK,                   OK),
            row(REFRESH_CONNECTION_MODELS,           UNAUTHENTICATED, ACCOUNT_PENDING, CONNECTION_NOT_FOUND, CONNECTION_NOT_FOUND, OK,                   OK),
            row(LIST_MODELS,                         UNAUTHENTICATED, ACCOUNT_PENDING, OK,                   OK,                   OK,                   OK),
            row(CREATE_CHAT,                         UNAUTHENTICATED, ACCOUNT_PENDING, CREATED,              CREATED,              CREATED,              CREATED),
            row(CREATE_CHAT_ON_GROUP_COLLECTION,     UNAUTHENTICATED, ACCOUNT_PENDING, COLLECTION_NOT_FOUND, COLLECTION_NOT_FOUND, CREATED,              CREATED),
            row(LIST_CHATS,                          UNAUTHENTICATED, ACCOUNT_PENDING, OK,                   OK,                   OK,                   OK),
            row(READ_OWN_CHAT,                       UNAUTHENTICATED, ACCOUNT_PENDING, OK,                   OK,                   OK,                   OK),
            row(READ_OTHERS_CHAT,                    UNAUTHENTICATED, ACCOUNT_PENDING, CHAT_NOT_FOUND,       CHAT_NOT_FOUND,       CHAT_NOT_FOUND,       CHAT_NOT_FOUND),
            row(UPDATE_OWN_CHAT,                     UNAUTHENTICATED, ACCOUNT_PENDING, OK,                   OK,                   OK,                   OK),
            row(DELETE_OWN_CHAT,                     UNAUTHENTICATED, ACCOUNT_PENDING, NO_CONTENT,           NO_CONTENT,           NO_CONTENT,           NO_CONTENT),
            row(DELETE_OTHERS_CHAT,                  UNAUTHENTICATED, ACCOUNT_PENDING, NO_CONTENT,           NO_CONTENT,           NO_CONTENT,           NO_CONTENT),
            row(ADD_OWN_MESSAGE,                     UNAUTHENTICATED, ACCOUNT_PENDING, CREATED,              CREATED,              CREATED,              CREATED),
            row(ADD_OTHERS_MESSAGE,                  UNAUTHENTICATED, ACCOUNT_PENDING, CHAT_NOT_FOUND,       CHAT_NOT_FOUND,       CHAT_NOT_FOUND,       CHAT_NOT_FOUND),
            row(LIST_OWN_MESSAGES,                   UNAUTHENTICATED, ACCOUNT_PENDING, OK,                   OK,                   OK,                   OK),
            row(READ_OWN_MESSAGE,                    UNAUTHENTICATED, ACCOUNT_PENDING, OK,                   OK,                   OK,                   OK),
            row(SELECT_OWN_BRANCH,                   UNAUTHENTICATED, ACCOUNT_PENDING, OK,                   OK,                   OK,                   OK),
            row(ASK_OWN_ANSWER,                      UNAUTHENTICATED, ACCOUNT_PENDING, MODEL_NOT_FOUND,      MODEL_NOT_FOUND,      MODEL_NOT_FOUND,      MODEL_NOT_FOUND),
            row(ASK_OTHERS_ANSWER,                   UNAUTHENTICATED, ACCOUNT_PENDING, CHAT_NOT_FOUND,       CHAT_NOT_FOUND,       CHAT_NOT_FOUND,       CHAT_NOT_FOUND),
            row(REGENERATE_OWN,                      UNAUTHENTICATED, ACCOUNT_PENDING, NOT_AN_ANSWER,        NOT_AN_ANSWER,        NOT_AN_ANSWER,        NOT_AN_ANSWER),
            row(REGENERATE_OTHERS,                   UNAUTHENTICATED, ACCOUNT_PENDING, CHAT_NOT_FOUND,       CHAT_NOT_FOUND,       CHAT_NOT_FOUND,       CHAT_NOT_FOUND),
            row(OWN_ANSWER_EVENTS,                   UNAUTHENTICATED, ACCOUNT_PENDING, NOT_AN_ANSWER,        NOT_AN_ANSWER,        NOT_AN_ANSWER,        NOT_AN_ANSWER),
            row(OTHERS_ANSWER_EVENTS,                UNAUTHENTICATED, ACCOUNT_PENDING, CHAT_NOT_FOUND,       CHAT_NOT_FOUND,       CHAT_NOT_FOUND,       CHAT_NOT_FOUND),
            row(STOP_OWN,                            UNAUTHENTICATED, ACCOUNT_PENDING, NOT_AN_ANSWER,        NOT_AN_ANSWER,        NOT_AN_ANSWER,        NOT_AN_ANSWER),
            row(STOP_OTHERS,                         UNAUTHENTICATED, ACCOUNT_PENDING, CHAT_NOT_FOUND,       CHAT_NOT_FOUND,       CHAT_NOT_FOUND,       CHAT_NOT_FOUND),
            row(READ_USAGE,                          UNAUTHENTICATED, ACCOUNT_PENDING, ADMIN_REQUIRED,       ADMIN_REQUIRED,       ADMIN_REQUIRED,       OK),
            row(READ_GROUP_USAGE,                    UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,      GROUP_NOT_FOUND,      OK,                   OK),
            row(MODELS_IN_USE,                       UNAUTHENTICATED, ACCOUNT_PENDING, ADMIN_REQUIRED,       ADMIN_REQUIRED,       ADMIN_REQUIRED,       OK),
            row(TITLE_OWN,                           UNAUTHENTICATED, ACCOUNT_PENDING, TITLE_MODEL_UNAVAILABLE, TITLE_MODEL_UNAVAILABLE, TITLE_MODEL_UNAVAILABLE, TITLE_MODEL_UNAVAILABLE),
            row(TITLE_OTHERS,                        UNAUTHENTICATED, ACCOUNT_PENDING, CHAT_NOT_FOUND,       CHAT_NOT_FOUND,       CHAT_NOT_FOUND,       CHAT_NOT_FOUND),
            row(AUTOCOMPLETE,                        UNAUTHENTICATED, ACCOUNT_PENDING, AUTOCOMPLETION_DISABLED, AUTOCOMPLETION_DISABLED, AUTOCOMPLETION_DISABLED, AUTOCOMPLETION_DISABLED),

            row(CREATE_PERSONAL_PRESET,              UNAUTHENTICATED, ACCOUNT_PENDING, CREATED,              CREATED,              CREATED,              CREATED),
            row(CREATE_GROUP_PRESET,                 UNAUTHENTICATED, ACCOUNT_PENDING, GROUP_NOT_FOUND,      GROUP_NOT_FOUND,      CREATED,              CREATED),
            row(LIST_PRESETS,                        UNAUTHENTICATED, ACCOUNT_PENDING, OK,                   OK,                   OK,                   OK),
            row(READ_PRESET,                         UNAUTHENTICATED, ACCOUNT_PENDING, PRESET_NOT_FOUND,     PRESET_NOT_FOUND,     OK,                   OK),
            row(READ_OTHERS_PRESET,                  UNAUTHENTICATED, ACCOUNT_PENDING, PRESET_NOT_FOUND,     PRESET_NOT_FOUND,     PRESET_NOT_FOUND,     OK),
            row(UPDATE_PRESET,                       UNAUTHENTICATED, ACCOUNT_PENDING, PRESET_NOT_FOUND,     PRESET_NOT_FOUND,     OK,                   OK),
            row(DELETE_PRESET,                       UNAUTHENTICATED, ACCOUNT_PENDING, PRESET_NOT_FOUND,     PRESET_NOT_FOUND,     NO_CONTENT,           NO_CONTENT),

            // Open WebUI's file and knowledge endpoints (compat.openwebui): the rules of the collections and files
            // they stand on. GET /api/v1/files/{fileId} is READ_FILE above; a knowledge base is a collection.
            row(new Call("POST", "/api/v1/files/", "a small text file, in no collection",
                    c -> c.upload("/api/v1/files/")),
                                                     UNAUTHENTICATED, ACCOUNT_PENDING, OK,                   OK,                   OK,                   OK),
            row(new Call("GET", "/api/v1/files/{fileId}/process/status", "a file of a collection of G",
                    c -> c.request("GET", "/api/v1/files/" + c.groupFile() + "/process/status", null)),
                                                     UNAUTHENTICATED, ACCOUNT_PENDING, FILE_NOT_FOUND,       FILE_NOT_FOUND,       OK,                   OK),
            row(new Call("GET", "/api/v1/knowledge/", "the collections the caller may read",
                    c -> c.request("GET", "/api/v1/knowledge/", null)),
                                                     UNAUTHENTICATED, ACCOUNT_PENDING, OK,                   OK,                   OK,                   OK),
            row(new Call("POST", "/api/v1/knowledge/create", "a new personal collection",
                    c -> c.request("POST", "/api/v1/knowledge/create", Map.of("name", "Matrix", "description", ""))),
                                                     UNAUTHENTICATED, ACCOUNT_PENDING, OK,                   OK,                   OK,                   OK),
            row(new Call("GET", "/api/v1/knowledge/{collectionId}", "a collection of G",
                    c -> c.request("GET", "/api/v1/knowledge/" + c.groupCollection(), null)),
                                                     UNAUTHENTICATED, ACCOUNT_PENDING, COLLECTION_NOT_FOUND, COLLECTION_NOT_FOUND, OK,                   OK),
            row(new Call("POST", "/api/v1/knowledge/{collectionId}/file/add",
                    "a file of a collection of G, into another collection of G",
                    c -> c.request("POST", "/api/v1/knowledge/" + c.secondGroupCollection() + "/file/add",
                            Map.of("file_id", c.groupFile()))),
                                                     UNAUTHENTICATED, ACCOUNT_PENDING, COLLECTION_NOT_FOUND, COLLECTION_NOT_FOUND, OK,                   OK),
            row(new Call("POST", "/api/v1/knowledge/{collectionId}/file/remove",
                    "a file of a collection of G uploaded by an instance admin, from that collection (delete_file)",
                    c -> c.request("POST", "/api/v1/knowledge/" + c.groupCollection() + "/file/remove",
                            Map.of("file_id", c.groupFile()))),
                                                     UNAUTHENTICATED, ACCOUNT_PENDING, COLLECTION_NOT_FOUND, COLLECTION_NOT_FOUND, OK,                   OK),
            row(new Call("POST", "/api/v1/knowledge/{collectionId}/file/remove",
                    "a file of a collection of another group shared with the caller for reading, from that collection",
                    c -> c.request("POST", "/api/v1/knowledge/" + c.readOnlyCollection() + "/file/remove",
                            Map.of("file_id", c.readOnlyFile()))),
                                                     UNAUTHENTICATED, ACCOUNT_PENDING, FORBIDDEN,            FORBIDDEN,            FORBIDDEN,            OK),
            row(new Call("DELETE", "/api/v1/knowledge/{collectionId}/delete", "a collection of G",
                    c -> c.request("DELETE", "/api/v1/knowledge/" + c.groupCollection() + "/delete", null)),
                                                     UNAUTHENTICATED, ACCOUNT_PENDING, COLLECTION_NOT_FOUND, COLLECTION_NOT_FOUND, OK,                   OK),

            // The compatibility APIs (compat: OpenAI's, Anthropic's, Ollama's): any approved account, for its own
            // catalogue; their errors come in their APIs' shapes with the same codes. A model no catalogue has, or an
            // input refused before any model is looked up, gives every approved persona the same answer.
            compat("GET", "/v1/models", "the caller's catalogue", null, OK),
            compat("GET", "/api/models", "the caller's catalogue", null, OK),
            compat("GET", "/v1/models/{id}", "a model no catalogue has", null, MODEL_NOT_FOUND),
            compat("GET", "/api/models/{id}", "a model no catalogue has", null, MODEL_NOT_FOUND),
            compat("POST", "/v1/chat/completions", "a model no catalogue has", Map.of("model", "matrix/none",
                    "messages", List.of(Map.of("role", "user", "content", "Hi"))), MODEL_NOT_FOUND),
            compat("POST", "/api/chat/completions", "a model no catalogue has", Map.of("model", "matrix/none",
                    "messages", List.of(Map.of("role", "user", "content", "Hi"))), MODEL_NOT_FOUND),
            compat("POST", "/v1/embeddings", "a blank input", Map.of("model", "m", "input", " "), NOT_AN_ANSWER),
            compat("POST", "/api/embeddings", "a blank input", Map.of("model", "m", "input", " "), NOT_AN_ANSWER),
            compat("POST", "/api/v1/messages", "a model no catalogue has", Map.of("model", "matrix/none",
                    "max_tokens", 10, "messages", List.of(Map.of("role", "user", "content", "Hi"))),
                    MODEL_NOT_FOUND),
            compat("GET", "/ollama/api/tags", "the caller's Ollama models", null, OK),
            compat("POST", "/ollama/api/chat", "a model no catalogue has", Map.of("model", "matrix-none",
                    "messages", List.of(Map.of("role", "user", "content", "Hi"))), MODEL_NOT_FOUND),
            compat("POST", "/ollama/api/generate", "a model no catalogue has", Map.of("model", "matrix-none",
                    "prompt", "Hi"), MODEL_NOT_FOUND),
            compat("POST", "/ollama/api/embed", "a blank input", Map.of("model", "m", "input", " "), NOT_AN_ANSWER));

    /** A row of a compatibility endpoint: anonymous and pending refused, every approved persona alike. */
    private static Row compat(String method, String path, String target, Object body, Expect approved) {
        String concrete = path.replace("{id}", "matrix-none");
        return row(new Call(method, path, target, c -> c.request(method, concrete, body)),
                UNAUTHENTICATED, ACCOUNT_PENDING, approved, approved, approved, approved);
    }

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
                    assertThat(code(response)).as(context).isEqualTo(expected.code());
                }
                if (request.stream() && response.status() == 200) {
                    assertThat(response.text()).as("first event; " + context).startsWith("event:ready");
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
            Api.Response response = send(request,
                    Map.of("Authorization", "Bearer ats_not-a-real-session-token"));
            assertThat(response.status()).as("%s %s", request.method(), request.path()).isEqualTo(401);
            assertThat(code(response)).as("%s %s", request.method(), request.path())
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

    /** The stable code: a problem's, or inside the error shape of a compatibility API ({@code error.code}). */
    private static String code(Api.Response response) {
        JsonNode body = response.json();
        return body.has("code") ? body.path("code").asString() : body.path("error").path("code").asString();
    }

    private static final Set<String> HTTP_METHODS =
            Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    private static String templateRegex(String template) {
        return template.replaceAll("\\{[^}]+}", "[^/]+");
    }

    /**
     * Sends a request: through {@link Api}, as JSON or as an upload (which takes the bearer token on its own), or,
     * for an event stream, with {@link #openStream}.
     */
    private Api.Response send(Request request, Map<String, String> headers) {
        if (request.stream()) {
            return openStream(request, headers);
        }
        if (request.body() instanceof Upload upload) {
            String authorization = headers.get("Authorization");
            return api.upload(request.path(), upload.fileName(), upload.content(),
                    authorization == null ? null : authorization.substring("Bearer ".length()));
        }
        return api.send(request.method(), request.path(), request.body(), headers);
    }

    private static final HttpClient STREAM_CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration STREAM_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Opens an event stream and ends it again. An error answer is read whole (it ends). A 200 must be an event stream
     * whose first event, read with a timeout, becomes the response's text; then the caller signs out and the server
     * must end the stream within a few seconds (it re-checks the credential every second). Ending it on the server's
     * side matters: a stream the client merely abandons stays open there until a heartbeat write fails, and holds up
     * the graceful shutdown at the end of the test run. Nothing here waits without a timeout.
     */
    private Api.Response openStream(Request request, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(api.baseUrl() + request.path()))
                .timeout(STREAM_TIMEOUT).header("Accept", "text/event-stream")
                .method(request.method(), HttpRequest.BodyPublishers.noBody());
        headers.forEach(builder::header);
        HttpResponse<InputStream> response;
        try {
            response = STREAM_CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException failure) {
            throw new UncheckedIOException(request.method() + " " + request.path() + " failed", failure);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
        Map<String, String> flat = new LinkedHashMap<>();
        response.headers().map().forEach((name, values) -> flat.put(name.toLowerCase(Locale.ROOT), values.getFirst()));
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                return new Api.Response(response.statusCode(), flat,
                        new String(body.readAllBytes(), StandardCharsets.UTF_8));
            }
            assertThat(flat.get("content-type")).as("content type of %s", request.path())
                    .startsWith("text/event-stream");
            BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            String first = withTimeout("the first event of " + request.path(), () -> readEvent(reader));

            Api.Response signedOut = api.send("POST", "/api/v1/auth/signout", null, headers);
            assertThat(signedOut.status()).as("signing out to end the stream: %s", signedOut.text()).isEqualTo(204);
            withTimeout("the end of " + request.path() + " after signing out", () -> {
                try {
                    while (reader.readLine() != null) {
                        // heartbeats, if any, until the server ends the stream
                    }
                } catch (IOException abruptEnd) {
                    throw new AssertionError("the stream was cut off instead of ending cleanly", abruptEnd);
                }
                return null;
            });
            return new Api.Response(200, flat, first);
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        }
    }

    /** Runs a blocking read on a virtual thread and waits at most {@link #STREAM_TIMEOUT} for it. */
    private static <T> T withTimeout(String what, Callable<T> read) {
        FutureTask<T> task = new FutureTask<>(read);
        Thread.ofVirtual().name("matrix-stream-reader").start(task);
        try {
            return task.get(STREAM_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException late) {
            task.cancel(true);
            throw new AssertionError("no " + what + " within " + STREAM_TIMEOUT, late);
        } catch (ExecutionException failed) {
            throw new AssertionError("reading " + what + " failed", failed.getCause());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }

    /** Reads one server-sent event: its lines up to the blank line that ends it. */
    /** The first event of a stream: its first block of lines that is not only comments (which clients skip). */
    private static String readEvent(BufferedReader reader) throws IOException {
        while (true) {
            StringBuilder event = new StringBuilder();
            boolean onlyComments = true;
            String line = reader.readLine();
            for (; line != null && !line.isEmpty(); line = reader.readLine()) {
                event.append(line).append('\n');
                onlyComments &= line.startsWith(":");
            }
            if (!onlyComments || line == null) {
                return event.toString();
            }
        }
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
        private final Map<String, String> collections = new HashMap<>();
        private final Map<String, String> files = new HashMap<>();

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

        /** A fresh instance admin other than the caller. */
        TestUsers.Account anotherInstanceAdmin() {
            return users.admin();
        }

        /** Invites an account to a group, as the setup admin, and returns the invitation's id. */
        UUID invitation(UUID groupId, TestUsers.Account invitee, String role) {
            Api.Response created = api.post("/api/v1/groups/" + groupId + "/invitations",
                    Map.of("userId", invitee.id(), "role", role), setupAdmin.token());
            assertThat(created.status()).as("inviting: %s", created.text()).isEqualTo(201);
            return UUID.fromString(created.json().path("id").asString());
        }

        /**
         * An invitation of the caller to a fresh group "K" (a pending account may be invited; the anonymous caller
         * gets a stranger's).
         */
        UUID ownInvitation() {
            TestUsers.Account invitee = caller != null ? caller
                    : targets.computeIfAbsent("stranger", ignored -> throwawayUser());
            return invitation(otherGroup(), invitee, "member");
        }

        /** Creates an API key for an approved account and returns its id. */
        String apiKeyOf(TestUsers.Account owner) {
            Api.Response created = api.post("/api/v1/api-keys", Map.of("name", "target"), owner.token());
            assertThat(created.status()).as("creating a target key: %s", created.text()).isEqualTo(201);
            return created.json().path("apiKey").path("id").asString();
        }

        /** The caller's own key; see {@link #asOwner}. */
        String ownApiKey() {
            return asOwner(this::apiKeyOf);
        }

        /**
         * Runs an action as the account whose own object the caller targets. A pending account cannot create
         * anything, so it acts while briefly approved, as an account demoted back to pending would have; the
         * anonymous caller has no account and gets a stranger's objects (the same stranger for the whole cell).
         */
        <T> T asOwner(Function<TestUsers.Account, T> action) {
            return switch (persona) {
                case ANONYMOUS -> action.apply(targets.computeIfAbsent("stranger", ignored -> throwawayUser()));
                case PENDING -> {
                    setRole(caller, "user");
                    try {
                        yield action.apply(caller);
                    } finally {
                        setRole(caller, "pending");
                    }
                }
                default -> action.apply(caller);
            };
        }

        /** A fresh group "K" that no caller belongs to. */
        UUID otherGroup() {
            return users.group(setupAdmin, "matrix-k");
        }

        /** The instance layer as it is now, read as the setup admin. */
        JsonNode currentInstanceLayer() {
            Api.Response layer = api.get("/api/v1/settings/instance", setupAdmin.token());
            assertThat(layer.status()).as("reading the instance layer: %s", layer.text()).isEqualTo(200);
            return layer.json().path("settings");
        }

        /**
         * A credential to store, for a connection nobody has used (a group or user has one per connection).
         *
         * @param sharedWith for instance credentials, a group to share it with; {@code null} for none
         */
        Map<String, Object> credentialBody(UUID sharedWith) {
            Map<String, Object> body = new LinkedHashMap<>(Map.of("connection",
                    "c-" + UUID.randomUUID().toString().substring(0, 8), "kind", "api_key", "name", "n",
                    "secret", "sk-test-1234"));
            if (sharedWith != null) {
                body.put("sharedWithAll", false);
                body.put("sharedWithGroups", List.of(sharedWith));
            }
            return body;
        }

        /** Creates an instance credential shared with G, as the setup admin, and returns its id. */
        String instanceCredential() {
            return created("/api/v1/settings/instance/credentials", credentialBody(group), setupAdmin);
        }

        /** Creates a credential of a group, as the setup admin, and returns its id. */
        String groupCredential(UUID groupId) {
            return created("/api/v1/groups/" + groupId + "/credentials", credentialBody(null), setupAdmin);
        }

        /** Creates a credential of an approved account's own and returns its id. */
        String userCredentialOf(TestUsers.Account owner) {
            return created("/api/v1/me/credentials", credentialBody(null), owner);
        }

        /** The caller's own credential; see {@link #asOwner}. */
        String ownCredential() {
            return asOwner(this::userCredentialOf);
        }

        /** A collection owned by G, created by the setup admin (the same one for the whole cell). */
        UUID groupCollection() {
            return UUID.fromString(collections.computeIfAbsent("group", ignored -> createdCollection(
                    Map.of("name", "matrix-g-collection", "groupId", group), setupAdmin)));
        }

        /** A fresh personal collection of an approved account's own. */
        UUID personalCollectionOf(TestUsers.Account owner) {
            return UUID.fromString(createdCollection(Map.of("name", "matrix-personal"), owner));
        }

        /** Gives a user or a group ({@code kind} "users" or "groups") read access, as the setup admin. */
        void grantAsSetupAdmin(UUID collectionId, String kind, UUID grantee) {
            grantAsSetupAdmin(collectionId, kind, grantee, "read");
        }

        /** Gives a user or a group {@code read} or {@code write} access, as the setup admin. */
        void grantAsSetupAdmin(UUID collectionId, String kind, UUID grantee, String access) {
            Api.Response granted = api.put("/api/v1/collections/" + collectionId + "/grants/" + kind + "/"
                    + grantee, Map.of("access", access), setupAdmin.token());
            assertThat(granted.status()).as("granting access: %s", granted.text()).isEqualTo(200);
        }

        /** Another collection of G, created by the setup admin (the same one for the whole cell). */
        UUID secondGroupCollection() {
            return UUID.fromString(collections.computeIfAbsent("group2", ignored -> createdCollection(
                    Map.of("name", "matrix-g-collection-2", "groupId", group), setupAdmin)));
        }

        /** The caller's own personal collection (the same one for the whole cell); see {@link #asOwner}. */
        UUID ownPersonalCollection() {
            return UUID.fromString(collections.computeIfAbsent("own",
                    ignored -> asOwner(owner -> personalCollectionOf(owner).toString())));
        }

        /**
         * A collection of another group "K" that the caller may only read (a user grant), created by the setup admin
         * (the same one for the whole cell). The anonymous caller has no grant.
         */
        UUID readOnlyCollection() {
            return UUID.fromString(collections.computeIfAbsent("readOnly", ignored -> {
                String id = createdCollection(Map.of("name", "matrix-k-collection", "groupId", otherGroup()),
                        setupAdmin);
                if (caller != null) {
                    grantAsSetupAdmin(UUID.fromString(id), "users", caller.id());
                }
                return id;
            }));
        }

        /** A file uploaded by the setup admin to the collection of G (the same one for the whole cell). */
        UUID groupFile() {
            return UUID.fromString(files.computeIfAbsent("group",
                    ignored -> uploaded(groupCollection(), setupAdmin).toString()));
        }

        /** A file uploaded by the setup admin to {@link #readOnlyCollection()}. */
        UUID readOnlyFile() {
            return UUID.fromString(files.computeIfAbsent("readOnly",
                    ignored -> uploaded(readOnlyCollection(), setupAdmin).toString()));
        }

        /** A file the caller uploaded to their own personal collection; see {@link #asOwner}. */
        UUID ownFile() {
            UUID collection = ownPersonalCollection();
            return asOwner(owner -> uploaded(collection, owner));
        }

        /**
         * A file the caller uploaded while they had a write grant on a collection of another group "K", which was
         * then revoked: they may still read it as its uploader, though no collection they may read holds it.
         */
        UUID fileUploadedBeforeLosingAccess() {
            UUID collection = UUID.fromString(createdCollection(
                    Map.of("name", "matrix-k-collection", "groupId", otherGroup()), setupAdmin));
            return asOwner(owner -> {
                grantAsSetupAdmin(collection, "users", owner.id(), "write");
                UUID file = uploaded(collection, owner);
                Api.Response revoked = api.delete("/api/v1/collections/" + collection + "/grants/users/"
                        + owner.id(), setupAdmin.token());
                assertThat(revoked.status()).as("revoking the grant: %s", revoked.text()).isEqualTo(204);
                return file;
            });
        }

        /** Uploads a small text file as someone and returns its id (ingestion is not waited for). */
        private UUID uploaded(UUID collectionId, TestUsers.Account as) {
            Api.Response stored = api.upload("/api/v1/collections/" + collectionId + "/files", "matrix.txt",
                    MATRIX_FILE, as.token());
            assertThat(stored.status()).as("uploading a target file: %s", stored.text()).isEqualTo(202);
            return UUID.fromString(stored.json().path("fileId").asString());
        }

        private final Map<String, String[]> chats = new HashMap<>();

        /** A fresh chat of an approved account's own, with one question: its id and the question's id. */
        String[] chatOf(TestUsers.Account owner) {
            Api.Response created = api.post("/api/v1/chats", Map.of("message", Map.of("content", "Kiwi?")),
                    owner.token());
            assertThat(created.status()).as("creating a target chat: %s", created.text()).isEqualTo(201);
            return new String[] {created.json().path("chat").path("id").asString(),
                    created.json().path("messages").get(0).path("message").path("id").asString()};
        }

        /** The caller's own chat (the same one for the whole cell); see {@link #asOwner}. */
        String[] ownChat() {
            return chats.computeIfAbsent("own", ignored -> asOwner(this::chatOf));
        }

        /** A retrieval request for some collections. */
        Map<String, Object> retrievalBody(UUID... collectionIds) {
            return Map.of("query", "Which fruit is green inside?", "collectionIds", List.of(collectionIds), "topK", 3);
        }

        private String createdCollection(Object body, TestUsers.Account as) {
            Api.Response created = api.post("/api/v1/collections", body, as.token());
            assertThat(created.status()).as("creating a target collection: %s", created.text()).isEqualTo(201);
            return created.json().path("id").asString();
        }

        private String created(String path, Object body, TestUsers.Account as) {
            Api.Response created = api.post(path, body, as.token());
            assertThat(created.status()).as("creating a target credential: %s", created.text()).isEqualTo(201);
            return created.json().path("id").asString();
        }

        /** A new connection (of a group, or a disabled one of the instance), to a fake provider on loopback. */
        Map<String, Object> connectionBody(UUID groupId) {
            Map<String, Object> body = new LinkedHashMap<>(Map.of("name", "m-" + UUID.randomUUID().toString()
                    .substring(0, 8), "kind", "ollama", "baseUrl", EMBEDDINGS.ollamaBaseUrl()));
            if (groupId != null) {
                body.put("groupId", groupId);
            } else {
                body.put("enabled", false); // offered to nobody: the catalogue of later tests stays small
            }
            return body;
        }

        /** Creates a connection (of a group, or the instance's) as the setup admin and returns its id. */
        String connection(UUID groupId) {
            return created("/api/v1/connections", connectionBody(groupId), setupAdmin);
        }

        Request request(String method, String path, Object body) {
            return new Request(method, path, body);
        }

        /** A multipart upload of a small text file, as the caller. */
        Request upload(String path) {
            return new Request("POST", path, new Upload("matrix.txt", MATRIX_FILE));
        }

        Request stream(String method, String path) {
            return new Request(method, path, null, true);
        }

        Api.Response sendAsCaller(Request request) {
            Map<String, String> headers = caller == null ? Map.of()
                    : Map.of("Authorization", "Bearer " + caller.token());
            return send(request, headers);
        }

        private void setRole(TestUsers.Account account, String role) {
            users.setRole(account.id(), role);
        }

        /** A preset of G, created by the setup admin (a fresh one per call). */
        UUID groupPreset() {
            return UUID.fromString(created(PRESETS, Map.of("name", "matrix-g-preset", "baseModel",
                    "matrix-none/none", "groupId", group), setupAdmin));
        }

        /** A fresh personal preset of an approved account's own. */
        UUID presetOf(TestUsers.Account owner) {
            return UUID.fromString(created(PRESETS, Map.of("name", "matrix-personal", "baseModel",
                    "matrix-none/none"), owner));
        }
    }
}
