package org.atrium.cache;

import org.atrium.platform.LogEvents;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.PatternTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Broadcasts over Redis pub/sub, on channels under the deployment's key prefix. The listener container reconnects by
 * itself after Redis comes back; what was published meanwhile is lost, as {@link Broadcasts} allows.
 *
 * <p>The container holds one pattern subscription for every topic, made once at startup, and messages are dispatched
 * to this replica's subscribers from an in-process registry, each through its own {@link Mailbox}, so that a slow
 * subscriber never holds up the container's delivery thread. Subscribing and unsubscribing touch only the registry:
 * Spring's container breaks for good when listeners are added and removed concurrently (spring-data-redis #3080: a
 * removal that empties the subscription closes it under a concurrent addition), which answer streams, coming and going
 * by the hundred, made likely. The cost is that each replica receives every topic's messages, which are few
 * (progress events and answer batches, never single tokens).
 *
 * <p>The container starts and stops with this bean, a lifecycle bean of its own: after the Redis connection factory
 * has started and before it stops, and (phase) before the web server starts and after it has stopped, so that streams
 * being served at shutdown keep their live events. A context that is paused and restarted (as Spring's test framework
 * does to the contexts it caches) subscribes again: a container outliving its stopped connection factory stays
 * without a subscription for good.
 *
 * <p>Publishing is handed to one sending thread with a bounded queue, in order: a publisher (an ingestion job, a
 * request) never waits for Redis, which matters while Redis is unreachable and every command takes its full timeout;
 * when the queue is full, messages are dropped and counted in the log.
 */
final class RedisBroadcasts implements Broadcasts, SmartLifecycle, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(RedisBroadcasts.class);
    private static final int QUEUE_CAPACITY = 10_000;

    private final StringRedisTemplate redis;
    private final RedisMessageListenerContainer container;
    private final String channelPrefix;
    private final Map<String, Set<Mailbox>> receivers = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(QUEUE_CAPACITY), Thread.ofVirtual().name("broadcasts-sender").factory(),
            (dropped, executor) -> LogEvents.warn(log, "events.publish.dropped").addKeyValue("reason", "queue_full")
                    .log());

    /**
     * @param container a container not yet started: it starts with this bean, with the one subscription it will ever
     *                  have
     */
    RedisBroadcasts(StringRedisTemplate redis, RedisMessageListenerContainer container, String keyPrefix) {
        this.redis = redis;
        this.container = container;
        this.channelPrefix = keyPrefix + "events:";
        // Registered before the container starts, so its subscription covers every topic and nothing is ever
        // added to it later.
        container.addMessageListener(this::deliver, new PatternTopic(channelPrefix + "*"));
    }

    @Override
    public void start() {
        try {
            container.start();
        } catch (RuntimeException unavailable) {
            // Redis unreachable (the container retries in the background) or pub/sub not permitted (it does not):
            // until then subscribers get no live messages, and this says so.
            LogEvents.warn(log, "events.subscribe.failed").addKeyValue("reason",
                    unavailable.getClass().getSimpleName()).log();
        }
    }

    @Override
    public void stop() {
        container.stop();
    }

    @Override
    public boolean isRunning() {
        return container.isRunning();
    }

    @Override
    public int getPhase() {
        // Stops after the web server (DEFAULT_PHASE - 2048) and its graceful shutdown, starts before them.
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    private void deliver(Message message, byte @Nullable [] pattern) {
        String channel = new String(message.getChannel(), StandardCharsets.UTF_8);
        if (!channel.startsWith(channelPrefix)) {
            return;
        }
        Set<Mailbox> subscribers = receivers.get(channel.substring(channelPrefix.length()));
        if (subscribers == null || subscribers.isEmpty()) {
            return;
        }
        String body = new String(message.getBody(), StandardCharsets.UTF_8);
        subscribers.forEach(subscriber -> subscriber.deliver(body));
    }

    @Override
    public void publish(String topic, String message) {
        sender.execute(() -> {
            try {
                redis.convertAndSend(channelPrefix + topic, message);
            } catch (RuntimeException unreachable) {
                LogEvents.warn(log, "events.publish.dropped").addKeyValue("topic", topic)
                        .addKeyValue("reason", unreachable.getClass().getSimpleName()).log();
            }
        });
    }

    @Override
    public Subscription subscribe(String topic, Consumer<String> receiver) {
        return Mailbox.register(receivers, topic, receiver);
    }

    @Override
    public void destroy() throws Exception {
        sender.shutdownNow();
        container.destroy();
    }
}
