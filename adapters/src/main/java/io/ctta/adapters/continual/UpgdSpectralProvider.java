package io.ctta.adapters.continual;

/** Registers {@code upgd+spectral}: UPGD with spectral regularization (largest singular value of each layer pulled to 1). See docs/strategies/spectral.md. */
public final class UpgdSpectralProvider extends ContinualProvider {
    /** The provider ServiceLoader instantiates. */
    public UpgdSpectralProvider() {
        super("upgd+spectral", "UPGD with spectral regularization (largest singular value of each layer pulled to 1)", UpgdSettings::read, true, UpgdSettings.SCHEMA);
    }
}
