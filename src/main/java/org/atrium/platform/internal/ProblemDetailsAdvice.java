package org.atrium.platform.internal;

import jakarta.validation.ConstraintViolationException;
import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.platform.Problems;
import org.atrium.platform.TransactionRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.support.MissingServletRequestPartException;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns every exception that leaves a controller into an RFC 9457 problem detail with a stable {@code code}.
 * Validation failures list each offending field. Unexpected exceptions are logged with the request id and answered
 * with {@code internal_error}, never with a stack trace.
 */
@RestControllerAdvice
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

    /** A field that failed validation: its name as the client sent it, and why. */
    record FieldError(String field, String message) {
    }

    @ExceptionHandler(AtriumException.class)
    ResponseEntity<ProblemDetail> atrium(AtriumException failure) {
        if (failure.field() != null) {
            return validationProblem(List.of(new FieldError(failure.field(), failure.getMessage())));
        }
        return ResponseEntity.status(failure.status()).headers(headers -> failure.headers().forEach(headers::set))
                .body(Problems.of(failure.status(), failure.code(), failure.getMessage()));
    }

    @ExceptionHandler(AccessDeniedException.class)
    ResponseEntity<ProblemDetail> accessDenied(AccessDeniedException failure) {
        return ResponseEntity.status(HttpStatus.FORBIDDEN).body(Problems.of(HttpStatus.FORBIDDEN, "forbidden",
                "You are not allowed to do this."));
    }

    @ExceptionHandler(ConstraintViolationException.class)
    ResponseEntity<ProblemDetail> constraintViolation(ConstraintViolationException failure) {
        List<FieldError> errors = failure.getConstraintViolations().stream()
                .map(v -> new FieldError(lastNode(v.getPropertyPath().toString()), v.getMessage()))
                .toList();
        return validationProblem(errors);
    }

    @ExceptionHandler(MultipartException.class)
    ResponseEntity<ProblemDetail> multipart(MultipartException failure) {
        return ClientInputProblems.of(failure).orElseGet(() -> ResponseEntity.badRequest().body(Problems.of(
                HttpStatus.BAD_REQUEST, "malformed_multipart", ClientInputProblems.MALFORMED_MULTIPART)));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception failure) {
        Optional<ResponseEntity<ProblemDetail>> clientInput = ClientInputProblems.of(failure);
        if (clientInput.isPresent()) {
            return clientInput.get();
        }
        if (TransactionRetry.isTransient(failure)) {
            return transientConflict(failure);
        }
        LogEvents.error(log, "http.request.failed").setCause(failure).log();
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body(Problems.of(
                HttpStatus.INTERNAL_SERVER_ERROR, "internal_error",
                "Something went wrong on our side. Quote the request id when you report it."));
    }

    /**
     * A deadlock, serialization failure or lock timeout met where no {@link TransactionRetry} ran the work (or inside
     * a transaction it joined): the same answer as when the retry gives up, since nothing was changed.
     */
    private static ResponseEntity<ProblemDetail> transientConflict(Exception failure) {
        LogEvents.warn(log, "db.transaction.conflict").addKeyValue("work", "unretried")
                .addKeyValue("reason", failure.getClass().getSimpleName()).log();
        return ResponseEntity.status(HttpStatus.CONFLICT).body(Problems.of(HttpStatus.CONFLICT,
                TransactionRetry.CONFLICT_CODE, "The request collided with concurrent changes to the same data and"
                        + " changed nothing; send it again."));
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException failure,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = failure.getBindingResult().getFieldErrors().stream()
                .map(e -> new FieldError(e.getField(), e.getDefaultMessage()))
                .toList();
        return ResponseEntity.badRequest().body(validationProblem(errors).getBody());
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException failure,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = failure.getParameterValidationResults().stream()
                .flatMap(result -> result.getResolvableErrors().stream().map(error -> new FieldError(
                        result.getMethodParameter().getParameterName(), error.getDefaultMessage())))
                .toList();
        return ResponseEntity.badRequest().body(validationProblem(errors).getBody());
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception failure, Object body, HttpHeaders headers,
            HttpStatusCode statusCode, WebRequest request) {
        Optional<ResponseEntity<ProblemDetail>> clientInput = ClientInputProblems.of(failure);
        if (clientInput.isPresent()) {
            return new ResponseEntity<>(clientInput.get().getBody(), clientInput.get().getHeaders(),
                    clientInput.get().getStatusCode());
        }
        ProblemDetail problem = body instanceof ProblemDetail given ? given
                : ProblemDetail.forStatusAndDetail(statusCode, failure.getMessage());
        Problems.decorate(problem, codeFor(failure, statusCode));
        if (failure instanceof HttpMessageNotReadableException) {
            // Parser messages quote internals; say what matters instead.
            problem.setDetail("The request body is missing or is not valid JSON of the expected shape.");
        } else if (failure instanceof NoResourceFoundException) {
            problem.setDetail("There is no endpoint at this path.");
        } else if (failure instanceof MaxUploadSizeExceededException) {
            problem.setDetail("The file is larger than this instance accepts (atrium.knowledge.max-file-size).");
        } else if (failure instanceof MissingServletRequestPartException missing) {
            problem.setDetail("The multipart request has no part named '" + missing.getRequestPartName() + "'.");
        }
        return super.handleExceptionInternal(failure, problem, headers, statusCode, request);
    }

    private static String codeFor(Exception failure, HttpStatusCode status) {
        return switch (failure) {
            case HttpMessageNotReadableException ignored -> "malformed_request";
            case MissingServletRequestParameterException ignored -> "invalid_parameter";
            case MissingRequestHeaderException ignored -> "invalid_parameter";
            case MethodArgumentTypeMismatchException ignored -> "invalid_parameter";
            case HttpRequestMethodNotSupportedException ignored -> "method_not_allowed";
            case HttpMediaTypeNotSupportedException ignored -> "unsupported_media_type";
            case HttpMediaTypeNotAcceptableException ignored -> "not_acceptable";
            case NoResourceFoundException ignored -> "not_found";
            case MaxUploadSizeExceededException ignored -> "file_too_large";
            case MissingServletRequestPartException ignored -> "invalid_parameter";
            default -> status.is4xxClientError() ? "bad_request" : "internal_error";
        };
    }

    static ResponseEntity<ProblemDetail> validationProblem(List<FieldError> errors) {
        String fields = String.join(", ", errors.stream().map(FieldError::field).distinct().toList());
        ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, "validation_failed",
                "Some fields are not valid: " + fields + ".");
        problem.setProperty("errors", errors.stream()
                .map(e -> Map.of("field", e.field(), "message", String.valueOf(e.message())))
                .toList());
        return ResponseEntity.badRequest().body(problem);
    }

    private static String lastNode(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }
}
