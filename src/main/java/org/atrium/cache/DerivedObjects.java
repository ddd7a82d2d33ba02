package org.atrium.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Objects built from cached state (provider clients, model lists, rendered views) are caches too. Each is kept with
 * the stamp of the state it was built from and rebuilt as soon as it is asked for with a different stamp, so it is
 * never older than the state, which is itself checked on every request.
 */
public final class DerivedObjects {

    private record Built(Stamp stamp, Object object) {
    }

    private final Cache<String, Built> built = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterAccess(Duration.ofHours(1)).build();

    /**
     * Returns the object built from state with this stamp, building it if needed.
     *
     * @param kind    what is built, for example {@code model-list}
     * @param key     whose it is, for example a user id
     * @param stamp   the stamp of the state it is built from
     * @param builder builds it
     * @param <T>     its type
     * @return the object
     */
    @SuppressWarnings("unchecked")
    public <T> T get(String kind, String key, Stamp stamp, Supplier<T> builder) {
        String id = kind + "/" + key;
        Built current = built.getIfPresent(id);
        if (current != null && current.stamp().equals(stamp)) {
            return (T) current.object();
        }
        T object = builder.get();
        built.put(id, new Built(stamp, object));
        return object;
    }
}
