package org.atrium.platform;

import org.atrium.testing.IntegrationTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The deployment-mode lock outlives the session that took it: a lost session is replaced and the lock taken again. */
class DeploymentModeGuardTest extends IntegrationTest {

    /** The sessions of the guard (found by their application_name) that hold the mode lock on this database. */
    private static final String GUARD_SESSIONS = "select a.pid from pg_stat_activity a join pg_locks l on l.pid = a.pid"
            + " where a.application_name = 'atrium-deployment-mode-guard' and a.datname = current_database()"
            + " and l.locktype = 'advisory' and l.granted and l.classid = 0 and l.objid = 1098150509";

    @Test
    void aTerminatedGuardSessionIsReplacedAndTheModeLockIsHeldAgain() {
        List<Integer> before = guardSessions();
        assertThat(before).as("the guard holds the lock on a session of its own").isNotEmpty();

        jdbc.sql("select pg_terminate_backend(pid) from pg_stat_activity where pid in (:pids)")
                .param("pids", before).query().listOfRows();

        // The guard checks every 10 s; the bound leaves room for a slow machine.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(guardSessions()).hasSameSizeAs(before).doesNotContainAnyElementsOf(before));
    }

    private List<Integer> guardSessions() {
        return jdbc.sql(GUARD_SESSIONS).query(Integer.class).list();
    }
}
