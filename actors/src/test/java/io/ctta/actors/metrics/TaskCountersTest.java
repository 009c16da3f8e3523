package io.ctta.actors.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-task counters: one pair per task, the overflow series past the cap, the current task's accuracy. */
class TaskCountersTest {

    @Test
    void everyTaskKeepsItsOwnCountsUpToTheCapThenTheyShareOne() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PipelineMetrics m = new PipelineMetrics(registry, "p", "tent");
        m.taskScored("mnist", true);
        m.taskScored("mnist", false);
        m.taskScored("cifar", false);
        m.taskScored("mnist", true); // a task met again continues its series
        m.taskScored(null, true);
        Map<String, long[]> scores = m.taskScores();
        assertArrayEquals(new long[] {2, 1}, scores.get("mnist"));
        assertArrayEquals(new long[] {0, 1}, scores.get("cifar"));
        assertArrayEquals(new long[] {1, 0}, scores.get("-"));
        for (int t = 0; t < PipelineMetrics.MAX_TASK_SERIES + 10; t++) {
            m.taskScored("task-" + t, t % 2 == 0);
        }
        scores = m.taskScores();
        assertEquals(PipelineMetrics.MAX_TASK_SERIES + 1, scores.size(), "the cap, plus the overflow series");
        long[] other = scores.get(PipelineMetrics.OTHER_TASKS);
        assertEquals(3 + 10, other[0] + other[1], "every task past the cap counts in the overflow series");
        assertArrayEquals(new long[] {2, 1}, scores.get("mnist"), "earlier tasks keep their own series");
        String text = registry.scrape();
        assertEquals(true, text.contains("ctta_task_predictions_total{") && text.contains("task=\"mnist\""), text.substring(0, 200));
    }
}
