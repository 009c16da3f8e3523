package io.ctta.adapters.support;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ctta.runtime.adapt.optim.Adam;
import io.ctta.runtime.adapt.optim.ParameterOptimizer;
import io.ctta.runtime.adapt.optim.Sgd;
import java.util.Map;

/**
 * The test-time optimizer of a strategy that offers SGD or Adam (tent, rmt, ecotta): which one,
 * and the settings of both; validated once by {@link #read}, built by {@link #create}.
 *
 * @param optimizer {@code sgd} or {@code adam}
 * @param lr learning rate
 * @param beta1 Adam β1
 * @param beta2 Adam β2
 * @param epsilon Adam ε
 * @param momentum SGD momentum
 * @param nesterov SGD Nesterov momentum
 */
public record SgdAdamSettings(String optimizer, double lr, double beta1, double beta2, double epsilon,
        double momentum, boolean nesterov) {

    /**
     * Reads and validates the keys {@code optimizer, lr, beta1, beta2, epsilon, momentum, nesterov};
     * missing keys take {@code d}'s values. The optimizer message lists the default first.
     */
    public static SgdAdamSettings read(Settings s, SgdAdamSettings d) {
        String other = d.optimizer().equals("sgd") ? "adam" : "sgd";
        String opt = s.oneOf("optimizer", d.optimizer(), d.optimizer(), other);
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
                "false when " + s.key("momentum") + " is 0", nesterov);
        return new SgdAdamSettings(opt, lr, beta1, beta2, eps, momentum, nesterov);
    }

    /** A fresh optimizer over {@code shapes} whose state hangs under {@code parent}. */
    public ParameterOptimizer create(NDManager parent, Map<String, Shape> shapes) {
        return optimizer.equals("sgd")
                ? new Sgd(parent, shapes, (float) lr, (float) momentum, nesterov)
                : new Adam(parent, shapes, (float) lr, (float) beta1, (float) beta2, (float) epsilon);
    }
}
