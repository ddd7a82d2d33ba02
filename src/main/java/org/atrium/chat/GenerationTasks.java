package org.atrium.chat;

import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The recurring work of answer generation, run once per period across the cluster by the job scheduler. */
@Configuration(proxyBeanMethods = false)
class GenerationTasks {

    private static final Logger log = LoggerFactory.getLogger(GenerationTasks.class);

    /** Ends as failed the answers whose generator died (a replica killed mid-answer). */
    @Bean
    Task<Void> interruptedAnswersTask(AnswerGeneration generation, GenerationProperties properties) {
        return Tasks.recurring("chat-interrupted-answers", FixedDelay.of(properties.interruptedCheck()))
                .execute((instance, context) -> {
                    int ended = generation.endInterrupted();
                    if (ended > 0) {
                        LogEvents.info(log, "chat.answers.interrupted").addKeyValue("answers", ended).log();
                    }
                });
    }
}
