package io.ctta.benchmarks.continual;

import java.util.List;

/**
 * What every learner did on one stream.
 *
 * @param stream the stream
 * @param plans the learners' plans (settings as run), in run order
 * @param runs the learners' results, in the same order
 */
public record StreamResult(StreamKind stream, List<StrategyPlan> plans, List<StrategyRun> runs) {
    public StreamResult {
        plans = List.copyOf(plans);
        runs = List.copyOf(runs);
        if (plans.size() != runs.size()) {
            throw new IllegalArgumentException("one plan per run: " + plans.size() + " plans, " + runs.size() + " runs");
        }
    }
}
