package io.ctta.streams.data.rdata;

import java.io.IOException;

/** An R data file that is malformed or uses a feature the reader does not support; the message says which. */
public final class RDataException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, in terms of the file */
    public RDataException(String message) {
        super(message);
    }

    /** @param message what is wrong; @param cause the underlying failure */
    public RDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
