package io.ctta.streams.image;

/**
 * An image refused from its header, before it was decoded, because its size is above what its use
 * allows ({@link ImageDecoder.SizeLimit}); the message names the file, its size and the fix.
 */
public final class ImageTooLargeException extends ImageDecodeException {
    private static final long serialVersionUID = 1L;

    /** A message naming the file, its size and why it is refused. */
    public ImageTooLargeException(String message) {
        super(message);
    }
}
