package org.atrium.cache;

import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Broadcasts over Redis pub/sub, on channels under the deployment's key prefix. The listener container reconnects by
 * itself after Redis comes back; what was published meanwhile is lost, as {@link Broadcasts} allows.
 *
 * <p>Publishing is handed to one sending thread with a bounded queue, in order: a publisher (an ingestion job, a
 * request) never waits for Redis, which matters while Redis is unreachable and every command takes its full timeout;
 * when the queue is full, messages are dropped and counted in the log.
 */
final class RedisBroadcasts implements Broadcasts, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(RedisBroadcasts.class);
    private static final int QUEUE_CAPACITY = 10_000;

    private final StringRedisTemplate redis;
    private final RedisMessageListenerContainer container;
    private final String channelPrefix;
    private final ThreadPoolExecutor sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(QUEUE_CAPACITY), Thread.ofVirtual().name("broadcasts-sender").factory(),
            (dropped, executor) -> LogEvents.warn(log, "events.publish.dropped").addKeyValue("reason", "queue_full")
                    .log());

    RedisBroadcasts(StringRedisTemplate redis, RedisMessageListenerContainer container, String keyPrefix) {
        this.redis = redis;
        this.container = container;
        this.channelPrefix = keyPrefix + "events:";
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
        MessageListener listener = (message, pattern) ->
                receiver.accept(new String(message.getBody(), StandardCharsets.UTF_8));
        ChannelTopic channel = new ChannelTopic(channelPrefix + topic);
        try {
            container.addMessageListener(listener, channel);
        } catch (RuntimeException unavailable) {
            // Redis unreachable or pub/sub not permitted: this subscriber gets no live messages, and says so.
            LogEvents.warn(log, "events.subscribe.failed").addKeyValue("topic", topic)
                    .addKeyValue("reason", unavailable.getClass().getSimpleName()).log();
        }
        return () -> {
            try {
                container.removeMessageListener(listener, channel);
            } catch (RuntimeException unavailable) {
                LogEvents.debug(log, "events.unsubscribe.failed").addKeyValue("topic", topic).log();
            }
        };
    }

    @Override
    public void destroy() throws Exception {
        sender.shutdownNow();
        container.destroy();
    }
}
