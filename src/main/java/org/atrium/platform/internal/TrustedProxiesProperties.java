package org.atrium.platform.internal;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.util.List;

/**
 * The proxies whose forwarded headers are believed ({@code atrium.http.*}), when
 * {@code server.forward-headers-strategy} is {@code native} (or Spring Boot turns it on, on Kubernetes).
 *
 * @param trustedProxies addresses or CIDR ranges of the reverse proxies and load balancers in front of Atrium
 *                       (loopback, private, link-local and shared address space by default): {@code X-Forwarded-*}
 *                       is honoured from them only, and the client's address is the last one in
 *                       {@code X-Forwarded-For} that is not one of them
 */
@Validated
@ConfigurationProperties("atrium.http")
record TrustedProxiesProperties(
        @DefaultValue({"127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
                "100.64.0.0/10", "fe80::/10", "fc00::/7"}) @NotNull List<String> trustedProxies) {
}
