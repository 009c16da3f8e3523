package io.ctta.actors.pipeline;

import io.ctta.actors.drift.DriftMonitor;
import io.ctta.actors.model.ModelActor;
import io.ctta.runtime.eval.PrequentialEvaluator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline state that lives in the input stream rather than in the model actor: the drift
 * monitor (fed with every served batch) and the prequential evaluator of inline labels. It
 * outlives stream restarts; the stream snapshots it into checkpoint sections right after the
 * batch that captured a checkpoint, and every (re)start restores it from the checkpoint the model
 * went back to, so detectors and windows see every record exactly once, like the model.
 *
 * <p>Used by one stream at a time: a stream stage while it runs, the supervisor between runs.
 */
final class StreamState {
    private static final Logger LOG = LoggerFactory.getLogger(StreamState.class);

    private final String pipeline;
    private final DriftMonitor drift;
    private final PrequentialEvaluator evaluator = PrequentialEvaluator.withDefaults();

    StreamState(String pipeline, DriftMonitor drift) {
        this.pipeline = pipeline;
        this.drift = drift;
    }

    DriftMonitor drift() {
        return drift;
    }

    PrequentialEvaluator evaluator() {
        return evaluator;
    }

    /** The state now, as checkpoint sections. */
    Map<String, byte[]> sections() {
        return Map.of(ModelActor.Sections.DRIFT, drift.snapshot(), ModelActor.Sections.EVALUATOR, evaluator.snapshot());
    }

    /**
     * Goes back to the checkpoint a rewind restored; fresh when there is none or when it predates
     * pipeline state (said in the log). Without checkpoints ({@code restored == null}) nothing
     * changes.
     */
    void restore(ModelActor.Restored restored) {
        if (restored == null) {
            return;
        }
        drift.reset();
        evaluator.reset();
        if (restored.sequence() < 0) {
            return;
        }
        if (!restored.carriesPipelineState()) {
            LOG.info("pipeline {}: checkpoint {} predates pipeline state (format version 1): drift detectors and evaluator windows start fresh",
                    pipeline, restored.sequence());
            return;
        }
        byte[] d = restored.sections().get(ModelActor.Sections.DRIFT);
        if (d == null) {
            LOG.info("pipeline {}: checkpoint {} holds no drift monitor state: detectors start fresh", pipeline, restored.sequence());
        } else {
            try {
                List<String> fresh = drift.restore(d);
                fresh.forEach(f -> LOG.info("pipeline {}: detector {} starts fresh", pipeline, f));
            } catch (IllegalArgumentException e) {
                drift.reset();
                LOG.warn("pipeline {}: checkpoint {}: drift detectors start fresh: {}", pipeline, restored.sequence(), e.getMessage());
            }
        }
        byte[] e = restored.sections().get(ModelActor.Sections.EVALUATOR);
        if (e != null) {
            try {
                evaluator.restore(e);
            } catch (IllegalArgumentException bad) {
                evaluator.reset();
                LOG.warn("pipeline {}: checkpoint {}: the evaluator starts fresh: {}", pipeline, restored.sequence(), bad.getMessage());
            }
        }
    }
}
