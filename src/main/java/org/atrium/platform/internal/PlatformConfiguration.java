package org.atrium.platform.internal;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

/** Beans every module may inject. */
@Configuration(proxyBeanMethods = false)
class PlatformConfiguration {

    /** The clock for everything time-based, replaceable in tests. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
