package io.ctta.streams.data;

import java.io.IOException;

/** An IDX file (or a stream directory) is readable but its content is malformed. */
public final class IdxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a full-sentence message naming the file and the problem. */
    public IdxFormatException(String message) {
        super(message);
    }
}
