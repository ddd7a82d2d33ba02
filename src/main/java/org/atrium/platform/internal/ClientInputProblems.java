package org.atrium.platform.internal;

import org.apache.tomcat.util.http.InvalidParameterException;
import org.apache.tomcat.util.http.fileupload.FileUploadException;
import org.apache.tomcat.util.http.fileupload.InvalidFileNameException;
import org.apache.tomcat.util.http.fileupload.MultipartStream;
import org.apache.tomcat.util.http.fileupload.impl.FileCountLimitExceededException;
import org.apache.tomcat.util.http.fileupload.impl.FileSizeLimitExceededException;
import org.apache.tomcat.util.http.fileupload.impl.SizeLimitExceededException;
import org.atrium.platform.Problems;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamConstraintsException;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Recognises, anywhere in a failure's cause chain, the limits and checks on client input that readers deep inside
 * Spring, Jackson or Tomcat trip over, and answers each with its own code instead of a generic one (or a 500).
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
        boolean unreadableParameters = false;
        boolean malformedMultipart = false;
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            Optional<ResponseEntity<ProblemDetail>> problem = single(cause);
            if (problem.isPresent()) {
                return problem;
            }
            unreadableParameters |= cause instanceof InvalidParameterException;
            malformedMultipart |= cause instanceof FileUploadException
                    || cause instanceof MultipartStream.MalformedStreamException;
        }
        if (malformedMultipart) {
            return Optional.of(problem(HttpStatus.BAD_REQUEST, "malformed_multipart", MALFORMED_MULTIPART));
        }
        // Tomcat reports a failed multipart parse as unreadable parameters too; its cause, found above, says more.
        return unreadableParameters ? Optional.of(problem(HttpStatus.BAD_REQUEST, "invalid_parameter",
                "A query parameter cannot be read: it is not valid percent-encoded UTF-8, or there are more"
                        + " parameters than this server accepts.")) : Optional.empty();
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
            case FileCountLimitExceededException ignored -> Optional.of(problem(HttpStatus.CONTENT_TOO_LARGE,
                    "too_many_parts", "The multipart body has more parts than this server accepts"
                            + " (server.tomcat.max-part-count). Send the file as the one part named 'file'."));
            case FileSizeLimitExceededException ignored -> Optional.of(problem(HttpStatus.CONTENT_TOO_LARGE,
                    "file_too_large", "The file is larger than this instance accepts"
                            + " (atrium.knowledge.max-file-size)."));
            case SizeLimitExceededException limit when String.valueOf(limit.getMessage()).startsWith("Header") ->
                    Optional.of(problem(HttpStatus.CONTENT_TOO_LARGE, "part_header_too_large", "The headers of a"
                            + " multipart part (its file name, for example) are larger than this server accepts"
                            + " (server.tomcat.max-part-header-size)."));
            case SizeLimitExceededException ignored -> Optional.of(problem(HttpStatus.CONTENT_TOO_LARGE,
                    "payload_too_large", "The multipart body is larger than this instance accepts"
                            + " (atrium.knowledge.max-file-size and a little room for the part headers)."));
            case InvalidFileNameException ignored -> Optional.of(ProblemDetailsAdvice.validationProblem(List.of(
                    new ProblemDetailsAdvice.FieldError("file", "the file name must not contain NUL (U+0000)"))));
            default -> Optional.empty();
        };
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
