package io.ctta.runtime.data;

/**
 * What an adaptation step did with a batch; failure outcomes are data, not exceptions.
 *
 * @param kind what happened
 * @param loss the loss the step minimised (NaN when no step ran)
 * @param detail a short human-readable reason for skipped or diverged steps, empty otherwise
 */
public record StepOutcome(Kind kind, double loss, String detail) {

    /** The kinds of outcome. */
    public enum Kind {
        /** The strategy does not adapt on this call (e.g. {@code source}). */
        NONE,
        /** Parameters were updated. */
        APPLIED,
        /** The step was skipped on purpose (empty filter, zero gradient, warm-up). */
        SKIPPED,
        /** A non-finite loss or gradient was found; parameters were left unchanged. */
        DIVERGED
    }

    public static StepOutcome none() {
        return new StepOutcome(Kind.NONE, Double.NaN, "");
    }

    public static StepOutcome applied(double loss) {
        return new StepOutcome(Kind.APPLIED, loss, "");
    }

    public static StepOutcome skipped(double loss, String why) {
        return new StepOutcome(Kind.SKIPPED, loss, why);
    }

    public static StepOutcome diverged(double loss, String why) {
        return new StepOutcome(Kind.DIVERGED, loss, why);
    }
}
