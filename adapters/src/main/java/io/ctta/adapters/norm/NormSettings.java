package io.ctta.adapters.norm;

import com.typesafe.config.Config;
import io.ctta.adapters.support.Settings;

/**
 * Settings of {@code norm} ({@code strategies.norm}).
 *
 * @param alpha weight of the batch statistics: 1 = BN-1 ({@code norm_test}, the default), in (0,1)
 *     = BN-α, {@code (1-α)·source + α·batch} (the reference uses 0.1); built-in CNN only
 */
public record NormSettings(double alpha) {

    /** Validates eagerly; messages name the key. */
    public static NormSettings fromConfig(Config c) {
        Settings s = new Settings(c, "strategies.norm");
        double alpha = s.getDouble("alpha", 1.0);
        s.require(alpha > 0 && alpha <= 1, "alpha", "in (0, 1]", alpha);
        return new NormSettings(alpha);
    }
}
