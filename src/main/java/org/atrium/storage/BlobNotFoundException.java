package org.atrium.storage;

import java.io.IOException;

/**
 * Thrown by {@link BlobStore#open} when no object exists under the key. An {@link IOException} so that code which
 * only streams bytes can treat it like any other read failure, and code that cares can catch it alone.
 */
public class BlobNotFoundException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String key;

    /**
     * @param key the key that holds no object
     */
    public BlobNotFoundException(String key) {
        super("no stored object under key " + key);
        this.key = key;
    }

    /**
     * @return the key that holds no object
     */
    public String key() {
        return key;
    }
}
