package org.atrium.platform;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Hostile multipart uploads for {@link HostileInputSweepTest}: file names, part names and declared content types
 * no client should send, an empty file, and broken multipart framing. Bytes are written as they are, so names can
 * carry NUL, invalid UTF-8 (an encoded lone surrogate) and line breaks.
 */
final class HostileMultipart {

    /** One request: what it tries, its {@code Content-Type} header, extra headers and its body. */
    record Case(String what, String contentType, Map<String, String> headers, byte[] body) {
    }

    private static final String BOUNDARY = "sweep-boundary-7f3a";
    private static final byte[] CONTENT = "Hostile multipart sweep.".getBytes(StandardCharsets.UTF_8);
    /** UTF-8-style encoding of the lone surrogate U+D800, which is not valid UTF-8. */
    private static final byte[] LONE_SURROGATE = {(byte) 0xED, (byte) 0xA0, (byte) 0x80};

    private HostileMultipart() {
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        List<byte[]> fileNames = List.of(utf8("a\u0000b.txt"), concat(LONE_SURROGATE, utf8(".txt")),
                utf8("\u202Etxt.exe"), utf8("x".repeat(10_000)), utf8("../../etc/passwd"),
                utf8("..\\..\\windows\\win.ini"), utf8("/etc/passwd"), utf8(""), utf8("a\\\"b.txt"),
                new byte[]{(byte) 0xFF, (byte) 0xFE, 'a'}, utf8("a\r\nContent-Type: text/html"),
                utf8("\u0007\u001b[31m.txt"), utf8("Grüße \uD83D\uDE00.txt"));
        for (byte[] name : fileNames) {
            cases.add(single("file name " + shown(name), concat(utf8("form-data; name=\"file\"; filename=\""), name,
                    utf8("\"")), "text/plain", CONTENT));
        }
        for (String encoded : List.of("%00.txt", "%ED%A0%80.txt", "%E2%80%AE.txt", "..%2F..%2Fetc%2Fpasswd", "%")) {
            cases.add(single("RFC 5987 file name " + encoded,
                    utf8("form-data; name=\"file\"; filename*=UTF-8''" + encoded), "text/plain", CONTENT));
        }
        List<byte[]> partNames = List.of(utf8(""), utf8("FILE"), utf8("file\u0000"), LONE_SURROGATE,
                utf8("x".repeat(10_000)), utf8("\u202Efile"), utf8("file\"; filename=\"x.txt"));
        for (byte[] name : partNames) {
            cases.add(single("part name " + shown(name), concat(utf8("form-data; name=\""), name,
                    utf8("\"; filename=\"a.txt\"")), "text/plain", CONTENT));
        }
        cases.add(single("no part name", utf8("form-data; filename=\"a.txt\""), "text/plain", CONTENT));
        cases.add(single("no disposition type", utf8("name=\"file\"; filename=\"a.txt\""), "text/plain", CONTENT));
        for (String type : List.of("", "/", "application/x-msdownload", "text/html", "image/svg+xml",
                "multipart/mixed; boundary=inner", "text/plain; charset=no-such-charset", "x".repeat(10_000),
                "text/plain; charset=\u0000", "\u202Etext/plain")) {
            cases.add(single("declared type " + shown(utf8(type)),
                    utf8("form-data; name=\"file\"; filename=\"a.txt\""), type, CONTENT));
        }
        cases.add(single("empty file", utf8("form-data; name=\"file\"; filename=\"empty.txt\""), "text/plain",
                new byte[0]));
        byte[] twice = concat(part(utf8("form-data; name=\"file\"; filename=\"a.txt\""), "text/plain", CONTENT),
                part(utf8("form-data; name=\"file\"; filename=\"b.txt\""), "text/plain", CONTENT), close());
        cases.add(new Case("two file parts", "multipart/form-data; boundary=" + BOUNDARY, Map.of(), twice));
        byte[] valid = concat(part(utf8("form-data; name=\"file\"; filename=\"a.txt\""), "text/plain", CONTENT),
                close());
        cases.add(new Case("no boundary parameter", "multipart/form-data", Map.of(), valid));
        cases.add(new Case("other boundary", "multipart/form-data; boundary=other", Map.of(), valid));
        cases.add(new Case("boundary of 10,000 characters", "multipart/form-data; boundary=" + "b".repeat(10_000),
                Map.of(), valid));
        cases.add(new Case("empty boundary", "multipart/form-data; boundary=\"\"", Map.of(), valid));
        cases.add(new Case("no closing boundary", "multipart/form-data; boundary=" + BOUNDARY, Map.of(),
                part(utf8("form-data; name=\"file\"; filename=\"a.txt\""), "text/plain", CONTENT)));
        cases.add(new Case("empty body", "multipart/form-data; boundary=" + BOUNDARY, Map.of(), new byte[0]));
        cases.add(new Case("not multipart at all", "multipart/form-data; boundary=" + BOUNDARY, Map.of(),
                utf8("{\"file\": \"x\"}")));
        cases.add(new Case("multipart sent as JSON", "application/json", Map.of(), valid));
        for (String key : List.of("x".repeat(10_000), " ", "a b", "\u00e9")) {
            cases.add(new Case("Idempotency-Key " + shown(utf8(key)), "multipart/form-data; boundary=" + BOUNDARY,
                    Map.of("Idempotency-Key", key), valid));
        }
        return cases;
    }

    private static Case single(String what, byte[] disposition, String type, byte[] content) {
        return new Case(what, "multipart/form-data; boundary=" + BOUNDARY, Map.of(),
                concat(part(disposition, type, content), close()));
    }

    private static byte[] part(byte[] disposition, String type, byte[] content) {
        return concat(utf8("--" + BOUNDARY + "\r\nContent-Disposition: "), disposition,
                utf8("\r\nContent-Type: " + type + "\r\n\r\n"), content, utf8("\r\n"));
    }

    private static byte[] close() {
        return utf8("--" + BOUNDARY + "--\r\n");
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static String shown(byte[] value) {
        String text = new String(value, StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}", "?");
        return text.length() <= 40 ? "'" + text + "'" : "'" + text.substring(0, 40) + "...' (" + text.length() + ")";
    }
}
