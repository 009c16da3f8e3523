package io.ctta.adapters.tent;

import com.typesafe.config.Config;
import io.ctta.adapters.support.Settings;
import java.util.Locale;

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

    /** The defaults. */
    public static TentSettings defaults() {
        return new TentSettings("adam", 1e-3, 0.9, 0.999, 1e-8, 0.9, true, false);
    }

    /** Reads and validates {@code c}; missing keys take the defaults; messages name the key. */
    public static TentSettings fromConfig(Config c) {
        Settings s = new Settings(c, "strategies.tent");
        TentSettings d = defaults();
        String opt = s.getString("optimizer", d.optimizer()).toLowerCase(Locale.ROOT);
        s.require(opt.equals("adam") || opt.equals("sgd"), "optimizer", "one of adam, sgd", "'" + opt + "'");
        double lr = s.getDouble("lr", d.lr());
        s.require(lr > 0 && Double.isFinite(lr), "lr", "> 0", lr);
        double beta1 = s.getDouble("beta1", d.beta1());
        s.require(beta1 >= 0 && beta1 < 1, "beta1", "in [0, 1)", beta1);
        double beta2 = s.getDouble("beta2", d.beta2());
        s.require(beta2 >= 0 && beta2 < 1, "beta2", "in [0, 1)", beta2);
        double eps = s.getDouble("epsilon", d.epsilon());
        s.require(eps > 0 && Double.isFinite(eps), "epsilon", "> 0", eps);
        double momentum = s.getDouble("momentum", d.momentum());
        s.require(momentum >= 0 && momentum < 1, "momentum", "in [0, 1)", momentum);
        boolean nesterov = s.getBoolean("nesterov", d.nesterov());
        s.require(!(nesterov && opt.equals("sgd") && momentum == 0), "nesterov",
                "false when strategies.tent.momentum is 0", nesterov);
        boolean episodic = s.getBoolean("episodic", d.episodic());
        return new TentSettings(opt, lr, beta1, beta2, eps, momentum, nesterov, episodic);
    }
}
