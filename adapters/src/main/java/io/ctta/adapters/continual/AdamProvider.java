package io.ctta.adapters.continual;

/** Registers {@code adam}: online AdamW (decoupled weight decay, no momentum by default), supervised. See docs/strategies/sgd-adam.md. */
public final class AdamProvider extends ContinualProvider {
    /** The provider ServiceLoader instantiates. */
    public AdamProvider() {
        super("adam", "online AdamW (decoupled weight decay, no momentum by default), supervised", AdamSettings::read, false, AdamSettings.SCHEMA);
    }
}
