package io.ctta.benchmarks.continual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VerdictTest {

    private static StrategyRun run(String label, double... accuracy) {
        return new StrategyRun(label, accuracy, new double[accuracy.length], List.of(), 0, 0, 0, 0, 0);
    }

    private static StreamResult result(StrategyRun... runs) {
        List<StrategyPlan> plans = new ArrayList<>();
        for (StrategyRun r : runs) {
            plans.add(new StrategyPlan(r.strategy(), r.strategy(), ConfigFactory.empty()));
        }
        return new StreamResult(StreamKind.LABEL_PERMUTED, plans, List.of(runs));
    }

    /** Ten tasks: the last 20 % are tasks 9 and 10; UPGD is behind early and ahead there. */
    @Test
    void upgdAheadOfBothOverTheLastTasksBeatsThem() {
        Verdict v = Verdict.of(result(
                run("sgd", 0.9, 0.9, 0.8, 0.7, 0.6, 0.5, 0.5, 0.5, 0.5, 0.5),
                run("adam", 0.9, 0.9, 0.8, 0.7, 0.6, 0.5, 0.5, 0.5, 0.45, 0.35),
                run("upgd", 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.6, 0.6)), 0.2);
        assertEquals(Optional.of(true), v.beatsBoth());
        assertEquals("On the label-permuted stream UPGD beats SGD and Adam over the last 20 % of the tasks (tasks 9-10):"
                + " mean online accuracy 0.600 against 0.500 (SGD) and 0.400 (Adam), as the paper found.", v.sentence());
    }

    @Test
    void upgdBehindOneOfThemSaysWhichAndThatThePaperFoundOtherwise() {
        Verdict v = Verdict.of(result(
                run("upgd", 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.45, 0.45),
                run("sgd", 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.5, 0.5),
                run("adam", 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.4, 0.4)), 0.2);
        assertEquals(Optional.of(false), v.beatsBoth());
        assertTrue(v.sentence().contains("UPGD beats Adam but not SGD over the last 20 % of the tasks (tasks 9-10)"),
                v.sentence());
        assertTrue(v.sentence().endsWith("the paper found it ahead of both."), v.sentence());

        Verdict none = Verdict.of(result(run("upgd", 0.1, 0.1), run("sgd", 0.2, 0.2), run("adam", 0.3, 0.3)), 0.2);
        assertEquals(Optional.of(false), none.beatsBoth());
        assertTrue(none.sentence().contains("beats neither SGD nor Adam over the last 20 % of the tasks (tasks 2-2)"),
                none.sentence());
    }

    @Test
    void aMissingLearnerLeavesTheQuestionOpen() {
        Verdict v = Verdict.of(result(run("upgd", 0.5, 0.5), run("sgd", 0.4, 0.4)), 0.2);
        assertEquals(Optional.empty(), v.beatsBoth());
        assertEquals("Whether UPGD beats SGD and Adam on the label-permuted stream cannot be said: the run has no adam.",
                v.sentence());
    }
}
