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
        String problemCode = switch (status) {
            case NOT_FOUND -> "not_found";
            case UNAUTHORIZED -> "unauthenticated";
            case FORBIDDEN -> "forbidden";
            case METHOD_NOT_ALLOWED -> "method_not_allowed";
            default -> status.is4xxClientError() ? "bad_request" : "internal_error";
        };
        String detail = status.is5xxServerError()
                ? "Something went wrong on our side. Quote the request id when you report it."
                : "The request could not be handled: " + status.getReasonPhrase() + ".";
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(Problems.of(status, problemCode, detail));
    }
}
