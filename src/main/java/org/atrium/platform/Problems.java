package org.atrium.platform;

import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.json.ProblemDetailJacksonMixin;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;

/**
 * Builds RFC 9457 problem details the same way everywhere: {@code type} is {@code urn:atrium:problem:<code>},
 * {@code title} the status phrase, and the extra members {@code code} and {@code requestId}.
 */
public final class Problems {

    /** Prefix of every problem {@code type}. */
    public static final String TYPE_PREFIX = "urn:atrium:problem:";

    private static final JsonMapper JSON = JsonMapper.builder()
            .addMixIn(ProblemDetail.class, ProblemDetailJacksonMixin.class)
            .build();

    private Problems() {
    }

    /**
     * Creates a problem detail.
     *
     * @param status the HTTP status
     * @param code   the stable code
     * @param detail the sentence for people
     * @return the problem, with the current request id when there is one
     */
    public static ProblemDetail of(HttpStatus status, String code, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        decorate(problem, code);
        return problem;
    }

    /**
     * Adds Atrium's members to a problem detail built elsewhere (by Spring MVC, for example).
     *
     * @param problem the problem to complete
     * @param code    the stable code
     */
    public static void decorate(ProblemDetail problem, String code) {
        problem.setType(URI.create(TYPE_PREFIX + code));
        if (problem.getTitle() == null) {
            HttpStatus status = HttpStatus.resolve(problem.getStatus());
            problem.setTitle(status == null ? "Error" : status.getReasonPhrase());
        }
        problem.setProperty("code", code);
        String requestId = MDC.get(RequestIds.MDC_KEY);
        if (requestId != null) {
            problem.setProperty("requestId", requestId);
        }
    }

    /**
     * @param problem a problem detail
     * @return it as JSON, the way every problem is written
     */
    public static String json(ProblemDetail problem) {
        return JSON.writeValueAsString(problem);
    }

    /**
     * Writes a problem to a response outside Spring MVC (security filters, for example).
     *
     * @param response the response, not yet committed
     * @param status   the HTTP status
     * @param code     the stable code
     * @param detail   the sentence for people
     * @throws IOException when the response cannot be written
     */
    public static void write(HttpServletResponse response, HttpStatus status, String code, String detail)
            throws IOException {
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        JSON.writeValue(response.getOutputStream(), of(status, code, detail));
    }
}
