package io.ctta.runtime.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Arrays;

/**
 * The built-in tabular model ({@link ModelSpec.Kind#TABULAR_MLP}) for recommendation-style
 * records: hashed categorical fields (user, item, genre...) looked up in one embedding table,
 * concatenated with numeric fields, then a ReLU MLP and a linear head over the classes. It is the
 * "embedding + MLP" shape of the CTR base models ReLoop2 wraps (DeepFM/DCN without the crossing
 * part); a click model is a two-class model whose class 1 is "clicked".
 *
 * <p>Input layout of one sample (a flat float vector of {@code categoricalFields + numericFields}):
 * first the bucket index of each categorical field, an integer in {@code [0, buckets)} stored as
 * a float (exact up to 2^24; out-of-range values are clipped), then the numeric fields as they
 * are. Hashing ids into buckets is the feature encoder's job, not the model's. The model applies
 * no preprocessing (its spec requires {@link Preprocessing#IDENTITY}).
 *
 * <p>The last hidden layer (after its ReLU) is what
 * {@link AdaptiveModel#forwardWithFeatures} returns as features. No normalisation layer and no
 * dropout: every {@link ForwardMode} computes the same function, and batches of one are fine.
 */
public final class TabularMlp {

    private TabularMlp() {}

    /**
     * The architecture.
     *
     * @param categoricalFields hashed categorical fields per sample (>= 0)
     * @param buckets hash buckets per categorical field (>= 1 when there are categorical fields)
     * @param embeddingDim embedding width of each categorical field (>= 1)
     * @param numericFields numeric fields per sample (>= 0); at least one field of either kind
     * @param hidden widths of the ReLU hidden layers, at least one, each >= 1
     */
    public record Architecture(int categoricalFields, int buckets, int embeddingDim, int numericFields, int[] hidden) {
        public Architecture {
            if (categoricalFields < 0 || numericFields < 0 || categoricalFields + numericFields == 0) {
                throw new IllegalArgumentException("a tabular model needs at least one field; got categoricalFields="
                        + categoricalFields + " numericFields=" + numericFields);
            }
            if (categoricalFields > 0 && (buckets < 1 || embeddingDim < 1)) {
                throw new IllegalArgumentException("buckets and embeddingDim must be >= 1, got buckets=" + buckets
                        + " embeddingDim=" + embeddingDim);
            }
            if ((long) categoricalFields * buckets > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("categoricalFields x buckets is too large: " + categoricalFields
                        + " x " + buckets);
            }
            if (hidden == null || hidden.length == 0 || Arrays.stream(hidden).anyMatch(h -> h < 1)) {
                throw new IllegalArgumentException("hidden must list at least one layer width >= 1, got "
                        + Arrays.toString(hidden));
            }
            hidden = hidden.clone();
        }

        /** Floats per sample: {@code categoricalFields + numericFields}. */
        public int inputLength() {
            return categoricalFields + numericFields;
        }

        /** The width of the last hidden layer (the feature size of {@code forwardWithFeatures}). */
        public int featureSize() {
            return hidden[hidden.length - 1];
        }

        @Override
        public int[] hidden() {
            return hidden.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Architecture a && a.categoricalFields == categoricalFields && a.buckets == buckets
                    && a.embeddingDim == embeddingDim && a.numericFields == numericFields
                    && Arrays.equals(a.hidden, hidden);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(new int[] {categoricalFields, buckets, embeddingDim, numericFields})
                    * 31 + Arrays.hashCode(hidden);
        }

        /** A compact description, used in the model version: {@code c2x4096e16+n1/h64-32}. */
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            b.append('c').append(categoricalFields).append('x').append(buckets).append('e').append(embeddingDim)
                    .append("+n").append(numericFields).append("/h");
            for (int i = 0; i < hidden.length; i++) {
                b.append(i == 0 ? "" : "-").append(hidden[i]);
            }
            return b.toString();
        }
    }

    /** The block: embedding/concat input layer, hidden Linear+ReLU layers, linear head. */
    static SequentialBlock create(Architecture a, int numClasses) {
        SequentialBlock b = new SequentialBlock().add(new InputLayer(a));
        for (int h : a.hidden) {
            b.add(Linear.builder().setUnits(h).build()).add(Activation::relu);
        }
        return b.add(Linear.builder().setUnits(numClasses).build());
    }

    /**
     * Gathers the embeddings of the categorical fields from one table of
     * {@code categoricalFields * buckets} rows (field {@code f} owns rows
     * {@code [f*buckets, (f+1)*buckets)}) and appends the numeric fields.
     */
    static final class InputLayer extends AbstractBlock {
        private final Architecture a;
        private final Parameter table;

        InputLayer(Architecture a) {
            super((byte) 1);
            this.a = a;
            this.table = a.categoricalFields == 0 ? null
                    : addParameter(Parameter.builder().setName("embedding").setType(Parameter.Type.WEIGHT)
                            .optShape(new Shape((long) a.categoricalFields * a.buckets, a.embeddingDim)).build());
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            long width = (long) a.categoricalFields * a.embeddingDim + a.numericFields;
            return new Shape[] {new Shape(inputShapes[0].get(0), width)};
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            long batch = x.getShape().get(0);
            if (x.getShape().dimension() != 2 || x.getShape().get(1) != a.inputLength()) {
                throw new IllegalArgumentException("tabular model " + a + " expects (B, " + a.inputLength()
                        + ") inputs, got " + x.getShape());
            }
            NDArray numeric = a.numericFields == 0 ? null
                    : x.get(new NDIndex(":, {}:", a.categoricalFields));
            if (table == null) {
                return new NDList(numeric);
            }
            NDArray ids = x.get(new NDIndex(":, :{}", a.categoricalFields)).clip(0, a.buckets - 1)
                    .toType(DataType.INT64, false);
            long[] offsets = new long[a.categoricalFields];
            for (int f = 0; f < offsets.length; f++) {
                offsets[f] = (long) f * a.buckets;
            }
            NDArray rows = ids.add(x.getManager().create(offsets)).reshape(-1);
            // A view of the table whose results attach to the step's manager, not the model's
            // (an operation's result joins its first operand's manager); autograd is kept.
            NDArray w = store.getValue(table, x.getDevice(), training);
            NDArray local = w.reshape(w.getShape());
            local.attach(x.getManager());
            NDArray emb = local.get(rows).reshape(batch, (long) a.categoricalFields * a.embeddingDim);
            return new NDList(numeric == null ? emb : emb.concat(numeric, 1));
        }
    }
}
