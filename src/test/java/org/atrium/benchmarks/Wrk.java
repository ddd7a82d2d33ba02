package org.atrium.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code wrk} (Debian's package) against one URL with a POST body and headers, and reads its summary: the
 * latency percentiles of whole responses, the request rate, and every error it counts (non-2xx answers, socket
 * errors, timeouts).
 */
final class Wrk {

    private static final Pattern PERCENTILE = Pattern.compile("^\\s*(50|99)%\\s+([\\d.]+)(us|ms|s|m)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    /**
     * One run's summary.
     *
     * @param p50Ms    median latency of a whole response
     * @param p99Ms    99th percentile
     * @param rate     requests per second
     * @param requests requests completed
     * @param errors   non-2xx answers plus socket errors and timeouts
     */
    record Result(double p50Ms, double p99Ms, double rate, long requests, long errors) {
    }

    private Wrk() {
    }

    /** @return whether wrk is installed */
    static boolean installed() {
        try {
            return new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start().waitFor() >= 0;
        } catch (IOException | InterruptedException missing) {
            return false;
        }
    }

    /**
     * Runs wrk with one thread (the machine has two cores, shared with the targets) and {@code connections}
     * keep-alive connections, for {@code duration}.
     */
    static Result run(String url, String body, Map<String, String> headers, int connections, Duration duration)
            throws IOException, InterruptedException {
        return run("POST", url, body, headers, connections, duration);
    }

    /** As {@link #run(String, String, Map, int, Duration)}, with a GET and no body. */
    static Result get(String url, Map<String, String> headers, int connections, Duration duration)
            throws IOException, InterruptedException {
        return run("GET", url, null, headers, connections, duration);
    }

    private static Result run(String method, String url, String body, Map<String, String> headers, int connections,
            Duration duration) throws IOException, InterruptedException {
        Path script = Files.createTempFile("wrk-", ".lua");
        StringBuilder lua = new StringBuilder("wrk.method = " + quote(method) + "\n");
        if (body != null) {
            lua.append("wrk.body = ").append(quote(body)).append('\n');
        }
        headers.forEach((name, value) -> lua.append("wrk.headers[").append(quote(name)).append("] = ")
                .append(quote(value)).append('\n'));
        Files.writeString(script, lua);
        try {
            Process wrk = new ProcessBuilder(List.of("wrk", "-t1", "-c" + connections,
                    "-d" + duration.toSeconds() + "s", "--timeout", "10s", "--latency", "-s", script.toString(), url))
                    .redirectErrorStream(true).start();
            String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (wrk.waitFor() != 0) {
                throw new IllegalStateException("wrk failed:\n" + output);
            }
            return parse(output);
        } finally {
            Files.deleteIfExists(script);
        }
    }

    static Result parse(String output) {
        double p50 = -1;
        double p99 = -1;
        Matcher percentile = PERCENTILE.matcher(output);
        while (percentile.find()) {
            double ms = millis(Double.parseDouble(percentile.group(2)), percentile.group(3));
            if (percentile.group(1).equals("50")) {
                p50 = ms;
            } else {
                p99 = ms;
            }
        }
        Matcher rate = RATE.matcher(output);
        Matcher total = TOTAL.matcher(output);
        if (p50 < 0 || p99 < 0 || !rate.find() || !total.find()) {
            throw new IllegalStateException("unexpected wrk output:\n" + output);
        }
        long errors = 0;
        Matcher non2xx = NON_2XX.matcher(output);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
        }
        Matcher socket = SOCKET.matcher(output);
        if (socket.find()) {
            for (int group = 1; group <= 4; group++) {
                errors += Long.parseLong(socket.group(group));
            }
        }
        return new Result(p50, p99, Double.parseDouble(rate.group(1)), Long.parseLong(total.group(1)), errors);
    }

    private static double millis(double value, String unit) {
        return switch (unit) {
            case "us" -> value / 1000;
            case "ms" -> value;
            case "s" -> value * 1000;
            default -> value * 60_000;
        };
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
