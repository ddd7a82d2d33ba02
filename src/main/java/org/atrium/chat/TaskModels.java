package org.atrium.chat;

import org.atrium.models.CatalogueModel;
import org.atrium.models.ModelCatalogue;
import org.atrium.models.ModelResolver;
import org.atrium.platform.LogEvents;
import org.atrium.providers.ChatListener;
import org.atrium.providers.ChatProviders;
import org.atrium.providers.ChatRequest;
import org.atrium.providers.ChatResult;
import org.atrium.providers.ProviderFailure;
import org.atrium.settings.EffectiveState;
import org.atrium.settings.SettingKey;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The task model and calls to it, for titles and autocompletion.
 *
 * <p><b>Which model.</b> The caller's effective {@code features.titleModel} (built-in default
 * {@code gemini-2.5-flash-lite}) names it, by catalogue id ({@code <connection>/<model>}) or by the provider's model
 * id. It must be in the caller's catalogue (a connection they have a credential for, allowed by their
 * {@code allowedModels}); when it is not, there is no task model and no other model is picked. A catalogue id wins
 * over a provider id; when several connections offer the provider id, the first in the catalogue's order is taken:
 * configured connections first, then registered ones by name, so the choice is the same on every request and
 * replica.
 *
 * <p><b>Calls.</b> Each call is admitted by the caller's quotas first, is bounded in time (the upstream call is
 * cancelled when the limit passes) and in output tokens, and its usage is recorded like an answer's.
 */
@Component
class TaskModels {

    private static final Logger log = LoggerFactory.getLogger(TaskModels.class);

    private final ModelCatalogue catalogue;
    private final ModelResolver resolver;
    private final ChatProviders providers;
    private final QuotaService quotas;
    private final UsageRecorder usage;

    TaskModels(ModelCatalogue catalogue, ModelResolver resolver, ChatProviders providers, QuotaService quotas,
               UsageRecorder usage) {
        this.catalogue = catalogue;
        this.resolver = resolver;
        this.providers = providers;
        this.quotas = quotas;
        this.usage = usage;
    }

    /**
     * @param state the caller's effective state
     * @return the task model, resolved with the caller's credential, or empty when it is not in their catalogue
     */
    Optional<ModelResolver.ResolvedModel> taskModel(EffectiveState state) {
        return named(state, state.setting(SettingKey.TITLE_MODEL).value().asString(""));
    }

    /**
     * The model a task setting names, by catalogue id or (the first in the catalogue's order) by provider model id.
     *
     * @param state the caller's effective state
     * @param name  the setting's value
     * @return the model, resolved with the caller's credential, or empty when the caller's catalogue has none such
     */
    Optional<ModelResolver.ResolvedModel> named(EffectiveState state, String name) {
        String wanted = name.strip();
        if (wanted.isEmpty()) {
            return Optional.empty();
        }
        List<CatalogueModel> items = catalogue.models(state).items();
        Optional<CatalogueModel> chosen = items.stream().filter(m -> m.id().equals(wanted)).findFirst()
                .or(() -> items.stream().filter(m -> m.model().equals(wanted)).findFirst());
        return chosen.map(m -> resolver.resolve(state, m.id()));
    }

    /**
     * A model of the caller's catalogue named by its catalogue id.
     *
     * @throws org.atrium.platform.AtriumException {@code model_not_found} (404)
     */
    ModelResolver.ResolvedModel resolve(EffectiveState state, String id) {
        return resolver.resolve(state, id);
    }

    /**
     * Calls a model and waits for the whole answer; records its usage however it ends.
     *
     * @param limit the longest wait: past it the upstream call is cancelled ({@code provider_timeout})
     * @throws ProviderFailure when the call fails, times out or is cancelled (the waiting thread interrupted)
     * @throws org.atrium.platform.AtriumException {@code quota_exceeded} (429) before any call
     */
    ChatResult call(EffectiveState state, ModelResolver.ResolvedModel model, ChatRequest request, Duration limit,
                    String task) {
        quotas.acquire(state);
        return callForAnswer(state, model, request, limit, task);
    }

    /**
     * As {@link #call}, without the quota check: for a call that is part of an answer the quota already admitted
     * (retrieval queries).
     *
     * @throws ProviderFailure when the call fails, times out or is cancelled (the waiting thread interrupted)
     */
    ChatResult callForAnswer(EffectiveState state, ModelResolver.ResolvedModel model, ChatRequest request,
                             Duration limit, String task) {
        long started = System.nanoTime();
        ChatResult result = null;
        String outcome = "failed";
        try {
            result = providers.stream(model.endpoint(), model.secret(), request, new ChatListener() {
            }).await(limit);
            outcome = "complete";
            return result;
        } catch (ProviderFailure failure) {
            outcome = failure.code();
            throw failure;
        } finally {
            record(state, model, result);
            LogEvents.info(log, "chat.task.called").addKeyValue("task", task).addKeyValue("model", model.id())
                    .addKeyValue("outcome", outcome)
                    .addKeyValue("duration_ms", (System.nanoTime() - started) / 1_000_000).log();
        }
    }

    private void record(EffectiveState state, ModelResolver.ResolvedModel model, @Nullable ChatResult result) {
        try {
            usage.record(new UsageEvent(state.caller().userId(), UsageEvent.chargedGroup(state, model.connection()),
                    model.model(), model.connection(), result == null ? 0 : result.usage().inputTokens(),
                    result == null ? 0 : result.usage().outputTokens(), result == null || result.usage().estimated(),
                    result == null ? UsageEvent.Outcome.FAILED : UsageEvent.Outcome.COMPLETE, Instant.now()));
        } catch (RuntimeException unexpected) {
            LogEvents.warn(log, "chat.task.usage.failed").addKeyValue("model", model.id())
                    .addKeyValue("reason", unexpected.getClass().getSimpleName()).log();
        }
    }

    /**
     * Runs work on a virtual thread of its own (with the caller's logging context) and waits for it at most
     * {@code limit}; past it the thread is interrupted (which cancels a provider call it waits for) and the result
     * is empty.
     *
     * @return the work's result, or empty when the limit passed
     * @throws RuntimeException what the work threw
     */
    static <T> Optional<T> within(Duration limit, String name, Supplier<T> work) {
        Map<String, String> context = MDC.getCopyOfContextMap();
        FutureTask<T> task = new FutureTask<>(() -> {
            // The caller's request id and user in this thread's logs too.
            if (context != null) {
                MDC.setContextMap(context);
            }
            try {
                return work.get();
            } finally {
                MDC.clear();
            }
        });
        Thread.ofVirtual().name(name).start(task);
        try {
            return Optional.ofNullable(task.get(Math.max(0, limit.toNanos()), TimeUnit.NANOSECONDS));
        } catch (TimeoutException late) {
            task.cancel(true);
            return Optional.empty();
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(failed.getCause());
        } catch (InterruptedException interrupted) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** @return at most {@code max} characters of the text, never cutting a surrogate pair */
    static String bounded(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end);
    }
}
