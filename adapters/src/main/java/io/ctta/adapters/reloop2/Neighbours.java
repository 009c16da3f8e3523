package io.ctta.adapters.reloop2;

/**
 * What an {@link ErrorMemory} read returns for one query (the retrieval step of the paper's error estimation): up to K
 * tuples {@code (s_i, y_i, y_base,i)}, each value a vector of {@code valueDim} floats.
 *
 * @param count the number of tuples (0: nothing similar is stored, no compensation)
 * @param similarity {@code s_i}, the first {@code count} entries are valid
 * @param labels {@code y_i}, row-major {@code count x valueDim}
 * @param basePredictions {@code y_base,i}, row-major {@code count x valueDim}
 * @param valueDim floats per value
 */
public record Neighbours(int count, float[] similarity, float[] labels, float[] basePredictions, int valueDim) {

    /** No neighbours. */
    public static Neighbours none(int valueDim) {
        return new Neighbours(0, new float[0], new float[0], new float[0], valueDim);
    }
}
