package org.atrium.platform.internal;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Derives the defaults that depend on the deployment mode before anything else reads the configuration.
 *
 * <p>Cluster mode is on when Redis is configured ({@code spring.data.redis.url} or {@code spring.data.redis.host}).
 * On a single node Redis auto-configuration is switched off so that nothing tries to reach a server that is not
 * there. Redis is never part of readiness (application.yaml): a replica without Redis still serves reads from
 * PostgreSQL, and a Redis outage must not take every replica out of the load balancer at once; in cluster mode it has
 * a health group of its own, {@code /actuator/health/cache}. Logs are JSON when {@code atrium.log.json} says so, which
 * defaults to the mode. Defaults are added with the lowest precedence, so any explicit setting wins; the
 * auto-configurations the mode excludes are the exception, added to the operator's own exclusions above them.
 */
public final class DeploymentModeEnvironment implements EnvironmentPostProcessor, Ordered {

    /** {@code cluster} or {@code single-node}; read by health and logs. */
    public static final String MODE_PROPERTY = "atrium.mode";

    private static final String REDIS_AUTO_CONFIGURATIONS = String.join(",",
            "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
            "org.springframework.boot.data.redis.autoconfigure.DataRedisReactiveAutoConfiguration",
            "org.springframework.boot.data.redis.autoconfigure.DataRedisRepositoriesAutoConfiguration");

    /**
     * No Micrometer observation per Redis command: a warm model call sends four, and their timers took about 3 % of a
     * replica's CPU at full gateway load (docs/benchmarks.md). Redis's health shows in {@code atrium_redis_available}
     * and in the cache's own metrics.
     */
    private static final String EXCLUDE = "spring.autoconfigure.exclude";

    private static final String REDIS_COMMAND_OBSERVATIONS =
            "org.springframework.boot.data.redis.autoconfigure.observation.LettuceObservationAutoConfiguration";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        boolean cluster = hasText(environment.getProperty("spring.data.redis.url"))
                || hasText(environment.getProperty("spring.data.redis.host"));
        Map<String, Object> defaults = new LinkedHashMap<>();
        Map<String, Object> overrides = new LinkedHashMap<>();
        defaults.put(MODE_PROPERTY, cluster ? "cluster" : "single-node");
        if (cluster) {
            // Redis stays out of readiness (application.yaml) and is reported by a group of its own instead. A group
            // may not share a contributor's name, and exists only where Redis does.
            overrides.put("management.endpoint.health.group.cache.include", "redis");
        }
        String exclude = cluster ? REDIS_COMMAND_OBSERVATIONS
                : REDIS_COMMAND_OBSERVATIONS + "," + REDIS_AUTO_CONFIGURATIONS;
        // Added to what the configuration excludes, and above it: as a default it would lose to any exclusion an
        // operator sets, and a single node would then try to reach a Redis that is not there.
        // Bound, not read as one property, as auto-configuration reads it: a YAML list arrives as exclude[0], [1], ...
        List<String> excluded = Binder.get(environment).bind(EXCLUDE, Bindable.listOf(String.class))
                .orElse(List.of());
        overrides.put(EXCLUDE, String.join(",", Stream.concat(excluded.stream(), Stream.of(exclude)).toList()));
        boolean json = environment.getProperty("atrium.log.json", Boolean.class, cluster);
        defaults.put("atrium.log.json", json);
        if (json && !environment.containsProperty("logging.structured.format.console")) {
            defaults.put("logging.structured.format.console", "logstash");
        }
        environment.getPropertySources().addLast(new MapPropertySource("atriumDeploymentDefaults", defaults));
        if (!overrides.isEmpty()) {
            environment.getPropertySources().addFirst(new MapPropertySource("atriumDeploymentOverrides", overrides));
        }
    }

    @Override
    public int getOrder() {
        // After the config files and environment variables have been loaded, so their values are seen here.
        return Ordered.LOWEST_PRECEDENCE;
    }

    private static boolean hasText(String value) {
        return value != null && !value.isBlank();
    }
}
