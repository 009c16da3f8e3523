package io.ctta.benchmarks.reloop;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Prequential scores of one run: for every prediction its score (click probability, or expected
 * stars), label and user; summary metrics over the whole stream and per window.
 */
final class StreamMetrics {

    private final boolean binary;
    private double[] scores = new double[1024];
    private double[] labels = new double[1024];
    private int[] users = new int[1024];
    private int n;

    /** @param binary AUC/log loss of click probabilities; otherwise RMSE of expected stars */
    StreamMetrics(boolean binary) {
        this.binary = binary;
    }

    void add(double score, double label, int user) {
        if (n == scores.length) {
            scores = Arrays.copyOf(scores, 2 * n);
            labels = Arrays.copyOf(labels, 2 * n);
            users = Arrays.copyOf(users, 2 * n);
        }
        scores[n] = score;
        labels[n] = label;
        users[n] = user;
        n++;
    }

    int count() {
        return n;
    }

    /** AUC (binary) or RMSE over {@code [from, to)}. */
    double main(int from, int to) {
        return binary ? auc(from, to) : rmse(from, to);
    }

    /** The main metric per window of {@code window} predictions (the last partial window included if half full). */
    List<double[]> windows(int window) {
        List<double[]> out = new ArrayList<>();
        for (int from = 0; from < n; from += window) {
            int to = Math.min(n, from + window);
            if (to - from < window / 2 && from > 0) {
                break;
            }
            out.add(new double[] {to, main(from, to)});
        }
        return out;
    }

    /** Mann-Whitney AUC with average ranks for ties. */
    double auc(int from, int to) {
        int m = to - from;
        Integer[] idx = new Integer[m];
        for (int i = 0; i < m; i++) {
            idx[i] = from + i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(scores[a], scores[b]));
        double rankSumPos = 0;
        long pos = 0;
        int i = 0;
        while (i < m) {
            int j = i;
            while (j + 1 < m && scores[idx[j + 1]] == scores[idx[i]]) {
                j++;
            }
            double avgRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (labels[idx[k]] > 0.5) {
                    rankSumPos += avgRank;
                    pos++;
                }
            }
            i = j + 1;
        }
        long neg = m - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (rankSumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    /** User-grouped AUC (the paper's gAUC): per-user AUC weighted by the user's predictions, over users with both classes. */
    double gauc(int from, int to) {
        Map<Integer, List<Integer>> byUser = new HashMap<>();
        for (int i = from; i < to; i++) {
            byUser.computeIfAbsent(users[i], k -> new ArrayList<>()).add(i);
        }
        double sum = 0;
        double weight = 0;
        StreamMetrics one = new StreamMetrics(true);
        for (List<Integer> rows : byUser.values()) {
            one.n = 0;
            for (int r : rows) {
                one.add(scores[r], labels[r], users[r]);
            }
            double a = one.auc(0, one.n);
            if (!Double.isNaN(a)) {
                sum += a * rows.size();
                weight += rows.size();
            }
        }
        return weight == 0 ? Double.NaN : sum / weight;
    }

    /** Mean log loss of click probabilities (clipped to [1e-7, 1 - 1e-7]). */
    double logLoss(int from, int to) {
        double l = 0;
        for (int i = from; i < to; i++) {
            double p = Math.min(1 - 1e-7, Math.max(1e-7, scores[i]));
            l -= labels[i] > 0.5 ? Math.log(p) : Math.log(1 - p);
        }
        return l / Math.max(1, to - from);
    }

    /** Root mean squared error of the scores against the labels. */
    double rmse(int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            double e = scores[i] - labels[i];
            s += e * e;
        }
        return Math.sqrt(s / Math.max(1, to - from));
    }
}
