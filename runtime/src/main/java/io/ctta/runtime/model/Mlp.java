package io.ctta.runtime.model;

import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import java.util.Arrays;

/**
 * The built-in fully connected network ({@link ModelSpec.Kind#MLP}, model kind
 * {@code mlp:<in>-<h1>-...-<out>}): Linear layers with ReLU between them and none after the last,
 * the network of the UPGD paper's MNIST/EMNIST streams ({@code mlp:784-300-150-10}; Elsayed and
 * Mahmood, ICLR 2024). A sample of any shape is flattened to {@code in} values. Parameters start
 * from PyTorch's default {@code nn.Linear} initialisation ({@link TorchLinearInit}), seeded.
 *
 * <p>The last hidden layer (after its ReLU) is what {@link AdaptiveModel#forwardWithFeatures}
 * returns as features. No normalisation, no dropout: every {@link ForwardMode} computes the same
 * function, and batches of one are fine.
 */
public final class Mlp {

    /** The prefix of the model kind: {@code mlp:784-300-150-10}. */
    public static final String KIND_PREFIX = "mlp:";

    private Mlp() {}

    /**
     * The layer widths, input first and classes last.
     *
     * @param widths at least {@code in, out}, each >= 1; {@code out} >= 2
     */
    public record Architecture(int[] widths) {
        public Architecture {
            if (widths == null || widths.length < 2 || Arrays.stream(widths).anyMatch(w -> w < 1)) {
                throw new IllegalArgumentException("an MLP needs at least an input and an output width, each >= 1, got "
                        + Arrays.toString(widths));
            }
            if (widths[widths.length - 1] < 2) {
                throw new IllegalArgumentException("an MLP needs at least 2 output classes, got "
                        + widths[widths.length - 1]);
            }
            widths = widths.clone();
        }

        /**
         * Parses {@code mlp:<in>-<h1>-...-<out>}, e.g. {@code mlp:784-300-150-10}.
         *
         * @throws IllegalArgumentException naming the expected form
         */
        public static Architecture parse(String kind) {
            String form = "expected mlp:<inputs>-<hidden>-...-<classes>, e.g. mlp:784-300-150-10";
            if (kind == null || !kind.startsWith(KIND_PREFIX)) {
                throw new IllegalArgumentException("'" + kind + "' is not an MLP model kind; " + form);
            }
            String[] parts = kind.substring(KIND_PREFIX.length()).split("-", -1);
            int[] w = new int[parts.length];
            try {
                for (int i = 0; i < parts.length; i++) {
                    w[i] = Integer.parseInt(parts[i].trim());
                }
                return new Architecture(w);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad MLP model kind '" + kind + "': " + form, e);
            }
        }

        /** Whether {@code kind} names an MLP (it may still be malformed). */
        public static boolean isMlpKind(String kind) {
            return kind != null && kind.startsWith(KIND_PREFIX);
        }

        /** Inputs per sample. */
        public int inputs() {
            return widths[0];
        }

        /** Output classes. */
        public int classes() {
            return widths[widths.length - 1];
        }

        @Override
        public int[] widths() {
            return widths.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Architecture a && Arrays.equals(a.widths, widths);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(widths);
        }

        /** The model kind: {@code mlp:784-300-150-10}. */
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(KIND_PREFIX);
            for (int i = 0; i < widths.length; i++) {
                b.append(i == 0 ? "" : "-").append(widths[i]);
            }
            return b.toString();
        }
    }

    /** The block: Linear + ReLU per hidden layer, then the Linear head. */
    static SequentialBlock create(Architecture a) {
        SequentialBlock b = new SequentialBlock();
        int[] w = a.widths;
        for (int i = 1; i < w.length - 1; i++) {
            b.add(Linear.builder().setUnits(w[i]).build()).add(Activation::relu);
        }
        return b.add(Linear.builder().setUnits(a.classes()).build());
    }
}
