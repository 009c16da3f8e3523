package io.ctta.adapters.continual;

/** Registers {@code sgd}: online SGD with decoupled weight decay (SGDW; optional Shrink-and-Perturb noise), supervised. See docs/strategies/sgd-adam.md. */
public final class SgdProvider extends ContinualProvider {
    /** The provider ServiceLoader instantiates. */
    public SgdProvider() {
        super("sgd", "online SGD with decoupled weight decay (SGDW; optional Shrink-and-Perturb noise), supervised", SgdSettings::read, false, SgdSettings.SCHEMA);
    }
}
