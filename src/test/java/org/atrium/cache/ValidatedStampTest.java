package org.atrium.cache;

import org.atrium.testing.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link VersionedCache#get(String, Class, Stamp)}: a value whose stamp agrees with a stamp validated during the
 * request is served as it is (no round trip), and only then; any other value goes through the usual validation.
 * The test proves the shortcut is taken by raising the scope behind it: the validated stamp still agrees, so the
 * value comes back, where the usual read sees the raise and refuses it.
 */
class ValidatedStampTest extends IntegrationTest {

    @Autowired
    private VersionedCache cache;

    @Autowired
    private PlatformTransactionManager transactions;

    @Autowired
    private Invalidation invalidation;

    @Test
    void aValueOfTheValidatedVersionsIsServedAndNoOther() {
        Scope scope = Scope.group(UUID.randomUUID());
        String agreeing = "test.validated:" + UUID.randomUUID();
        String otherVersion = "test.validated:" + UUID.randomUUID();
        String scopeMissing = "test.validated:" + UUID.randomUUID();
        String usual = "test.validated:" + UUID.randomUUID();
        Stamp read = new TransactionTemplate(transactions).execute(status -> cache.stampOf(List.of(scope)));
        for (String key : List.of(agreeing, otherVersion, scopeMissing, usual)) {
            cache.offer(key, "value", read);
            assertThat(cache.get(key, String.class)).as("cached while current").contains("value");
        }
        long version = read.versions().get(scope.key());

        raise(scope);

        assertThat(cache.get(agreeing, String.class, Stamp.of(Map.of(Scope.INSTANCE.key(), 7L, scope.key(),
                version)))).as("agrees with the validated stamp: served without asking").contains("value");
        assertThat(cache.get(otherVersion, String.class, Stamp.of(Map.of(scope.key(), version + 1))))
                .as("another version: validated as usual, and outdated").isEmpty();
        assertThat(cache.get(scopeMissing, String.class, Stamp.of(Map.of(Scope.INSTANCE.key(), 7L))))
                .as("the value's scope missing from the validated stamp: validated as usual").isEmpty();
        assertThat(cache.get(usual, String.class)).as("the usual read sees the raise").isEmpty();
    }

    @Test
    void stampsAgreeOnlyWhenEveryScopeOfTheOtherHasTheSameVersion() {
        Stamp validated = Stamp.of(Map.of("i", 3L, "g:a", 5L, "u:b", 9L));
        assertThat(validated.agreesWith(Stamp.of(Map.of("g:a", 5L)))).isTrue();
        assertThat(validated.agreesWith(Stamp.of(Map.of("i", 3L, "g:a", 5L, "u:b", 9L)))).isTrue();
        assertThat(validated.agreesWith(Stamp.of(Map.of()))).isTrue();
        assertThat(validated.agreesWith(Stamp.of(Map.of("g:a", 6L)))).isFalse();
        assertThat(validated.agreesWith(Stamp.of(Map.of("g:a", 4L)))).isFalse();
        assertThat(validated.agreesWith(Stamp.of(Map.of("g:a", 5L, "g:c", 1L)))).isFalse();
    }

    private void raise(Scope scope) {
        new TransactionTemplate(transactions).executeWithoutResult(status -> invalidation.changed(scope));
    }
}
