package io.ctta.benchmarks.continual;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether UPGD beats SGD and Adam on one stream, computed from the runs: the mean online accuracy
 * of the last {@code fraction} of the tasks of {@code upgd} against those of {@code sgd} and
 * {@code adam} (the UPGD paper found UPGD ahead of both on every permuted stream it ran).
 *
 * @param stream the stream
 * @param beatsBoth true or false when all three learners ran; empty when one is missing
 * @param sentence the finding in one sentence, with the numbers
 */
public record Verdict(StreamKind stream, Optional<Boolean> beatsBoth, String sentence) {

    /** The verdict of {@code result} over its last {@code fraction} of tasks. */
    public static Verdict of(StreamResult result, double fraction) {
        StreamKind s = result.stream();
        Optional<StrategyRun> upgd = find(result, "upgd");
        Optional<StrategyRun> sgd = find(result, "sgd");
        Optional<StrategyRun> adam = find(result, "adam");
        List<String> missing = new ArrayList<>();
        upgd.ifPresentOrElse(r -> {}, () -> missing.add("upgd"));
        sgd.ifPresentOrElse(r -> {}, () -> missing.add("sgd"));
        adam.ifPresentOrElse(r -> {}, () -> missing.add("adam"));
        if (!missing.isEmpty()) {
            return new Verdict(s, Optional.empty(), String.format(Locale.ROOT,
                    "Whether UPGD beats SGD and Adam on the %s stream cannot be said: the run has no %s.", s,
                    String.join(", ", missing)));
        }
        int tasks = upgd.get().taskAccuracy().length;
        int first = (int) Math.floor((1 - fraction) * tasks) + 1;
        double u = last(upgd.get(), fraction);
        double g = last(sgd.get(), fraction);
        double a = last(adam.get(), fraction);
        boolean beatsSgd = u > g;
        boolean beatsAdam = u > a;
        String window = String.format(Locale.ROOT, "over the last %.0f %% of the tasks (tasks %d-%d)", fraction * 100,
                first, tasks);
        String numbers = String.format(Locale.ROOT, "mean online accuracy %.3f against %.3f (SGD) and %.3f (Adam)", u, g,
                a);
        String finding;
        if (beatsSgd && beatsAdam) {
            finding = "UPGD beats SGD and Adam " + window + ": " + numbers + ", as the paper found.";
        } else if (beatsSgd || beatsAdam) {
            finding = "UPGD beats " + (beatsSgd ? "SGD" : "Adam") + " but not " + (beatsSgd ? "Adam" : "SGD") + " "
                    + window + ": " + numbers + "; the paper found it ahead of both.";
        } else {
            finding = "UPGD beats neither SGD nor Adam " + window + ": " + numbers + "; the paper found it ahead of both.";
        }
        return new Verdict(s, Optional.of(beatsSgd && beatsAdam), "On the " + s + " stream " + finding);
    }

    private static double last(StrategyRun r, double fraction) {
        return StrategyRun.mean(r.taskAccuracy(), 1 - fraction, 1);
    }

    private static Optional<StrategyRun> find(StreamResult result, String label) {
        return result.runs().stream().filter(r -> r.strategy().equals(label)).findFirst();
    }
}
