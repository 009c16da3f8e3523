package io.ctta.runtime.adapt;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import io.ctta.runtime.config.ConfigProblem;
import io.ctta.runtime.config.ConfigProblems;
import io.ctta.runtime.config.ConfigReader;
import io.ctta.runtime.config.SettingsSchema;

/**
 * Checks one strategy's settings the way its model actor will read them, at startup: the block
 * against the provider's declarations (unknown keys with a suggestion, types, ranges), then, when
 * that passed, the provider's own reader for the rules that span several settings.
 */
public final class StrategySettingsCheck {

    private StrategySettingsCheck() {
    }

    /**
     * @param own the block as written at {@code prefix} (checked for unknown keys and types)
     * @param effective what the strategy will be created with ({@code own} over its fallbacks)
     * @param prefix the full path of {@code own}, e.g. {@code ctta.pipelines[0].strategy-settings}
     */
    public static void check(StrategyProvider provider, Config own, Config effective, String prefix, ConfigProblems problems) {
        check(provider, own, effective, prefix, problems, true);
    }

    /**
     * As {@link #check(StrategyProvider, Config, Config, String, ConfigProblems)}; with
     * {@code readEffective} false only {@code own} is checked (its fallback already reported a
     * problem, which the effective settings would only repeat).
     */
    public static void check(StrategyProvider provider, Config own, Config effective, String prefix, ConfigProblems problems,
            boolean readEffective) {
        SettingsSchema schema = provider.settingsSchema();
        int before = problems.size();
        if (schema != null) {
            ConfigReader.read(own, schema, prefix, problems);
        }
        if (problems.size() > before || !readEffective) {
            return;
        }
        try {
            provider.validateSettings(effective);
        } catch (IllegalArgumentException e) {
            problems.add(atPrefix(e.getMessage(), "strategies." + ConfigUtil.joinPath(provider.name()), prefix));
        }
    }

    private static final String LEAD = "invalid setting '";

    /**
     * A strategy's reader names its keys {@code strategies.<name>.<key>}, wherever they were
     * written; the problem is reported at the key the user wrote ({@code prefix.<key>}).
     */
    static ConfigProblem atPrefix(String message, String readerPrefix, String prefix) {
        int end = message.indexOf('\'', LEAD.length());
        if (!message.startsWith(LEAD + readerPrefix) || end < 0) {
            return new ConfigProblem(prefix, message);
        }
        String key = prefix + message.substring(LEAD.length() + readerPrefix.length(), end);
        String rest = message.substring(end + 1).strip();
        return new ConfigProblem(key, rest.startsWith("=") ? rest : rest.replaceFirst("^:\\s*", ""));
    }
}
