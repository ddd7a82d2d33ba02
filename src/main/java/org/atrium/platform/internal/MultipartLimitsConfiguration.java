package org.atrium.platform.internal;

import jakarta.servlet.MultipartConfigElement;
import org.springframework.boot.servlet.autoconfigure.MultipartProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/**
 * Multipart limits: each file part is bounded by {@code spring.servlet.multipart.max-file-size} (set from
 * {@code atrium.knowledge.max-file-size}), and, unless {@code spring.servlet.multipart.max-request-size} is set, the
 * whole body by that size plus {@link #ENVELOPE} for the part headers and boundaries, so that a body of many parts
 * cannot fill the temporary directory. Part count and part header size are Tomcat's
 * ({@code server.tomcat.max-part-count}, {@code server.tomcat.max-part-header-size}).
 */
@Configuration(proxyBeanMethods = false)
class MultipartLimitsConfiguration {

    /** Room for the parts' headers and boundaries around the file. */
    static final DataSize ENVELOPE = DataSize.ofMegabytes(1);

    @Bean
    MultipartConfigElement multipartConfigElement(MultipartProperties properties) {
        MultipartConfigElement configured = properties.createMultipartConfig();
        long maxFile = configured.getMaxFileSize();
        long maxRequest = configured.getMaxRequestSize() < 0 && maxFile >= 0
                ? maxFile + ENVELOPE.toBytes() : configured.getMaxRequestSize();
        return new MultipartConfigElement(configured.getLocation(), maxFile, maxRequest,
                configured.getFileSizeThreshold());
    }
}
