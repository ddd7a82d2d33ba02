package org.atrium.cache;

import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Race (d) of docs/consistency.md: each replica's memory layer is never trusted on its own. Nothing removes an entry
 * from memory when a write happens elsewhere; every memory hit is validated against the current versions, in Redis,
 * or in PostgreSQL when Redis cannot be reached.
 */
class InMemoryLayerTest extends ProtocolRaceTestBase {

    @Autowired
    private VersionStore versions;

    @Test
    void memoryEntryIsServedWhileCurrentAndNeverAfterAWrite() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        assertThat(role(user.token())).isEqualTo("user");
        double localHits = lookups("local_hit");
        assertThat(role(user.token())).isEqualTo("user");
        assertThat(lookups("local_hit")).as("served from memory").isEqualTo(localHits + 1);

        changeRole(admin, user, "admin");

        localHits = lookups("local_hit");
        assertThat(role(user.token())).isEqualTo("admin");
        assertThat(lookups("local_hit")).as("the memory entry was not served").isEqualTo(localHits);
        assertThat(api.get("/api/v1/users", user.token()).status()).isEqualTo(200);
        assertThat(lookups("local_hit")).as("the new state is served from memory").isEqualTo(localHits + 1);
    }

    @Test
    void withRedisDownMemoryEntriesAreValidatedAgainstPostgres() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        assertThat(role(user.token())).isEqualTo("user");
        assertThat(role(user.token())).isEqualTo("user");

        changeRole(admin, user, "admin");
        stopRedis();

        double validated = lookups("database_validated");
        assertThat(role(user.token())).isEqualTo("admin");
        assertThat(lookups("database_validated")).as("checked against PostgreSQL's versions")
                .isGreaterThan(validated);
        double localHits = lookups("local_hit");
        assertThat(role(user.token())).isEqualTo("admin");
        assertThat(lookups("local_hit")).as("a current entry is still served from memory")
                .isEqualTo(localHits + 1);
    }

    /**
     * This replica cannot reach Redis while another one can and commits a change (its raise went to Redis, which
     * this replica cannot see). Simulated with a transaction that does what the other replica's writer does in
     * PostgreSQL: change the row and write a new version under the row lock. This replica's memory entry must not
     * be served: it is checked against PostgreSQL's versions.
     */
    @Test
    void writeByAReplicaThatReachesRedisIsSeenByOneThatCannot() {
        TestUsers.Account user = users.user();
        Scope scope = Scope.user(user.id());
        assertThat(role(user.token())).isEqualTo("user");
        assertThat(role(user.token())).isEqualTo("user");

        stopRedis();
        new TransactionTemplate(transactions).executeWithoutResult(status -> {
            jdbc.sql("update users set role = 'admin' where id = :id").param("id", user.id()).update();
            versions.lock(List.of(scope.key()));
            versions.set(List.of(scope.key()), versions.nextVersion());
        });

        assertThat(role(user.token())).isEqualTo("admin");
        assertThat(api.get("/api/v1/users", user.token()).status()).isEqualTo(200);
    }
}
