package io.ctta.streams.record;

/**
 * Element type of a {@link Tensor} as it travels on the wire.
 *
 * <p>In memory every tensor is {@code float[]}; the dtype only says how the values were (or will be)
 * encoded. The code byte is part of the binary record format: never renumber a constant, only add.
 */
public enum DType {
    /** IEEE 754 single precision, little-endian, 4 bytes per element. */
    FLOAT32((byte) 1, 4),
    /** Unsigned byte 0..255 (raw pixels), 1 byte per element; decoded to the float of the same value. */
    UINT8((byte) 2, 1);

    private final byte code;
    private final int elementSize;

    DType(byte code, int elementSize) {
        this.code = code;
        this.elementSize = elementSize;
    }

    /** The byte that identifies this dtype in the binary record format. */
    public byte code() {
        return code;
    }

    /** Bytes per element on the wire. */
    public int elementSize() {
        return elementSize;
    }

    /**
     * Looks a dtype up by its wire code.
     *
     * @return the dtype, or {@code null} when the code is unknown (decoders turn that into a rejection)
     */
    public static DType fromCode(byte code) {
        for (DType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
