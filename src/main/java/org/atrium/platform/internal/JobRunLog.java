package org.atrium.platform.internal;

import com.github.kagkarlsson.scheduler.event.AbstractSchedulerListener;
import com.github.kagkarlsson.scheduler.task.Execution;
import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a job's failure visible where operators look, whatever the job: each failed run is logged ({@code job.failed},
 * with the task's name, its instance, how long it ran and the exception's class and first line) and counted
 * ({@code atrium.jobs.failures}, tagged with the task), and a run whose replica died is logged when another replica
 * takes it over ({@code job.dead}). The schedule itself is db-scheduler's: a recurring task that fails runs again at
 * its next period, a one-time job follows its own failure handler.
 */
final class JobRunLog extends AbstractSchedulerListener {

    private static final Logger log = LoggerFactory.getLogger(JobRunLog.class);
    /** An exception's message can quote data; its first line, bounded, says what happened without a dump. */
    private static final int MESSAGE_LENGTH = 300;

    private final MeterRegistry meters;

    JobRunLog(MeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    public void onExecutionComplete(ExecutionComplete completed) {
        if (completed.getResult() != ExecutionComplete.Result.FAILED) {
            return;
        }
        Execution execution = completed.getExecution();
        String task = execution.taskInstance.getTaskName();
        Counter.builder("atrium.jobs.failures").description("Runs of a background job or periodic task that threw")
                .tag("task", task).register(meters).increment();
        var event = LogEvents.warn(log, "job.failed").addKeyValue("task", task)
                .addKeyValue("instance", execution.taskInstance.getId())
                .addKeyValue("duration_ms", completed.getDuration().toMillis())
                .addKeyValue("consecutive_failures", execution.consecutiveFailures + 1);
        completed.getCause().ifPresent(cause -> event.addKeyValue("reason", cause.getClass().getSimpleName())
                .addKeyValue("detail", firstLine(cause.getMessage())));
        event.log();
    }

    @Override
    public void onExecutionDead(Execution execution) {
        LogEvents.warn(log, "job.dead").addKeyValue("task", execution.taskInstance.getTaskName())
                .addKeyValue("instance", execution.taskInstance.getId())
                .addKeyValue("picked_by", execution.pickedBy).log();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int end = message.indexOf('\n');
        String line = end < 0 ? message : message.substring(0, end);
        return line.length() <= MESSAGE_LENGTH ? line : line.substring(0, MESSAGE_LENGTH) + "…";
    }
}
