package io.ctta.streams.serde;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.regex.Pattern;

/**
 * Turns a JSON parse failure into a reason a client writer can act on: where (line, column) and
 * what, without Jackson's internals (its exception class, the {@code [Source: ...]} dump of the
 * input, character codes). Reasons end up in dead-letter headers, read by people and scripts.
 */
final class JsonProblems {

    private static final int MAX_DETAIL = 120;
    private static final Pattern CHARACTER_CODE = Pattern.compile(" \\(code -?\\d+\\)");

    private JsonProblems() {}

    /** {@code malformed JSON at line 1 column 17: Unexpected end-of-input within/between Object entries}. */
    static String malformed(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null || at.getLineNr() < 1 ? "" : " at line " + at.getLineNr() + " column " + at.getColumnNr();
        String detail = detail(e.getOriginalMessage());
        return "malformed JSON" + where + (detail.isEmpty() ? "" : ": " + detail);
    }

    private static String detail(String message) {
        if (message == null) {
            return "";
        }
        if (message.startsWith("Trailing token")) {
            return "more than one JSON value";
        }
        String d = message;
        for (String cut : new String[] {"\n", " at [Source", " (start marker", " (bound as", " (through reference"}) {
            int i = d.indexOf(cut);
            if (i >= 0) {
                d = d.substring(0, i);
            }
        }
        d = CHARACTER_CODE.matcher(d).replaceAll("").strip();
        return d.length() > MAX_DETAIL ? d.substring(0, MAX_DETAIL) + "..." : d;
    }
}
