package org.atrium.platform.internal;

import org.atrium.platform.Problems;
import org.atrium.platform.RequestIds;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Jetty's error response for what Jetty refuses before any filter or servlet runs: a request line or header section
 * that is too large ({@code 431}, {@code 414}), an ambiguous or suspicious path (an encoded {@code /}, an empty
 * segment, a NUL), a malformed request line. Answers with the same problem details the application answers instead
 * of Jetty's HTML page. Errors of requests that reached the application are rendered by
 * {@link ProblemErrorController} (through the servlet context's own error handler) and never get here.
 */
final class ProblemErrorHandler extends ErrorHandler {

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        HttpStatus resolved = HttpStatus.resolve(response.getStatus());
        HttpStatus status = resolved == null || !resolved.isError() ? HttpStatus.BAD_REQUEST : resolved;
        ProblemDetail problem = Problems.of(status, ProblemErrorController.codeFor(status),
                ProblemErrorController.detailFor(status));
        if (problem.getProperties() == null || !problem.getProperties().containsKey("requestId")) {
            // The request never reached RequestLogFilter; give it an id all the same.
            String requestId = UUID.randomUUID().toString();
            problem.setProperty("requestId", requestId);
            response.getHeaders().put(RequestIds.HEADER, requestId);
        }
        response.setStatus(status.value());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, MediaType.APPLICATION_PROBLEM_JSON_VALUE
                + ";charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        // Jetty does not keep a connection after such a request: say so, or a client would send its next request
        // on a connection about to close and lose it.
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        ByteBuffer body = "HEAD".equals(request.getMethod()) ? null
                : ByteBuffer.wrap(Problems.json(problem).getBytes(StandardCharsets.UTF_8));
        response.write(true, body, callback);
        return true;
    }
}
