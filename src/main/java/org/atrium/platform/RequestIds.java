package org.atrium.platform;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

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

    /**
     * A random (version 4) id for what one request creates: its request id, a completion's id, an entry of models in
     * use. Drawn from {@link ThreadLocalRandom}, not {@link UUID#randomUUID()}, whose shared {@code SecureRandom} is a
     * lock every request would take; so never use it for anything that must be unguessable (tokens, keys).
     *
     * @return a new id
     */
    public static UUID random() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low);
    }
}
