package org.atrium.platform.internal;

import org.atrium.platform.Problems;
import org.eclipse.jetty.http.HttpException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.multipart.MultipartException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamConstraintsException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Recognises, anywhere in a failure's cause chain, the limits and checks on client input that readers deep inside
 * Spring, Jackson or Jetty trip over, and answers each with its own code instead of a generic one (or a 500).
 *
 * <p>Jetty reports every multipart failure the same way (a {@code 400 bad multipart} around what its parser threw),
 * and a query it cannot decode as {@code 400 Bad query}; which limit was met is only in the parser's message. The
 * messages matched here are Jetty 12.1's; {@code RequestLimitsTest} sends each case, so a Jetty that words them
 * otherwise fails it rather than answering {@code malformed_multipart} unnoticed.
 */
final class ClientInputProblems {

    /** The sentence of every {@code malformed_multipart} problem. */
    static final String MALFORMED_MULTIPART = "The multipart body cannot be read: it has no boundary, is truncated or"
            + " is otherwise malformed.";

    private ClientInputProblems() {
    }

    /**
     * @param failure what a request failed with
     * @return the problem for the client input at fault, or empty when the failure is not one of these
     */
    static Optional<ResponseEntity<ProblemDetail>> of(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable cause = failure; cause != null && chain.size() < 32;
             cause = cause.getCause() == cause ? null : cause.getCause()) {
            chain.add(cause);
        }
        for (Throwable cause : chain) {
            Optional<ResponseEntity<ProblemDetail>> problem = single(cause);
            if (problem.isPresent()) {
                return problem;
            }
        }
        if (chain.stream().anyMatch(cause -> cause instanceof MultipartException || reason(cause, "bad multipart"))) {
            return Optional.of(multipart(chain));
        }
        return chain.stream().anyMatch(cause -> reason(cause, "Bad query"))
                ? Optional.of(problem(HttpStatus.BAD_REQUEST, "invalid_parameter", "A query parameter cannot be"
                        + " read: it is not valid percent-encoded UTF-8."))
                : Optional.empty();
    }

    private static Optional<ResponseEntity<ProblemDetail>> single(Throwable cause) {
        return switch (cause) {
            case BodyTooLargeException tooLarge -> Optional.of(problem(HttpStatus.CONTENT_TOO_LARGE,
                    "payload_too_large", RequestBodyLimitFilter.detail(tooLarge.limit())));
            case JsonInputConfiguration.UnsafeTextException unsafe -> Optional.of(
                    ProblemDetailsAdvice.validationProblem(List.of(new ProblemDetailsAdvice.FieldError(
                            path(unsafe), unsafe.reason()))));
            case StreamConstraintsException ignored -> Optional.of(problem(HttpStatus.BAD_REQUEST,
                    "json_limit_exceeded", "The JSON body exceeds a limit: nesting deeper than "
                            + JsonInputConfiguration.MAX_NESTING_DEPTH + ", a number longer than "
                            + JsonInputConfiguration.MAX_NUMBER_LENGTH + " characters or a string longer than "
                            + JsonInputConfiguration.MAX_STRING_LENGTH + ". See docs/limits.md."));
            default -> Optional.empty();
        };
    }

    /**
     * What Jetty's multipart parser met, from its message. The answer closes the connection: Jetty does not keep a
     * connection whose body its parser gave up on, and says so only if the answer does.
     */
    private static ResponseEntity<ProblemDetail> multipart(List<Throwable> chain) {
        ResponseEntity<ProblemDetail> problem = multipartProblem(chain);
        return ResponseEntity.status(problem.getStatusCode()).header(HttpHeaders.CONNECTION, "close")
                .body(problem.getBody());
    }

    private static ResponseEntity<ProblemDetail> multipartProblem(List<Throwable> chain) {
        for (Throwable cause : chain) {
            String message = String.valueOf(cause.getMessage());
            if (message.startsWith("max file size exceeded")) {
                return problem(HttpStatus.CONTENT_TOO_LARGE, "file_too_large", "The file is larger than this"
                        + " instance accepts (atrium.knowledge.max-file-size).");
            }
            if (message.startsWith("Form with too many keys") || message.startsWith("Too many form keys")) {
                return problem(HttpStatus.CONTENT_TOO_LARGE, "too_many_parts", "The multipart body has more parts"
                        + " than this server accepts (server.jetty.max-form-keys). Send the file as the one part"
                        + " named 'file'.");
            }
            if (message.startsWith("headers max length exceeded")) {
                return problem(HttpStatus.CONTENT_TOO_LARGE, "part_header_too_large", "The headers of a multipart"
                        + " part (its file name, for example) are larger than this server accepts"
                        + " (server.max-http-request-header-size).");
            }
            if (message.startsWith("max length exceeded") || message.startsWith("Form is larger than max length")) {
                return problem(HttpStatus.CONTENT_TOO_LARGE, "payload_too_large", "The multipart body is larger"
                        + " than this instance accepts (atrium.knowledge.max-file-size and a little room for the"
                        + " part headers).");
            }
            if (cause instanceof HttpException http && String.valueOf(http.getReason()).startsWith("invalid byte ")) {
                // A part's headers may hold no control character; where a client puts one is the file's name.
                return ProblemDetailsAdvice.validationProblem(List.of(new ProblemDetailsAdvice.FieldError("file",
                        "the file name must not contain control characters, NUL (U+0000) among them")));
            }
        }
        return problem(HttpStatus.BAD_REQUEST, "malformed_multipart", MALFORMED_MULTIPART);
    }

    private static boolean reason(Throwable cause, String reason) {
        return cause instanceof HttpException http && reason.equals(http.getReason());
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String code, String detail) {
        return ResponseEntity.status(status).body(Problems.of(status, code, detail));
    }

    /** The field as the client wrote it: {@code settings.allowedModels[3]}, {@code email}. */
    private static String path(JacksonException failure) {
        String path = failure.getPath().stream()
                .map(reference -> reference.getPropertyName() != null ? "." + reference.getPropertyName()
                        : "[" + reference.getIndex() + "]")
                .collect(Collectors.joining());
        return path.startsWith(".") ? path.substring(1) : path.isEmpty() ? "body" : path;
    }
}
