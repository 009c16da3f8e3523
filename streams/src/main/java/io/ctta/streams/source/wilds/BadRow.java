package io.ctta.streams.source.wilds;

import io.ctta.streams.source.SkipLog;

/** A metadata row that cannot become a sample: the reason and what is wrong, for the skip log. */
final class BadRow extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient SkipLog.Reason reason;

    BadRow(SkipLog.Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    /** A row with a missing or malformed field. */
    static BadRow field(String column, String value, String expected) {
        return new BadRow(SkipLog.Reason.BAD_ROW, value.isEmpty() ? "'" + column + "' is empty; " + expected + " was expected"
                : "'" + column + "' is '" + value + "'; " + expected + " was expected");
    }

    SkipLog.Reason reason() {
        return reason;
    }
}
