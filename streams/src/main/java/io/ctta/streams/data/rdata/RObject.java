package io.ctta.streams.data.rdata;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A value read from R's serialization format: the subset needed for data frames (vectors, lists,
 * pairlists, symbols, attributes), plus opaque markers for what the reader recognises but does
 * not model (environments, closures, language objects).
 *
 * <p>Integer and logical {@code NA} is {@link #NA_INTEGER}; a double {@code NA} is a NaN (see
 * {@link RDoubles#isNa(int)}); a character {@code NA} is {@code null}.
 */
public sealed interface RObject {

    /** R's {@code NA_integer_} and {@code NA} logical. */
    int NA_INTEGER = Integer.MIN_VALUE;

    /** The attributes ({@code names}, {@code class}, {@code levels}, {@code row.names}...), in order. */
    Map<String, RObject> attributes();

    /** The attribute {@code name}, or null. */
    default RObject attribute(String name) {
        return attributes().get(name);
    }

    /** The string values of attribute {@code name} (e.g. {@code class}), or an empty list. */
    default List<String> stringAttribute(String name) {
        return attribute(name) instanceof RStrings s ? s.asList() : List.of();
    }

    /** Whether attribute {@code class} contains {@code cls}. */
    default boolean inherits(String cls) {
        return stringAttribute("class").contains(cls);
    }

    /** R's {@code NULL}. */
    record RNull() implements RObject {
        /** The one instance. */
        public static final RNull INSTANCE = new RNull();

        @Override
        public Map<String, RObject> attributes() {
            return Map.of();
        }
    }

    /** An integer vector ({@code INTSXP}); factors are integer vectors with {@code levels}. */
    record RInts(int[] values, Map<String, RObject> attributes) implements RObject {
        public RInts {
            Objects.requireNonNull(values, "values");
            attributes = freeze(attributes);
        }
    }

    /** A logical vector ({@code LGLSXP}): 0, 1 or {@link #NA_INTEGER}. */
    record RLogicals(int[] values, Map<String, RObject> attributes) implements RObject {
        public RLogicals {
            Objects.requireNonNull(values, "values");
            attributes = freeze(attributes);
        }
    }

    /** A double vector ({@code REALSXP}). */
    record RDoubles(double[] values, Map<String, RObject> attributes) implements RObject {
        /** The bit pattern R uses for {@code NA_real_} (a NaN with payload 1954). */
        public static final long NA_BITS = 0x7FF0_0000_0000_07A2L;

        public RDoubles {
            Objects.requireNonNull(values, "values");
            attributes = freeze(attributes);
        }

        /** Whether element {@code i} is {@code NA} (as opposed to any other NaN). */
        public boolean isNa(int i) {
            return Double.isNaN(values[i]) && (Double.doubleToRawLongBits(values[i]) & 0xFFFF_FFFFL) == 1954;
        }
    }

    /** A character vector ({@code STRSXP}); {@code NA} elements are null. */
    record RStrings(String[] values, Map<String, RObject> attributes) implements RObject {
        public RStrings {
            Objects.requireNonNull(values, "values");
            attributes = freeze(attributes);
        }

        /** The values as an unmodifiable list (NA elements are null). */
        public List<String> asList() {
            return Collections.unmodifiableList(java.util.Arrays.asList(values));
        }
    }

    /** A raw vector ({@code RAWSXP}). */
    record RRaw(byte[] values, Map<String, RObject> attributes) implements RObject {
        public RRaw {
            Objects.requireNonNull(values, "values");
            attributes = freeze(attributes);
        }
    }

    /** A complex vector ({@code CPLXSXP}): re, im interleaved. */
    record RComplex(double[] values, Map<String, RObject> attributes) implements RObject {
        public RComplex {
            Objects.requireNonNull(values, "values");
            attributes = freeze(attributes);
        }
    }

    /** A generic vector ({@code VECSXP}/{@code EXPRSXP}); a data frame is a list of columns. */
    record RList(List<RObject> values, Map<String, RObject> attributes) implements RObject {
        public RList {
            values = List.copyOf(values);
            attributes = freeze(attributes);
        }
    }

    /**
     * A pairlist ({@code LISTSXP}) or another cons-cell object read as one (a language object,
     * closure or promise: {@code kind} says which).
     *
     * @param kind the SEXP type name ({@code LISTSXP}, {@code LANGSXP}, ...)
     * @param tags the tag of each cell (null when untagged)
     * @param values the value of each cell
     */
    record RPairList(String kind, List<String> tags, List<RObject> values, Map<String, RObject> attributes)
            implements RObject {
        public RPairList {
            tags = Collections.unmodifiableList(new java.util.ArrayList<>(tags));
            values = List.copyOf(values);
            attributes = freeze(attributes);
        }

        /** The cells with a tag, by tag, in order (later duplicates are dropped). */
        public Map<String, RObject> named() {
            Map<String, RObject> m = new LinkedHashMap<>();
            for (int i = 0; i < values.size(); i++) {
                if (tags.get(i) != null) {
                    m.putIfAbsent(tags.get(i), values.get(i));
                }
            }
            return Collections.unmodifiableMap(m);
        }
    }

    /** A symbol ({@code SYMSXP}). */
    record RSymbol(String name) implements RObject {
        @Override
        public Map<String, RObject> attributes() {
            return Map.of();
        }
    }

    /**
     * Something the reader skipped over without modelling it: an environment, a namespace, a
     * persistent reference, S4 object or byte code marker. {@code what} says which.
     */
    record ROpaque(String what, Map<String, RObject> attributes) implements RObject {
        public ROpaque {
            attributes = freeze(attributes);
        }
    }

    private static Map<String, RObject> freeze(Map<String, RObject> a) {
        return a == null || a.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(a));
    }
}
