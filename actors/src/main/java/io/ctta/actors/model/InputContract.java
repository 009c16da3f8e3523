package io.ctta.actors.model;

import io.ctta.runtime.model.ModelSpec;
import java.util.List;

/**
 * What a client must send a pipeline, as the model's spec and description say: published on
 * {@code /api/pipelines} so a producer can discover it (docs/record-format.md, "Discovering the
 * input contract").
 *
 * @param modelVersion the spec's version (weights and preprocessing)
 * @param shape the shape of one sample the model takes, channels first
 * @param acceptedShape the shape a record may have: {@code shape}, or with a resize {@code -1} for any size
 * @param resize how records of another size are brought to {@code shape}; null when they are not
 * @param dtypes the tensor element types a record may use
 * @param encodings the record value encodings (content types) the decoder reads
 * @param valueMin the smallest raw value the model was trained on
 * @param valueMax the largest: {@code 1 / preprocessing.scale} (255 for models that scale bytes by
 *     1/255), the ToTensor convention the model's preprocessing follows
 * @param scale the preprocessing's scale; {@code (x * scale - mean) / std} happens inside the model
 * @param mean the preprocessing's per-channel means
 * @param std the preprocessing's per-channel standard deviations
 * @param numClasses the number of classes a prediction's {@code predictedClass} indexes
 * @param classNames their names, when the model's description declares them; else empty
 */
public record InputContract(String modelVersion, int[] shape, int[] acceptedShape, String resize, List<String> dtypes,
        List<String> encodings, double valueMin, double valueMax, double scale, float[] mean, float[] std, int numClasses,
        List<String> classNames) {

    /** The dtypes every record codec reads (docs/record-format.md). */
    public static final List<String> DTYPES = List.of("uint8", "float32");
    /** The content types every record codec reads. */
    public static final List<String> ENCODINGS = List.of("application/x-ctta-record", "application/json");

    public static InputContract of(ModelSpec spec, List<String> classNames) {
        double max = 1.0 / Math.abs(spec.preprocessing().scale());
        // 1/(1f/255f) is 254.99999...: the range is meant as the integer it approximates.
        double rounded = Math.round(max);
        if (Math.abs(max - rounded) < 1e-4 * Math.max(1, rounded)) {
            max = rounded;
        }
        return new InputContract(spec.version(), spec.inputShape(), spec.acceptedShape(),
                spec.geometry().acceptsAnySize() ? spec.geometry().toString() : null, DTYPES, ENCODINGS, 0, max,
                // The float as it is written (1/255 = 0.003921569), not its widened binary value.
                Double.parseDouble(Float.toString(spec.preprocessing().scale())), spec.preprocessing().mean(), spec.preprocessing().std(), spec.numClasses(),
                List.copyOf(classNames));
    }
}
