package org.atrium.compat.openai;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
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
import java.util.Set;

/**
 * For the OpenAI-compatible paths: records when a request arrived (for {@code Server-Timing}), and answers every error
 * in OpenAI's shape ({@code {"error": {"message", "type", "param", "code"}}}) instead of problem details, whoever
 * wrote it (authentication, body limits, validation, the services), since OpenAI's clients read that shape. Only
 * problem documents are held and rewritten; every other response passes straight through. Runs right after the request
 * log, before the body limit and authentication, whose refusals it must see.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class OpenAiErrorFilter extends OncePerRequestFilter {

    /** Open WebUI's OpenAI-shaped paths; everything under {@code /v1/} is OpenAI's. */
    private static final Set<String> OPEN_WEBUI_PATHS = Set.of("/api/models", "/api/chat/completions",
            "/api/embeddings");
    /** Problems are a few hundred bytes; a larger one is passed on as it is. */
    private static final int MAX_PROBLEM_BYTES = 64 * 1024;

    private final JsonMapper json;

    OpenAiErrorFilter(JsonMapper json) {
        this.json = json;
    }

    /** @return whether the path is one of the OpenAI-compatible API's */
    static boolean isOpenAiPath(String path) {
        return path.startsWith("/v1/") || OPEN_WEBUI_PATHS.contains(path) || path.startsWith("/api/models/");
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !isOpenAiPath(request.getRequestURI());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        request.setAttribute(ServerTiming.ARRIVED, System.nanoTime());
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
        ObjectNode body = json.createObjectNode();
        try {
            JsonNode read = json.readTree(problem);
            JsonNode errors = read.path("errors");
            String param = errors.isArray() && !errors.isEmpty() ? errors.get(0).path("field").asString(null) : null;
            String detail = read.path("detail").asString(null);
            if (errors.isArray() && errors.size() == 1 && param != null) {
                detail = param + " " + errors.get(0).path("message").asString("is not valid");
            }
            OpenAiErrors.body(body, response.getStatus(), read.path("code").asString("error"), detail, param);
        } catch (RuntimeException unreadable) {
            OpenAiErrors.body(body, response.getStatus(), "error", "The request failed.", null);
        }
        byte[] bytes = json.writeValueAsBytes(body);
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
