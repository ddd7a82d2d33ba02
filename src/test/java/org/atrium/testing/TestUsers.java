package org.atrium.testing;

import org.atrium.cache.Scope;
import tools.jackson.databind.JsonNode;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Creates accounts for tests through the real sign-up endpoint. Roles other than the sign-up default are set in the
 * database directly (through {@link DirectWrites}), because tests share a database and cannot rely on being the first
 * account.
 */
public final class TestUsers {

    /** An account and a session token for it. */
    public record Account(UUID id, String email, String password, String token) {
    }

    public static final String PASSWORD = "correct horse battery staple";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final Api api;
    private final DirectWrites direct;

    public TestUsers(Api api, DirectWrites direct) {
        this.api = api;
        this.direct = direct;
    }

    /** @return a unique e-mail address */
    public static String uniqueEmail(String hint) {
        return hint + "-" + TestInfrastructure.runId() + "-" + SEQUENCE.incrementAndGet() + "-"
                + UUID.randomUUID().toString().substring(0, 8) + "@atrium.test";
    }

    /** Signs up an account with the given role and returns it signed in. */
    public Account create(String hint, String role) {
        String email = uniqueEmail(hint);
        Api.Response response = api.post("/api/v1/auth/signup",
                Map.of("email", email, "name", hint, "password", PASSWORD), null);
        if (response.status() != 201) {
            throw new IllegalStateException("sign-up failed: " + response.status() + " " + response.text());
        }
        JsonNode body = response.json();
        UUID id = UUID.fromString(body.path("user").path("id").asString());
        setRole(id, role);
        return new Account(id, email, PASSWORD, body.path("token").asString());
    }

    /** Sets a role directly, raising the user's cache scope like a product write. */
    public void setRole(UUID userId, String role) {
        direct.update("update users set role = :role where id = :id", Map.of("role", role, "id", userId),
                Scope.user(userId));
    }

    /** @return a new instance admin */
    public Account admin() {
        return create("admin", "admin");
    }

    /** @return a new approved user */
    public Account user() {
        return create("user", "user");
    }

    /** @return a new pending account */
    public Account pending() {
        return create("pending", "pending");
    }

    /** Creates a group as the given admin and returns its id. */
    public UUID group(Account admin, String hint) {
        Api.Response response = api.post("/api/v1/groups",
                Map.of("name", hint + "-" + UUID.randomUUID().toString().substring(0, 8)), admin.token());
        if (response.status() != 201) {
            throw new IllegalStateException("group creation failed: " + response.status() + " " + response.text());
        }
        return UUID.fromString(response.json().path("id").asString());
    }

    /** Puts a user in a group with the given group role, as the given admin. */
    public void member(Account admin, UUID groupId, Account member, String groupRole) {
        Api.Response response = api.put("/api/v1/groups/" + groupId + "/members/" + member.id(),
                Map.of("role", groupRole), admin.token());
        if (response.status() != 200) {
            throw new IllegalStateException("membership failed: " + response.status() + " " + response.text());
        }
    }
}
