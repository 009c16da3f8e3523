package io.ctta.adapters.norm;

import io.ctta.runtime.config.SettingsSchema;
import io.ctta.runtime.config.Setting;
import com.typesafe.config.Config;
import io.ctta.adapters.support.Settings;

/**
 * Settings of {@code norm} ({@code strategies.norm}).
 *
 * @param alpha weight of the batch statistics: 1 = BN-1 ({@code norm_test}, the default), in (0,1)
 *     = BN-α, {@code (1-α)·source + α·batch} (the reference uses 0.1); built-in CNN only
 */
public record NormSettings(double alpha) {


    /** The declared settings. */
    public static final SettingsSchema SCHEMA = SettingsSchema.builder("BatchNorm with test-batch statistics (BN-1) or mixed (BN-alpha)")
            .add(Setting.number("alpha", 1.0, "weight of the batch statistics: 1 = BN-1, in (0, 1) = (1-α)·source + α·batch (built-in CNN only)")
                    .checkedBy("a number in (0, 1]"))
            .build();
    /** Validates eagerly; messages name the key. */
    public static NormSettings fromConfig(Config c) {
        Settings s = new Settings(c, "strategies.norm");
        double alpha = s.getDouble("alpha", 1.0);
        s.require(alpha > 0 && alpha <= 1, "alpha", "in (0, 1]", alpha);
        return new NormSettings(alpha);
    }
}
