package io.ctta.runtime.drift;

import com.typesafe.config.Config;
import io.ctta.runtime.config.ConfigProblem;
import io.ctta.runtime.config.ConfigProblems;
import io.ctta.runtime.config.ConfigReader;
import io.ctta.runtime.config.SettingValues;
import io.ctta.runtime.config.SettingsSchema;

/**
 * Reads one detector's settings block through its declarations ({@link ConfigReader}: unknown keys
 * with a suggestion, types, ranges) and words the rules that span settings the same way:
 * {@code invalid setting 'drift.adwin.delta' = 2: expected a number in (0, 1)}.
 */
final class SettingsReader {

    private SettingsReader() {
    }

    /** @throws IllegalArgumentException listing every problem, one per line */
    static SettingValues read(Config c, SettingsSchema schema, String prefix) {
        ConfigProblems problems = new ConfigProblems();
        SettingValues v = ConfigReader.read(c, schema, prefix, problems);
        ConfigProblems.throwIfAny(problems);
        return v;
    }

    /** Throws unless {@code ok}: "invalid setting 'PREFIX.KEY' = VALUE: expected RULE". */
    static void require(boolean ok, String prefix, String key, String rule, Object value) {
        if (!ok) {
            String shown = value instanceof Double d ? format(d) : ConfigProblem.render(value);
            throw new IllegalArgumentException(new ConfigProblem(prefix + "." + key, "= " + shown + ": expected " + rule).toString());
        }
    }

    /** As {@link #require} for record constructors, which have no reader. */
    static void requireStatic(boolean ok, String prefix, String key, String rule, Object value) {
        require(ok, prefix, key, rule, value);
    }

    /** Integral doubles print without ".0" (2, not 2.0), others as Java prints them. */
    static String format(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }
}
