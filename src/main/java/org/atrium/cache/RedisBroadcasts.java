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
import java.util.function.Consumer;

/**
 * Broadcasts over Redis pub/sub, on channels under the deployment's key prefix. The listener container reconnects by
 * itself after Redis comes back; what was published meanwhile is lost, as {@link Broadcasts} allows.
 */
final class RedisBroadcasts implements Broadcasts, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(RedisBroadcasts.class);

    private final StringRedisTemplate redis;
    private final RedisMessageListenerContainer container;
    private final String channelPrefix;

    RedisBroadcasts(StringRedisTemplate redis, RedisMessageListenerContainer container, String keyPrefix) {
        this.redis = redis;
        this.container = container;
        this.channelPrefix = keyPrefix + "events:";
    }

    @Override
    public void publish(String topic, String message) {
        try {
            redis.convertAndSend(channelPrefix + topic, message);
        } catch (RuntimeException unreachable) {
            LogEvents.warn(log, "events.publish.dropped").addKeyValue("topic", topic)
                    .addKeyValue("reason", unreachable.getClass().getSimpleName()).log();
        }
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
        container.destroy();
    }
}
