package org.atrium.platform;

/** Names under which the request id and the caller travel through logs and headers. */
public final class RequestIds {

    /** Header that carries the request id in and out; a valid incoming value is reused. */
    public static final String HEADER = "X-Request-Id";
    /** MDC key of the request id. */
    public static final String MDC_KEY = "request_id";
    /** MDC key of the authenticated user's id. */
    public static final String USER_MDC_KEY = "user_id";

    private RequestIds() {
    }
}
