package org.atrium.platform.internal;

import org.eclipse.jetty.server.HttpConfiguration;
import org.springframework.boot.jetty.JettyServerCustomizer;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Jetty as Atrium runs it: what Jetty refuses itself (oversized headers, ambiguous paths) is answered with problem
 * details ({@link ProblemErrorHandler}; the servlet context keeps Spring Boot's handler, which forwards to
 * {@link ProblemErrorController}); and forwarded headers, when Spring Boot would honour them
 * ({@code server.forward-headers-strategy=native}, or on Kubernetes), are honoured from trusted proxies only
 * ({@link TrustedForwardedHeaders}) instead of from every peer.
 */
@Configuration(proxyBeanMethods = false)
class JettyConfiguration {

    @Bean
    JettyServerCustomizer problemErrors() {
        return server -> server.setErrorHandler(new ProblemErrorHandler());
    }

    /** Runs after Spring Boot's own customizer, which decided whether forwarded headers are used. */
    @Bean
    @Order(Ordered.LOWEST_PRECEDENCE)
    WebServerFactoryCustomizer<JettyServletWebServerFactory> trustedForwardedHeaders(
            TrustedProxiesProperties properties) {
        return factory -> {
            if (!factory.isUseForwardHeaders()) {
                return;
            }
            factory.setUseForwardHeaders(false);
            TrustedForwardedHeaders customizer = new TrustedForwardedHeaders(properties.trustedProxies());
            factory.addServerCustomizers(server -> {
                for (var connector : server.getConnectors()) {
                    // HTTP/1.1 and h2c share one configuration: add the customizer to it once.
                    connector.getConnectionFactories().stream()
                            .filter(HttpConfiguration.ConnectionFactory.class::isInstance)
                            .map(http -> ((HttpConfiguration.ConnectionFactory) http).getHttpConfiguration())
                            .distinct()
                            .forEach(configuration -> configuration.addCustomizer(customizer));
                }
            });
        };
    }
}
