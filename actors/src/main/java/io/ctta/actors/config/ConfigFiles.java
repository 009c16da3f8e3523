package io.ctta.actors.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a user's HOCON file: a missing file or a syntax error is one line naming the file and the line. */
public final class ConfigFiles {

    private ConfigFiles() {
    }

    /** @throws InvalidConfigException {@code FILE:LINE: syntax error: ...} or {@code FILE: no such file} */
    public static Config parse(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidConfigException(java.util.List.of(new io.ctta.runtime.config.ConfigProblem(file.toString(),
                    "no such file")));
        }
        try {
            // allowMissing(false): an include that names a missing file is an error too.
            return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            int line = e.origin() == null ? -1 : e.origin().lineNumber();
            throw InvalidConfigException.syntax(file.toString(), line, detail(e));
        }
    }

    /**
     * Merges reference.conf (and application.conf) under {@code user} and resolves substitutions;
     * an unresolved {@code ${...}} is one line too.
     */
    public static Config withDefaults(Config user) {
        try {
            return user.withFallback(ConfigFactory.load()).resolve();
        } catch (ConfigException e) {
            String where = e.origin() == null ? "config" : e.origin().description();
            throw new InvalidConfigException(java.util.List.of(new io.ctta.runtime.config.ConfigProblem(where, detail(e))));
        }
    }

    /** Typesafe's message without the origin it starts with (we print our own). */
    private static String detail(ConfigException e) {
        String m = e.getMessage();
        if (e.origin() != null) {
            String prefix = e.origin().description() + ": ";
            if (m.startsWith(prefix)) {
                return m.substring(prefix.length());
            }
        }
        return m;
    }
}
