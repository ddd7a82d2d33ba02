package org.atrium.testing;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The annotated test needs the pgvector extension on the test PostgreSQL. The embedded PostgreSQL that tests start
 * on a machine with only a JDK has none, so there the test is skipped with a reason that says so; with
 * {@code ATRIUM_TEST_REQUIRE_PGVECTOR=true} (as {@code .ci/run} sets) a missing pgvector fails the test instead, so
 * CI cannot skip what it is meant to prove.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(PgVectorCondition.class)
public @interface RequiresPgVector {
}
