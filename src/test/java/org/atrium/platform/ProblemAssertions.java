package org.atrium.platform;

import org.atrium.testing.Api;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** The shape every problem answer has, checked the same way by the tests of client input. */
final class ProblemAssertions {

    private ProblemAssertions() {
    }

    /**
     * Asserts a problem detail with the given status and code and returns its body.
     *
     * @param what   what was sent, for the failure message
     * @param status the expected status
     * @param code   the expected code
     */
    static JsonNode assertProblem(String what, Api.Response response, int status, String code) {
        assertThat(response.status()).as("status of %s: %s", what, response.text()).isEqualTo(status);
        assertThat(response.header("Content-Type")).as("content type of %s: %s", what, response.text())
                .startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.path("code").asString("")).as("code of %s: %s", what, response.text()).isEqualTo(code);
        assertThat(problem.path("type").asString("")).isEqualTo(Problems.TYPE_PREFIX + code);
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("detail").asString("")).isNotBlank();
        return problem;
    }

    /** Asserts a {@code 400 validation_failed} that names the field. */
    static void assertInvalidField(String what, Api.Response response, String field) {
        JsonNode problem = assertProblem(what, response, 400, "validation_failed");
        assertThat(problem.path("errors").values()).as("errors of %s: %s", what, response.text())
                .extracting(error -> error.path("field").asString())
                .contains(field);
    }
}
