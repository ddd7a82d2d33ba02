package org.atrium.platform.internal;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.atrium.platform.Problems;
import org.atrium.platform.RequestIds;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

import java.io.Writer;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tomcat's error report for what Tomcat refuses before any filter or servlet runs: a request line or header that is
 * too large or malformed, an encoded {@code /} or NUL in the path. Replaces the HTML page with the same problem
 * details the application answers, and answers an oversized header section with {@code 431} (Tomcat says
 * {@code 400}). Errors of requests that reached the application are rendered by {@link ProblemErrorController} and
 * never get here with a status this valve would rewrite, because their body is already written.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    /** Tomcat instantiates the valve by its class name (see {@link TomcatConfiguration}). */
    public ProblemErrorReportValve() {
        setShowReport(false);
        setShowServerInfo(false);
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get() || !response.setErrorReported()) {
            return;
        }
        HttpStatus httpStatus = headerTooLarge(status, throwable)
                ? HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                : HttpStatus.resolve(status) == null ? HttpStatus.BAD_REQUEST : HttpStatus.valueOf(status);
        ProblemDetail problem = Problems.of(httpStatus, ProblemErrorController.codeFor(httpStatus),
                ProblemErrorController.detailFor(httpStatus));
        if (problem.getProperties() == null || !problem.getProperties().containsKey("requestId")) {
            // The request never reached RequestLogFilter; give it an id all the same.
            String requestId = UUID.randomUUID().toString();
            problem.setProperty("requestId", requestId);
            response.setHeader(RequestIds.HEADER, requestId);
        }
        try {
            response.setStatus(httpStatus.value());
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(Problems.json(problem));
                response.finishResponse();
            }
        } catch (Exception | LinkageError ignored) {
            // The client went away or the response cannot be written; there is nobody left to tell.
        }
    }

    /** Tomcat answers an oversized request line or header section with 400 and an IllegalArgumentException. */
    private static boolean headerTooLarge(int status, Throwable throwable) {
        if (status == HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE.value()) {
            return true;
        }
        return status == HttpStatus.BAD_REQUEST.value() && throwable != null && throwable.getMessage() != null
                && throwable.getMessage().toLowerCase().contains("too large");
    }
}
