package org.atrium.accounts;

import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;

/**
 * Deletes credentials that can no longer sign anyone in, once per period across the cluster (the job scheduler runs
 * it on one replica at a time; a replica that dies mid-run leaves it to the next period elsewhere): sessions as soon
 * as they expire, personal API keys {@link #EXPIRED_KEY_RETENTION} after they expire (until then they are listed to
 * their owner as expired, so that a script's owner sees why it stopped). An expired credential already fails every
 * check, so deleting it changes no answer and raises no cache scope.
 */
@Configuration(proxyBeanMethods = false)
class ExpiredCredentialsTask {

    /** How long an expired API key stays listed to its owner. */
    static final Duration EXPIRED_KEY_RETENTION = Duration.ofDays(30);
    /** Rows deleted per statement, so that a backlog never holds long locks or one huge transaction. */
    static final int BATCH = 1_000;
    private static final Logger log = LoggerFactory.getLogger(ExpiredCredentialsTask.class);

    @Bean
    Task<Void> expiredCredentialsCleanup(CredentialStore credentials, SessionProperties sessions) {
        return Tasks.recurring("accounts-expired-credentials", FixedDelay.of(sessions.expiredCleanupInterval()))
                .execute((instance, context) -> {
                    int sessionsDeleted = credentials.deleteExpiredSessions(BATCH);
                    int keysDeleted = credentials.deleteExpiredApiKeys(EXPIRED_KEY_RETENTION, BATCH);
                    if (sessionsDeleted + keysDeleted > 0) {
                        LogEvents.info(log, "accounts.expired_credentials.deleted")
                                .addKeyValue("sessions", sessionsDeleted).addKeyValue("api_keys", keysDeleted).log();
                    }
                });
    }
}
