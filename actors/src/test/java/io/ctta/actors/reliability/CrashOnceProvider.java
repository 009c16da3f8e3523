package io.ctta.actors.reliability;

import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyProvider;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test strategy {@code crash-once}: TENT that throws on its {@code crash-at-batch}-th prediction,
 * once per marker file ({@code marker}): the file is created when it crashes, so the restarted
 * actor carries on. Registered only on the test classpath.
 */
public final class CrashOnceProvider implements StrategyProvider {

    @Override
    public String name() {
        return "crash-once";
    }

    @Override
    public String description() {
        return "tent that crashes once (tests only)";
    }

    @Override
    public AdaptationStrategy create(StrategyContext context) {
        Path marker = Path.of(context.settings().getString("marker"));
        int crashAt = context.settings().getInt("crash-at-batch");
        AdaptationStrategy tent = StrategyRegistry.load().create("tent", context);
        return new DelegatingStrategy("crash-once", tent) {
            private int batches;

            @Override
            public ModelOutput predict(InputBatch batch) {
                if (++batches == crashAt && !Files.exists(marker)) {
                    try {
                        Files.createFile(marker);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    throw new IllegalStateException("injected crash at batch " + batches);
                }
                return tent.predict(batch);
            }
        };
    }
}
