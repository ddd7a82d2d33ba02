package org.atrium.platform.internal;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.serializer.Serializer;
import com.github.kagkarlsson.scheduler.stats.MicrometerStatsRegistry;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import io.micrometer.core.instrument.MeterRegistry;
import org.atrium.platform.AtriumCommand;
import org.atrium.platform.AtriumProperties;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.util.function.Supplier;
import java.util.List;

/**
 * One db-scheduler {@link Scheduler} per replica, running every {@link Task} bean of every module, and a
 * {@link SchedulerClient} that schedules inside the caller's Spring transaction, so a job exists if and only if the
 * rows it works on were committed.
 *
 * <p>The scheduler is built here rather than by db-scheduler's Boot starter, which does not start on Spring Boot 4.
 * It runs only when serving: the {@code migrate}, {@code validate}, {@code audit} and {@code rotate-secrets} commands
 * must not pick up jobs.
 */
@Configuration(proxyBeanMethods = false)
class JobSchedulerConfiguration {

    /** The lowest a db-scheduler accepts; with a 2 s heartbeat a dead replica's job moves after about 8 s. */
    private static final int MISSED_HEARTBEATS_LIMIT = 4;

    @Bean
    Serializer jobDataSerializer(JsonMapper json) {
        return new Serializer() {
            @Override
            public byte[] serialize(Object data) {
                return json.writeValueAsBytes(data);
            }

            @Override
            public <T> T deserialize(Class<T> type, byte[] bytes) {
                return json.readValue(bytes, type);
            }
        };
    }

    @Bean
    SchedulerClient schedulerClient(DataSource dataSource, Serializer serializer) {
        // Scheduling needs no task definitions (only their names and data), and leaving them out keeps modules free
        // to give their tasks handlers that schedule further jobs through this client.
        return SchedulerClient.Builder.create(new TransactionAwareDataSourceProxy(dataSource), List.of())
                .serializer(serializer)
                .build();
    }

    @Bean
    JobSchedulerLifecycle jobScheduler(DataSource dataSource, List<Task<?>> tasks, Serializer serializer,
                                       JobsProperties jobs, AtriumProperties atrium, MeterRegistry meters) {
        // Recurring tasks go to startTasks only: passing them to the builder as well registers them twice.
        List<RecurringTask<?>> recurring = tasks.stream()
                .filter(task -> task instanceof RecurringTask<?>).<RecurringTask<?>>map(task -> (RecurringTask<?>) task)
                .toList();
        List<Task<?>> oneTime = tasks.stream().filter(task -> !(task instanceof RecurringTask<?>)).toList();
        Supplier<Scheduler> schedulers = () -> Scheduler.create(dataSource, oneTime)
                .startTasks(recurring)
                .serializer(serializer)
                .threads(jobs.threads())
                .pollingInterval(jobs.pollingInterval())
                .heartbeatInterval(jobs.heartbeatInterval())
                .missedHeartbeatsLimit(MISSED_HEARTBEATS_LIMIT)
                .shutdownMaxWait(jobs.shutdownMaxWait())
                // db-scheduler's own meters (runs by task and result, durations), and a log line and a counter for
                // every failed run, which no task can forget to write.
                .statsRegistry(new MicrometerStatsRegistry(meters, tasks))
                .addSchedulerListener(new JobRunLog(meters))
                .build();
        return new JobSchedulerLifecycle(schedulers, atrium.command() == AtriumCommand.SERVE);
    }

    /**
     * Starts a scheduler once the application is up and stops it before the database pool closes. A db-scheduler
     * cannot start again once stopped, so each start builds a new one (a context can be stopped and restarted, as the
     * test framework does with contexts it pauses).
     */
    static final class JobSchedulerLifecycle implements SmartLifecycle {

        private final Supplier<Scheduler> schedulers;
        private final boolean serving;
        private @Nullable Scheduler running;

        JobSchedulerLifecycle(Supplier<Scheduler> schedulers, boolean serving) {
            this.schedulers = schedulers;
            this.serving = serving;
        }

        @Override
        public synchronized void start() {
            if (serving && running == null) {
                running = schedulers.get();
                running.start();
            }
        }

        @Override
        public synchronized void stop() {
            if (running != null) {
                running.stop();
                running = null;
            }
        }

        @Override
        public synchronized boolean isRunning() {
            return running != null;
        }
    }
}
