package org.atrium.compat.wire;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import org.atrium.platform.ErrorShape;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * For the paths of one compatibility API: records when a request arrived (for {@code Server-Timing}), and answers
 * every error in the API's own shape instead of problem details, whoever wrote it (authentication, body limits,
 * validation, the services), since that API's clients read only that shape. Only problem documents are held and
 * rewritten; every other response passes straight through. Each shape's filter runs right after the request log,
 * before the body limit and authentication, whose refusals it must see; their paths do not overlap.
 */
public abstract class CompatErrorFilter extends OncePerRequestFilter implements ErrorShape {

    /** Problems are a few hundred bytes; a larger one is passed on as it is. */
    private static final int MAX_PROBLEM_BYTES = 64 * 1024;

    private final JsonMapper json;

    /** @param json writes the rewritten error */
    protected CompatErrorFilter(JsonMapper json) {
        this.json = json;
    }

    /**
     * An error as the problem document gave it.
     *
     * @param code    Atrium's stable code ({@code error} when the document could not be read)
     * @param message the sentence for people; for one invalid field, the field and what is wrong with it
     * @param param   the field at fault, as Atrium names it, if one is
     */
    public record Problem(String code, @Nullable String message, @Nullable String param) {
    }

    /**
     * @param path the request's path
     * @return whether this filter shapes that path's errors
     */
    @Override
    public abstract boolean covers(String path);

    /**
     * @param json    to create the body with
     * @param status  the response's status
     * @param problem the error
     * @return the body of the error in the API's shape, sent as {@code application/json}
     */
    protected abstract ObjectNode shape(JsonMapper json, int status, Problem problem);

    /** The OpenAPI document's example of an error of this shape. */
    @Override
    public Object example(int status, String code, String detail) {
        return json.convertValue(shape(json, status, new Problem(code, detail, null)), java.util.Map.class);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !covers(request.getRequestURI());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        ProblemCatcher catcher = new ProblemCatcher(response);
        try {
            chain.doFilter(request, catcher);
        } finally {
            if (catcher.caught != null) {
                rewrite(response, catcher.caught.toByteArray());
            }
        }
    }

    private void rewrite(HttpServletResponse response, byte[] problem) throws IOException {
        Problem read;
        try {
            JsonNode document = json.readTree(problem);
            JsonNode errors = document.path("errors");
            String param = errors.isArray() && !errors.isEmpty() ? errors.get(0).path("field").asString(null) : null;
            String detail = document.path("detail").asString(null);
            if (errors.isArray() && errors.size() == 1 && param != null) {
                detail = param + " " + errors.get(0).path("message").asString("is not valid");
            }
            read = new Problem(document.path("code").asString("error"), detail, param);
        } catch (RuntimeException unreadable) {
            read = new Problem("error", "The request failed.", null);
        }
        byte[] bytes = json.writeValueAsBytes(shape(json, response.getStatus(), read));
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /** Holds the body of a problem document; lets everything else through. */
    private static final class ProblemCatcher extends HttpServletResponseWrapper {

        private ByteArrayOutputStream caught;

        ProblemCatcher(HttpServletResponse response) {
            super(response);
        }

        private static boolean isProblem(String type) {
            return type != null && type.toLowerCase(Locale.ROOT).startsWith(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        }

        @Override
        public void setContentType(String type) {
            if (isProblem(type)) {
                caught = new ByteArrayOutputStream(512);
                return;
            }
            super.setContentType(type);
        }

        @Override
        public void setHeader(String name, String value) {
            if (!swallowed(name, value)) {
                super.setHeader(name, value);
            }
        }

        @Override
        public void addHeader(String name, String value) {
            if (!swallowed(name, value)) {
                super.addHeader(name, value);
            }
        }

        private boolean swallowed(String name, String value) {
            if (HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(name)) {
                if (isProblem(value)) {
                    caught = new ByteArrayOutputStream(512);
                    return true;
                }
                return false;
            }
            return caught != null && HttpHeaders.CONTENT_LENGTH.equalsIgnoreCase(name);
        }

        /** Spring flushes after writing a body; committing now would fix the headers before the rewrite. */
        @Override
        public void flushBuffer() throws IOException {
            if (caught == null) {
                super.flushBuffer();
            }
        }

        @Override
        public void setContentLength(int length) {
            if (caught == null) {
                super.setContentLength(length);
            }
        }

        @Override
        public void setContentLengthLong(long length) {
            if (caught == null) {
                super.setContentLengthLong(length);
            }
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            if (caught == null) {
                return super.getOutputStream();
            }
            ByteArrayOutputStream buffer = caught;
            return new ServletOutputStream() {
                @Override
                public void write(int b) throws IOException {
                    if (buffer.size() >= MAX_PROBLEM_BYTES) {
                        throw new IOException("Problem document too large");
                    }
                    buffer.write(b);
                }

                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    if (buffer.size() + length > MAX_PROBLEM_BYTES) {
                        throw new IOException("Problem document too large");
                    }
                    buffer.write(bytes, offset, length);
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                    throw new UnsupportedOperationException("Problem documents are written blocking");
                }
            };
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            if (caught == null) {
                return super.getWriter();
            }
            return new PrintWriter(new OutputStreamWriter(getOutputStream(), StandardCharsets.UTF_8), true);
        }
    }
}
