package org.atrium.accounts;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code atrium.passwords.hash-cost}: bcrypt's usual 10 unless set, and refused outside 4 to 16. */
class PasswordPropertiesTest {

    // Without the JVM's system properties: IntegrationTest sets the suite's cost there.
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withInitializer(context -> context.getEnvironment().getPropertySources()
                    .remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME))
            .withUserConfiguration(PasswordsOnly.class);

    @Test
    void theCostIsTenByDefaultAndMayBeSetWithinFourToSixteen() {
        runner.run(context -> assertThat(context.getBean(PasswordProperties.class).hashCost()).isEqualTo(10));
        runner.withPropertyValues("atrium.passwords.hash-cost=4")
                .run(context -> assertThat(context.getBean(PasswordProperties.class).hashCost()).isEqualTo(4));
        runner.withPropertyValues("atrium.passwords.hash-cost=16")
                .run(context -> assertThat(context.getBean(PasswordProperties.class).hashCost()).isEqualTo(16));
    }

    @Test
    void aCostOutsideFourToSixteenStopsStartup() {
        runner.withPropertyValues("atrium.passwords.hash-cost=3").run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining("hashCost"));
        runner.withPropertyValues("atrium.passwords.hash-cost=17").run(context -> assertThat(context).hasFailed());
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(PasswordProperties.class)
    static class PasswordsOnly {
    }
}
