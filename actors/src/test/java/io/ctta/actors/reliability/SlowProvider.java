package io.ctta.actors.reliability;

import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyProvider;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * Test strategy {@code slow}: another strategy ({@code inner}, default {@code source}) whose
 * every prediction takes {@code delay-ms} longer, as a slow model would. With {@code gate} (a file
 * path) the delay applies only while that file does not exist, so a test can end the overload and
 * let the backlog drain quickly. With {@code hold} (a file path) a prediction that starts while
 * that file exists creates {@code <hold>.held} and waits until the file is deleted: the model is
 * paused mid-batch for as long as the test wants. Registered only on the test classpath.
 */
public final class SlowProvider implements StrategyProvider {

    @Override
    public String name() {
        return "slow";
    }

    @Override
    public String description() {
        return "a strategy made slower by a fixed delay per batch (tests only)";
    }

    @Override
    public AdaptationStrategy create(StrategyContext context) {
        var s = context.settings();
        long delayMs = s.hasPath("delay-ms") ? s.getLong("delay-ms") : 100;
        Path gate = s.hasPath("gate") ? Path.of(s.getString("gate")) : null;
        Path hold = s.hasPath("hold") ? Path.of(s.getString("hold")) : null;
        String innerName = s.hasPath("inner") ? s.getString("inner") : "source";
        AdaptationStrategy inner = StrategyRegistry.load().create(innerName, context);
        return new DelegatingStrategy("slow", inner) {
            @Override
            public ModelOutput predict(InputBatch batch) {
                if (hold != null && Files.exists(hold)) {
                    held(hold);
                }
                if (delayMs > 0 && (gate == null || !Files.exists(gate))) {
                    try {
                        Thread.sleep(delayMs); // the simulated service time of a slow model
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                    }
                }
                return inner.predict(batch);
            }

            private void held(Path hold) {
                try {
                    Files.createFile(hold.resolveSibling(hold.getFileName() + ".held"));
                } catch (FileAlreadyExistsException alreadyHeldOnce) {
                    // another batch (or owner) was held before: the marker says so already
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                while (Files.exists(hold)) {
                    LockSupport.parkNanos(10_000_000L);
                }
            }
        };
    }
}
