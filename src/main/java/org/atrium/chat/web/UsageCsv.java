package org.atrium.chat.web;

import org.atrium.chat.UsageRow;

import java.util.List;

/**
 * Usage rows as CSV (RFC 4180, CRLF line ends). Text that a spreadsheet would run as a formula (starting with
 * {@code = + - @}, a tab or a carriage return: a group's name, an e-mail address) is prefixed with {@code '}.
 */
final class UsageCsv {

    static final String HEADER = "period,key,label,requests,input_tokens,output_tokens,total_tokens,"
            + "estimated_requests,failed_requests,stopped_requests";
    static final String EXAMPLE = HEADER + "\r\n2026-12-01T00:00:00Z,gpt-4o,,42,12000,3400,15400,1,2,0\r\n";

    private UsageCsv() {
    }

    static String write(List<UsageRow> rows) {
        StringBuilder csv = new StringBuilder(HEADER).append("\r\n");
        for (UsageRow row : rows) {
            csv.append(row.period()).append(',').append(text(row.key())).append(',').append(text(row.label()))
                    .append(',').append(row.requests()).append(',').append(row.inputTokens()).append(',')
                    .append(row.outputTokens()).append(',').append(row.totalTokens()).append(',')
                    .append(row.estimatedRequests()).append(',').append(row.failedRequests()).append(',')
                    .append(row.stoppedRequests()).append("\r\n");
        }
        return csv.toString();
    }

    private static String text(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        String safe = "=+-@\t\r".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
        if (safe.indexOf(',') >= 0 || safe.indexOf('"') >= 0 || safe.indexOf('\n') >= 0 || safe.indexOf('\r') >= 0) {
            return '"' + safe.replace("\"", "\"\"") + '"';
        }
        return safe;
    }
}
