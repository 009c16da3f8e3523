package io.ctta.adapters.continual;

/** Registers {@code sgd+spectral}: online SGDW with spectral regularization (largest singular value of each layer pulled to 1). See docs/strategies/spectral.md. */
public final class SgdSpectralProvider extends ContinualProvider {
    /** The provider ServiceLoader instantiates. */
    public SgdSpectralProvider() {
        super("sgd+spectral", "online SGDW with spectral regularization (largest singular value of each layer pulled to 1)", SgdSettings::read, true, SgdSettings.SCHEMA);
    }
}
