package org.atrium.platform.internal;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.atrium.platform.Problems;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Renders errors that never reached a controller (the servlet container's and security filters' {@code sendError})
 * as problem details, replacing Spring Boot's default error body.
 */
@Hidden
@RestController
class ProblemErrorController implements ErrorController {

    @RequestMapping("/error")
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatus status = code instanceof Integer value && HttpStatus.resolve(value) != null
                ? HttpStatus.valueOf(value) : HttpStatus.NOT_FOUND;
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(Problems.of(status, codeFor(status), detailFor(status)));
    }

    /**
     * @param status an error status the container or a filter set
     * @return the problem code for it
     */
    static String codeFor(HttpStatus status) {
        return switch (status) {
            case NOT_FOUND -> "not_found";
            case UNAUTHORIZED -> "unauthenticated";
            case FORBIDDEN -> "forbidden";
            case METHOD_NOT_ALLOWED -> "method_not_allowed";
            case CONTENT_TOO_LARGE -> "payload_too_large";
            case REQUEST_HEADER_FIELDS_TOO_LARGE -> "header_too_large";
            case URI_TOO_LONG -> "uri_too_long";
            default -> status.is4xxClientError() ? "bad_request" : "internal_error";
        };
    }

    /**
     * @param status an error status the container or a filter set
     * @return the sentence for people
     */
    static String detailFor(HttpStatus status) {
        return switch (status) {
            case REQUEST_HEADER_FIELDS_TOO_LARGE -> "The request line or headers are larger than this server accepts"
                    + " (server.max-http-request-header-size). See docs/limits.md.";
            case CONTENT_TOO_LARGE -> "The request body is larger than this server accepts. See docs/limits.md.";
            case BAD_REQUEST -> "The request is malformed: its path, request line or headers cannot be understood"
                    + " (an encoded '/' or NUL in the path, for example).";
            default -> status.is5xxServerError()
                    ? "Something went wrong on our side. Quote the request id when you report it."
                    : "The request could not be handled: " + status.getReasonPhrase() + ".";
        };
    }
}
