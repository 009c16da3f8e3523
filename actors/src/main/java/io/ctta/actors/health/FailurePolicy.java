package io.ctta.actors.health;

import java.util.Locale;

/**
 * What the process does when a pipeline stops for good ({@code ctta.on-pipeline-failure}).
 * Exiting is the default: a process whose pipeline is dead while it looks alive is the failure
 * this setting exists to prevent; a supervisor (systemd, Kubernetes) restarts it and says so.
 */
public enum FailurePolicy {
    /** {@code ctta run} stops the other pipelines and exits non-zero; {@code /health/live} turns 503. */
    EXIT,
    /** The other pipelines keep serving; {@code /health/ready} stays 503 and names the failed one. */
    KEEP_RUNNING;

    /** The config spelling: {@code exit} or {@code keep-running}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses the config spelling. */
    public static FailurePolicy fromConfigName(String s) {
        for (FailurePolicy p : values()) {
            if (p.configName().equals(s)) {
                return p;
            }
        }
        throw new IllegalArgumentException(s);
    }
}
