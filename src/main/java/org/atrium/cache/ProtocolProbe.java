package org.atrium.cache;

/**
 * A seam at each step of the cache protocol where a race can happen, so that tests can pause a reader or a writer
 * there (or, in a test process, halt the JVM) and check the outcome. Production uses a probe that does nothing.
 */
public interface ProtocolProbe {

    /** The steps. */
    enum Point {
        /** A reader has read a value and its stamp from PostgreSQL and is about to offer it to the cache. */
        READER_AFTER_DATABASE_READ,
        /** A writer has raised the versions in the shared store and has not committed yet. */
        WRITER_BEFORE_COMMIT,
        /** A writer has committed and has not yet raised the versions again (nor answered its caller). */
        WRITER_AFTER_COMMIT
    }

    /**
     * Called when a thread reaches a step.
     *
     * @param point  the step
     * @param detail what the step is about (a cache key or the scopes being raised)
     */
    void reached(Point point, String detail);
}
