package io.ctta.runtime.config;

import java.util.Collection;
import java.util.Optional;

/** The declared key nearest to a misspelt one, by edit distance (Levenshtein). */
public final class DidYouMean {

    private DidYouMean() {
    }

    /**
     * The candidate closest to {@code typo}, when it is close enough to be a plausible misspelling:
     * at most 2 edits, or a third of the typo's length for long keys, and fewer edits than the typo
     * has characters (a one-letter key is not "near" every other one-letter key).
     */
    public static Optional<String> nearest(String typo, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(typo, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        int allowed = Math.max(2, typo.length() / 3);
        return best != null && bestDistance <= allowed && bestDistance < typo.length() ? Optional.of(best) : Optional.empty();
    }

    /** Levenshtein distance: insertions, deletions and substitutions each cost 1. */
    public static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
