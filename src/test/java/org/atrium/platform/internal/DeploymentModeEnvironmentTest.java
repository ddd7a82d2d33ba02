package org.atrium.platform.internal;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the deployment mode excludes is added to an operator's own exclusions, never lost to them. */
class DeploymentModeEnvironmentTest {

    private static final String EXCLUDE = "spring.autoconfigure.exclude";
    private static final String OPERATORS = "org.example.SomeAutoConfiguration";
    private static final String REDIS = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration";
    private static final String REDIS_COMMANDS =
            "org.springframework.boot.data.redis.autoconfigure.observation.LettuceObservationAutoConfiguration";

    private static StandardEnvironment environment(Map<String, Object> properties) {
        StandardEnvironment environment = new StandardEnvironment();
        // Only what the test gives: other tests in this JVM set system properties (spring.data.redis.url among them).
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().addFirst(new MapPropertySource("operator", new HashMap<>(properties)));
        new DeploymentModeEnvironment().postProcessEnvironment(environment, new SpringApplication());
        return environment;
    }

    @Test
    void aSingleNodeExcludesRedisAndKeepsTheOperatorsExclusions() {
        String excluded = environment(Map.of(EXCLUDE, OPERATORS)).getProperty(EXCLUDE);

        assertThat(excluded.split(",")).contains(OPERATORS, REDIS, REDIS_COMMANDS);
    }

    /** A YAML list arrives as indexed properties; auto-configuration binds them, and so must the mode's additions. */
    @Test
    void exclusionsGivenAsAListAreKeptToo() {
        StandardEnvironment environment = environment(Map.of(EXCLUDE + "[0]", OPERATORS,
                EXCLUDE + "[1]", "org.example.OtherAutoConfiguration"));

        List<String> excluded = Binder.get(environment).bind(EXCLUDE, Bindable.listOf(String.class)).get();

        assertThat(excluded).contains(OPERATORS, "org.example.OtherAutoConfiguration", REDIS, REDIS_COMMANDS);
    }

    @Test
    void aClusterKeepsRedisAndExcludesOnlyItsCommandObservations() {
        StandardEnvironment cluster = environment(Map.of(EXCLUDE, OPERATORS,
                "spring.data.redis.url", "redis://127.0.0.1:6379"));

        assertThat(cluster.getProperty(EXCLUDE).split(",")).contains(OPERATORS, REDIS_COMMANDS).doesNotContain(REDIS);
        assertThat(environment(Map.of("spring.data.redis.url", "redis://127.0.0.1:6379")).getProperty(EXCLUDE))
                .isEqualTo(REDIS_COMMANDS);
    }
}
