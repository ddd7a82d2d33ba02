package org.atrium.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.atrium.accounts.Caller;
import org.atrium.platform.AtriumException;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.ModelAndView;

import java.net.URI;
import java.util.Map;

/**
 * A refusal that a page's action does not draw on its own page (a form field that is not an id, an action the caller
 * may not do, a conflict, a cache that could not be reached) is answered with a page that gives the reason, with its
 * status, rather than with the API's problem details: people read these. Unexpected failures are left to the API's
 * handler, which logs them with the request id. Applies to the page controllers of this package only, before the
 * API's handler.
 */
@ControllerAdvice(basePackageClasses = PageErrors.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class PageErrors {

    @ExceptionHandler(AtriumException.class)
    ModelAndView refused(AtriumException refused, HttpServletRequest request, HttpServletResponse response) {
        refused.headers().forEach(response::setHeader); // Retry-After, when there is one
        HttpStatus status = refused.status();
        String message = refused.field() == null ? refused.getMessage() : Forms.refusal(refused);
        return new ModelAndView("refused", Map.of(
                "page", PageContext.of((CsrfToken) request.getAttribute(CsrfToken.class.getName()), caller()),
                "title", status.is4xxClientError() ? "This was not done" : "Atrium could not do this now",
                "message", message.isEmpty() ? message : Character.toUpperCase(message.charAt(0))
                        + message.substring(1),
                "code", refused.code(),
                "back", back(request)), status);
    }

    /**
     * A link or form that sent a parameter of the wrong kind or none ({@code ?from=abc}, a hand-written URL): the same
     * {@code invalid_parameter} the API answers, drawn as a page.
     */
    @ExceptionHandler({MethodArgumentTypeMismatchException.class, MissingServletRequestParameterException.class})
    ModelAndView badParameter(Exception bad, HttpServletRequest request, HttpServletResponse response) {
        String detail = switch (bad) {
            case MethodArgumentTypeMismatchException mismatch -> "The parameter '" + mismatch.getName()
                    + "' is not valid.";
            case MissingServletRequestParameterException missing -> "The parameter '" + missing.getParameterName()
                    + "' is missing.";
            default -> "A parameter is not valid.";
        };
        return refused(AtriumException.badRequest("invalid_parameter", detail), request, response);
    }

    private static @Nullable Caller caller() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication != null && authentication.getPrincipal() instanceof Caller caller ? caller : null;
    }

    /** The page the form was on, when it was one of Atrium's: the way back. */
    private static String back(HttpServletRequest request) {
        String referer = request.getHeader(HttpHeaders.REFERER);
        if (referer == null) {
            return "/";
        }
        try {
            URI from = URI.create(referer);
            if (!request.getServerName().equalsIgnoreCase(from.getHost()) || from.getRawPath() == null
                    || !from.getRawPath().startsWith("/")) {
                return "/";
            }
            return from.getRawQuery() == null ? from.getRawPath() : from.getRawPath() + "?" + from.getRawQuery();
        } catch (IllegalArgumentException malformed) {
            return "/";
        }
    }
}
