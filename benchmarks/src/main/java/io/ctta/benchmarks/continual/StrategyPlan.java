package io.ctta.benchmarks.continual;

import com.typesafe.config.Config;
import java.util.Objects;

/**
 * One learner of a run: the label it is reported under, the registered strategy that implements
 * it and that strategy's settings (its {@code strategies.<name>} block). Two plans may share a
 * strategy with different settings ({@code upgd} and {@code upgd-nonprotecting}).
 *
 * @param label the report's name, unique in a run
 * @param strategy a registered strategy name
 * @param settings the strategy's settings block
 */
public record StrategyPlan(String label, String strategy, Config settings) {
    public StrategyPlan {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(settings, "settings");
    }
}
