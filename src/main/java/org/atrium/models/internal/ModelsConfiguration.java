package org.atrium.models.internal;

import org.atrium.cache.CacheProperties;
import org.atrium.cache.RedisCircuitBreakers;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.json.JsonMapper;

/** The model-list store of the deployment mode: Redis in cluster mode, this process on a single node. */
@Configuration(proxyBeanMethods = false)
class ModelsConfiguration {

    @Bean
    ModelListStore modelListStore(ObjectProvider<StringRedisTemplate> redis, CacheProperties cache, JsonMapper json) {
        LocalModelListStore local = new LocalModelListStore();
        StringRedisTemplate template = redis.getIfAvailable();
        return template == null ? local : new RedisModelListStore(template, RedisCircuitBreakers.create("models"),
                cache.keyPrefix(), json, local);
    }
}
