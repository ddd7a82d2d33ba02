package org.atrium.platform.internal;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.serializer.Serializer;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import org.atrium.platform.AtriumCommand;
import org.atrium.platform.AtriumProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
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
                                       JobsProperties jobs, AtriumProperties atrium) {
        // Recurring tasks go to startTasks only: passing them to the builder as well registers them twice.
        List<RecurringTask<?>> recurring = tasks.stream()
                .filter(task -> task instanceof RecurringTask<?>).<RecurringTask<?>>map(task -> (RecurringTask<?>) task)
                .toList();
        List<Task<?>> oneTime = tasks.stream().filter(task -> !(task instanceof RecurringTask<?>)).toList();
        Scheduler scheduler = Scheduler.create(dataSource, oneTime)
                .startTasks(recurring)
                .serializer(serializer)
                .threads(jobs.threads())
                .pollingInterval(jobs.pollingInterval())
                .heartbeatInterval(jobs.heartbeatInterval())
                .missedHeartbeatsLimit(MISSED_HEARTBEATS_LIMIT)
                .shutdownMaxWait(jobs.shutdownMaxWait())
                .enableImmediateExecution()
                .build();
        return new JobSchedulerLifecycle(scheduler, atrium.command() == AtriumCommand.SERVE);
    }

    /** Starts the scheduler once the application is up and stops it before the database pool closes. */
    static final class JobSchedulerLifecycle implements SmartLifecycle {

        private final Scheduler scheduler;
        private final boolean serving;
        private volatile boolean running;

        JobSchedulerLifecycle(Scheduler scheduler, boolean serving) {
            this.scheduler = scheduler;
            this.serving = serving;
        }

        @Override
        public void start() {
            if (serving) {
                scheduler.start();
            }
            running = true;
        }

        @Override
        public void stop() {
            if (serving) {
                scheduler.stop();
            }
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }
    }
}
