package org.atrium.platform;

import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
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

    @GetMapping
    String fail() {
        throw new IllegalStateException(FAILURE_MESSAGE);
    }
}
