package io.ctta.adapters.continual;

/** Registers {@code adam+spectral}: online AdamW with spectral regularization (largest singular value of each layer pulled to 1). See docs/strategies/spectral.md. */
public final class AdamSpectralProvider extends ContinualProvider {
    /** The provider ServiceLoader instantiates. */
    public AdamSpectralProvider() {
        super("adam+spectral", "online AdamW with spectral regularization (largest singular value of each layer pulled to 1)", AdamSettings::read, true, AdamSettings.SCHEMA);
    }
}
