package io.ctta.streams.data.rdata;

import io.ctta.streams.data.rdata.RObject.RDoubles;
import io.ctta.streams.data.rdata.RObject.RInts;
import io.ctta.streams.data.rdata.RObject.RList;
import io.ctta.streams.data.rdata.RObject.RLogicals;
import io.ctta.streams.data.rdata.RObject.RStrings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A column view of an R {@code data.frame}: integer, double, logical, character and factor
 * columns, by name. Arrays returned are copies.
 */
public final class RDataFrame {

    private final Map<String, RObject> columns;
    private final int rows;

    private RDataFrame(Map<String, RObject> columns, int rows) {
        this.columns = columns;
        this.rows = rows;
    }

    /**
     * Views {@code o} as a data frame.
     *
     * @throws RDataException when {@code o} is not a list of equally long named vectors of class
     *     {@code data.frame}
     */
    public static RDataFrame of(RObject o) throws RDataException {
        if (!(o instanceof RList l) || !o.inherits("data.frame")) {
            throw new RDataException("not a data.frame but " + o.getClass().getSimpleName() + " of class "
                    + o.stringAttribute("class"));
        }
        List<String> names = l.stringAttribute("names");
        if (names.size() != l.values().size()) {
            throw new RDataException("data.frame has " + l.values().size() + " columns but " + names.size() + " names");
        }
        Map<String, RObject> cols = new LinkedHashMap<>();
        int rows = -1;
        for (int i = 0; i < names.size(); i++) {
            RObject c = l.values().get(i);
            int n = length(c);
            if (n < 0) {
                throw new RDataException("column '" + names.get(i) + "' is not an atomic vector: "
                        + c.getClass().getSimpleName());
            }
            if (rows >= 0 && n != rows) {
                throw new RDataException("column '" + names.get(i) + "' has " + n + " rows, earlier columns " + rows);
            }
            rows = n;
            cols.put(names.get(i), c);
        }
        return new RDataFrame(cols, Math.max(rows, 0));
    }

    private static int length(RObject c) {
        if (c instanceof RInts x) {
            return x.values().length;
        } else if (c instanceof RDoubles x) {
            return x.values().length;
        } else if (c instanceof RStrings x) {
            return x.values().length;
        } else if (c instanceof RLogicals x) {
            return x.values().length;
        }
        return -1;
    }

    /** Number of rows. */
    public int rows() {
        return rows;
    }

    /** Column names in order. */
    public List<String> columnNames() {
        return new ArrayList<>(columns.keySet());
    }

    /** Whether column {@code name} is a factor. */
    public boolean isFactor(String name) throws RDataException {
        return column(name).inherits("factor");
    }

    /**
     * An integer or logical column ({@link RObject#NA_INTEGER} for NA), or a double column whose
     * values are all integral or NA; a factor gives its level codes (1-based, as in R).
     */
    public int[] ints(String name) throws RDataException {
        RObject c = column(name);
        if (c instanceof RInts x) {
            return x.values().clone();
        } else if (c instanceof RLogicals x) {
            return x.values().clone();
        } else if (c instanceof RDoubles x) {
            int[] out = new int[x.values().length];
            for (int i = 0; i < out.length; i++) {
                double v = x.values()[i];
                if (Double.isNaN(v)) {
                    out[i] = RObject.NA_INTEGER;
                } else if (v != Math.rint(v) || v > Integer.MAX_VALUE || v <= Integer.MIN_VALUE) {
                    throw new RDataException("column '" + name + "' row " + (i + 1) + " is " + v + ", not an integer");
                } else {
                    out[i] = (int) v;
                }
            }
            return out;
        }
        throw new RDataException("column '" + name + "' is " + c.getClass().getSimpleName() + ", not integer");
    }

    /** A numeric column as doubles (integer NA becomes NaN). */
    public double[] doubles(String name) throws RDataException {
        RObject c = column(name);
        if (c instanceof RDoubles x) {
            return x.values().clone();
        }
        if ((c instanceof RInts || c instanceof RLogicals) && !c.inherits("factor")) {
            int[] v = c instanceof RInts i ? i.values() : ((RLogicals) c).values();
            double[] out = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = v[i] == RObject.NA_INTEGER ? Double.NaN : v[i];
            }
            return out;
        }
        throw new RDataException("column '" + name + "' is " + c.getClass().getSimpleName() + ", not numeric");
    }

    /** A character column, or a factor's labels; NA is null. */
    public String[] strings(String name) throws RDataException {
        RObject c = column(name);
        if (c instanceof RStrings x) {
            return x.values().clone();
        }
        if (c instanceof RInts x && c.inherits("factor")) {
            List<String> levels = c.stringAttribute("levels");
            String[] out = new String[x.values().length];
            for (int i = 0; i < out.length; i++) {
                int code = x.values()[i];
                if (code == RObject.NA_INTEGER) {
                    continue;
                }
                if (code < 1 || code > levels.size()) {
                    throw new RDataException("column '" + name + "' row " + (i + 1) + " has factor code " + code
                            + " outside its " + levels.size() + " levels");
                }
                out[i] = levels.get(code - 1);
            }
            return out;
        }
        throw new RDataException("column '" + name + "' is " + c.getClass().getSimpleName()
                + ", not character or factor");
    }

    private RObject column(String name) throws RDataException {
        RObject c = columns.get(name);
        if (c == null) {
            throw new RDataException("data.frame has no column '" + name + "'; columns: " + columns.keySet());
        }
        return c;
    }
}
