package io.ctta.actors.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.runtime.TorchScriptFixtures;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.model.AdaptiveModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code ctta model inspect}: the module tree with classes and buffers, every parameter with its
 * role, the exported methods, and per strategy what it would adapt or its own refusal.
 */
class ModelInspectTest {

    private static String inspect(String fixture) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (AdaptiveModel m = TorchScriptFixtures.model(fixture)) {
            ModelCommand.print(m, StrategyRegistry.load(), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aWellExportedModelIsAdaptedByEveryStrategy() {
        String out = inspect("cnn-twin.pt");
        assertTrue(out.contains("bn1                          BatchNorm2d"), out);
        assertTrue(out.contains("buffers [running_mean, running_var, num_batches_tracked]"), out);
        assertTrue(out.contains("bn1.weight") && out.contains("GAMMA"), out);
        assertTrue(out.contains("methods     forward"), out);
        assertTrue(out.contains("stage12"), out);
        for (String s : new String[] {"norm", "tent", "ecotta", "rmt", "sgd", "upgd", "reloop2", "source"}) {
            assertTrue(out.lines().anyMatch(l -> l.trim().startsWith(s + " ") && l.contains("ok: ")), s + " in\n" + out);
        }
    }

    @Test
    void refusalsAreTheStrategiesOwnMessages() {
        String traced = inspect("cnn-traced-eval.pt");
        assertTrue(traced.lines().anyMatch(l -> l.trim().startsWith("norm ") && l.contains("refuses: ")
                && l.contains("BatchNorm's training flag is frozen into its graph")), traced);
        assertTrue(traced.lines().anyMatch(l -> l.trim().startsWith("sgd ") && l.contains("ok: ")), traced);
        String plain = inspect("cnn-sequential.pt");
        assertTrue(plain.lines().anyMatch(l -> l.trim().startsWith("ecotta ") && l.contains("refuses: ")
                && l.contains("stage1(x), stage2(a)")), plain);
        assertTrue(plain.lines().anyMatch(l -> l.trim().startsWith("tent ") && l.contains("ok: ")), plain);
        String mlp = inspect("mlp-no-bn.pt");
        assertTrue(mlp.lines().anyMatch(l -> l.trim().startsWith("tent ") && l.contains("refuses: ")
                && l.contains("(its layers: Flatten, Linear x2, ReLU)")), mlp);
    }
}
