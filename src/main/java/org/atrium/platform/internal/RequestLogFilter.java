package org.atrium.platform.internal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.atrium.platform.LogEvents;
import org.atrium.platform.RequestArrival;
import org.atrium.platform.RequestIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;

import java.io.IOException;
import java.util.regex.Pattern;

/**
 * Gives every request a request id (reusing a well-formed incoming {@code X-Request-Id}), echoes it in the response,
 * puts it in the MDC for every log line of the request, and logs one {@code http.request} event per request with
 * method, route template (never the raw path, which may carry ids or tokens), status, duration and user id.
 * Runs before the security filters so that rejected requests are logged too.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestLogFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger("org.atrium.http");
    private static final Pattern ACCEPTED_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String incoming = request.getHeader(RequestIds.HEADER);
        String requestId = incoming != null && ACCEPTED_ID.matcher(incoming).matches()
                ? incoming : RequestIds.random().toString();
        MDC.put(RequestIds.MDC_KEY, requestId);
        response.setHeader(RequestIds.HEADER, requestId);
        long started = System.nanoTime();
        RequestArrival.record(request, started);
        try {
            chain.doFilter(request, response);
        } finally {
            Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
            String route = pattern != null ? pattern.toString() : "unmatched";
            var event = request.getRequestURI().startsWith("/actuator/")
                    ? LogEvents.debug(log, "http.request") : LogEvents.info(log, "http.request");
            event.addKeyValue("method", request.getMethod())
                    .addKeyValue("route", route)
                    .addKeyValue("status", response.getStatus())
                    .addKeyValue("duration_ms", LogEvents.millis(System.nanoTime() - started))
                    .log();
            MDC.remove(RequestIds.USER_MDC_KEY);
            MDC.remove(RequestIds.MDC_KEY);
        }
    }
}
