package io.ctta.streams.image;

import java.io.IOException;

/** A file exists but is not an image this decoder can read (not PNG/JPEG, corrupt, too large). */
public class ImageDecodeException extends IOException {
    private static final long serialVersionUID = 1L;

    /** A message naming the file and what is wrong with it. */
    public ImageDecodeException(String message) {
        super(message);
    }

    /** A message naming the file and what is wrong with it, and the decoder's own failure. */
    public ImageDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
