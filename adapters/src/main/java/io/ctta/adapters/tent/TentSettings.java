package io.ctta.adapters.tent;

import io.ctta.runtime.config.SettingsSchema;
import io.ctta.runtime.config.Setting;
import com.typesafe.config.Config;
import io.ctta.adapters.support.SgdAdamSettings;
import io.ctta.adapters.support.Settings;

/**
 * Settings of {@code tent} ({@code strategies.tent}); defaults follow the reference CIFAR setup.
 *
 * @param optimizer {@code adam} (default) or {@code sgd}
 * @param lr learning rate, default 1e-3
 * @param beta1 Adam β1, default 0.9
 * @param beta2 Adam β2, default 0.999
 * @param epsilon Adam ε, default 1e-8
 * @param momentum SGD momentum, default 0.9
 * @param nesterov SGD Nesterov momentum, default true (reference ImageNet setup)
 * @param episodic reset parameters and optimizer before every batch, default false
 */
public record TentSettings(String optimizer, double lr, double beta1, double beta2, double epsilon,
        double momentum, boolean nesterov, boolean episodic) {


    /** The declared settings; defaults from {@link #defaults()}. */
    public static final SettingsSchema SCHEMA = io.ctta.adapters.support.OptimizerSchema
            .sgdAdam(SettingsSchema.builder("TENT (Wang et al., ICLR 2021): entropy minimisation on BatchNorm affine parameters"),
                    defaults().optimizerSettings())
            .add(Setting.bool("episodic", defaults().episodic(), "reset parameters and optimizer before every batch"))
            .build();
    /** The defaults. */
    public static TentSettings defaults() {
        return new TentSettings("adam", 1e-3, 0.9, 0.999, 1e-8, 0.9, true, false);
    }

    /** Reads and validates {@code c}; missing keys take the defaults; messages name the key. */
    public static TentSettings fromConfig(Config c) {
        Settings s = new Settings(c, "strategies.tent");
        TentSettings d = defaults();
        SgdAdamSettings o = SgdAdamSettings.read(s, d.optimizerSettings());
        boolean episodic = s.getBoolean("episodic", d.episodic());
        return new TentSettings(o.optimizer(), o.lr(), o.beta1(), o.beta2(), o.epsilon(), o.momentum(), o.nesterov(),
                episodic);
    }

    /** The optimizer part. */
    public SgdAdamSettings optimizerSettings() {
        return new SgdAdamSettings(optimizer, lr, beta1, beta2, epsilon, momentum, nesterov);
    }
}
