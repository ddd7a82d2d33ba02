package org.atrium.platform;

import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Test sources only: an endpoint that fails with an unexpected exception, so that tests can check what a client and
 * the logs see when something breaks. Hidden from the OpenAPI document.
 */
@Hidden
@RestController
@RequestMapping("/api/v1/test-only/fail")
class FailingTestController {

    /** Distinctive text that must reach the logs but never a client. */
    static final String FAILURE_MESSAGE = "kaboom-7f3a9c-internal-invariant-broken";

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;

    FailingTestController(JdbcClient jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactions);
    }

    @GetMapping
    String fail() {
        throw new IllegalStateException(FAILURE_MESSAGE);
    }

    /** Waits 100 ms for a transaction-level advisory lock, in a transaction no {@code TransactionRetry} runs. */
    @GetMapping("/advisory-lock")
    String advisoryLock(@RequestParam long key) {
        return transactions.execute(status -> {
            jdbc.sql("set local lock_timeout = '100ms'").update();
            jdbc.sql("select pg_advisory_xact_lock(:key)").param("key", key).query().singleValue();
            return "locked";
        });
    }
}
