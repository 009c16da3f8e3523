package io.ctta.adapters.continual;

/** Registers {@code upgd}: UPGD: utility-gated perturbed gradient descent against forgetting and loss of plasticity, supervised. See docs/strategies/upgd.md. */
public final class UpgdProvider extends ContinualProvider {
    /** The provider ServiceLoader instantiates. */
    public UpgdProvider() {
        super("upgd", "UPGD: utility-gated perturbed gradient descent against forgetting and loss of plasticity, supervised", UpgdSettings::read, false, UpgdSettings.SCHEMA);
    }
}
