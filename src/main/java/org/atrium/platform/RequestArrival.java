package org.atrium.platform;

import jakarta.servlet.ServletRequest;

/**
 * When a request arrived, as {@link System#nanoTime()}: recorded by the first filter, so that the timings a response
 * reports ({@code Server-Timing}) count Atrium's whole share, the filters and authentication included.
 */
public final class RequestArrival {

    private static final String ATTRIBUTE = RequestArrival.class.getName();

    private RequestArrival() {
    }

    /**
     * Records the request's arrival; called once, by the first filter.
     *
     * @param request the request
     * @param nanos   {@link System#nanoTime()} at its arrival
     */
    public static void record(ServletRequest request, long nanos) {
        request.setAttribute(ATTRIBUTE, nanos);
    }

    /**
     * @param request the request
     * @return {@link System#nanoTime()} at its arrival; now, for a request no filter saw (a test's, say)
     */
    public static long nanos(ServletRequest request) {
        return request.getAttribute(ATTRIBUTE) instanceof Long nanos ? nanos : System.nanoTime();
    }
}
