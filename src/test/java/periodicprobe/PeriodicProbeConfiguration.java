package periodicprobe;

import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.Duration;

/**
 * A periodic task for process tests of periodic work, run by the product's own job scheduler like every module's
 * task: each run records itself in {@code probe.periodic_probe_runs} (which replica, when it started and ended), lasts
 * {@code periodicprobe.duration}, and every {@code periodicprobe.fail-every}-th run throws after recording its end.
 *
 * <p>It lives outside {@code org.atrium}, so no in-process test context scans it; a process test copies its classes
 * into a directory of their own with an auto-configuration entry and appends that to a replica's class path.
 */
@AutoConfiguration
public class PeriodicProbeConfiguration {

    /** The task's name in {@code scheduled_tasks}. */
    public static final String TASK = "test-periodic-probe";

    @Bean
    Task<Void> periodicProbe(JdbcClient jdbc, Environment environment) {
        Duration interval = environment.getProperty("periodicprobe.interval", Duration.class, Duration.ofSeconds(1));
        Duration duration = environment.getProperty("periodicprobe.duration", Duration.class, Duration.ZERO);
        int failEvery = environment.getProperty("periodicprobe.fail-every", Integer.class, 0);
        String replica = environment.getProperty("periodicprobe.replica", "unnamed");
        return Tasks.recurring(TASK, FixedDelay.of(interval)).execute((instance, context) -> {
            long run = jdbc.sql("insert into probe.periodic_probe_runs (replica) values (:replica) returning id")
                    .param("replica", replica).query(Long.class).single();
            try {
                Thread.sleep(duration);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return;
            }
            boolean fail = failEvery > 0 && run % failEvery == 0;
            jdbc.sql("update probe.periodic_probe_runs set finished_at = clock_timestamp(), failed = :failed where id = :id")
                    .param("failed", fail).param("id", run).update();
            if (fail) {
                throw new IllegalStateException("periodic probe run " + run + " fails on purpose");
            }
        });
    }
}
