package io.ctta.adapters.support;

import io.ctta.runtime.config.Setting;
import io.ctta.runtime.config.SettingsSchema;

/** The declarations of the SGD-or-Adam keys that {@link SgdAdamSettings#read} reads, with a strategy's defaults. */
public final class OptimizerSchema {

    private OptimizerSchema() {
    }

    /** Adds {@code optimizer, lr, beta1, beta2, epsilon, momentum, nesterov} with {@code d}'s values as defaults. */
    public static SettingsSchema.Builder sgdAdam(SettingsSchema.Builder b, SgdAdamSettings d) {
        String other = d.optimizer().equals("sgd") ? "adam" : "sgd";
        return b.add(Setting.oneOf("optimizer", d.optimizer(), "the test-time optimizer", d.optimizer(), other))
                .add(Setting.number("lr", d.lr(), "learning rate").checkedBy("a number > 0"))
                .add(Setting.number("beta1", d.beta1(), "Adam β1").checkedBy("a number in [0, 1)"))
                .add(Setting.number("beta2", d.beta2(), "Adam β2").checkedBy("a number in [0, 1)"))
                .add(Setting.number("epsilon", d.epsilon(), "Adam ε").checkedBy("a number > 0"))
                .add(Setting.number("momentum", d.momentum(), "SGD momentum").checkedBy("a number in [0, 1)"))
                .add(Setting.bool("nesterov", d.nesterov(), "SGD Nesterov momentum (needs momentum > 0)"));
    }
}
