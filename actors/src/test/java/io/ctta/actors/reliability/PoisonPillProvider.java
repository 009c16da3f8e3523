package io.ctta.actors.reliability;

import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyProvider;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test strategy {@code poison-pill}: TENT that throws whenever its batch holds a sample whose
 * features all equal {@code pill-value}, every time it sees one, as a model that cannot handle
 * some input would. Counts its crashes in {@link #CRASHES}. Registered only on the test classpath.
 */
public final class PoisonPillProvider implements StrategyProvider {

    /** Crashes since the JVM started (tests read and compare differences). */
    public static final AtomicInteger CRASHES = new AtomicInteger();

    @Override
    public String name() {
        return "poison-pill";
    }

    @Override
    public String description() {
        return "tent that crashes on a marked record (tests only)";
    }

    @Override
    public AdaptationStrategy create(StrategyContext context) {
        float pill = (float) context.settings().getDouble("pill-value");
        AdaptationStrategy tent = StrategyRegistry.load().create("tent", context);
        return new DelegatingStrategy("poison-pill", tent) {
            @Override
            public ModelOutput predict(InputBatch batch) {
                int per = batch.sampleLength();
                float[] f = batch.features();
                for (int i = 0; i < batch.size(); i++) {
                    boolean all = true;
                    for (int j = 0; j < per && all; j++) {
                        all = f[i * per + j] == pill;
                    }
                    if (all) {
                        CRASHES.incrementAndGet();
                        throw new IllegalStateException("cannot handle sample " + i + " of the batch");
                    }
                }
                return tent.predict(batch);
            }
        };
    }
}
