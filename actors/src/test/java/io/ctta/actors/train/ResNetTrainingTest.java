package io.ctta.actors.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.actors.config.CttaSettings;
import io.ctta.actors.config.InvalidConfigException;
import io.ctta.actors.model.ModelSource;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.train.TrainSettings;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ctta train}'s work: the built-in ResNet trained on an image folder written by the test
 * (PNG files of two classes at another size than the model's), its weights and description
 * written, and the model served from them ({@code ctta.model.kind = builtin-resnet}) recognising
 * new images.
 */
class ResNetTrainingTest {

    @TempDir
    Path dir;

    /** A 24x20 RGB frame: class 0 a red block on the left, class 1 a blue block on the right, on noise. */
    private static BufferedImage frame(int label, Random r) {
        BufferedImage img = new BufferedImage(24, 20, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 24; x++) {
                int v = 40 + r.nextInt(60);
                boolean block = y >= 5 && y < 15 && (label == 0 ? x >= 3 && x < 11 : x >= 13 && x < 21);
                int rgb = block ? (label == 0 ? (220 << 16) | (30 << 8) | 30 : (30 << 16) | (60 << 8) | 220) : (v << 16) | (v << 8) | v;
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    private Path imageFolder(int perClass, long seed) throws Exception {
        Path root = Files.createDirectories(dir.resolve("images-" + seed));
        Random r = new Random(seed);
        for (String cls : new String[] {"left-red", "right-blue"}) {
            Path d = Files.createDirectories(root.resolve(cls));
            for (int i = 0; i < perClass; i++) {
                ImageIO.write(frame(cls.startsWith("left") ? 0 : 1, r), "png", d.resolve("img-" + i + ".png").toFile());
            }
        }
        return root;
    }

    @Test
    void trainsOnAnImageFolderAndServesFromTheWrittenWeights() throws Exception {
        Path train = imageFolder(48, 1);
        Path weights = dir.resolve("out").resolve("two.params");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ResNetTraining.Result r = ResNetTraining.train("image-folder", train, Map.of(), 16, 1000,
                new TrainSettings(4, 16, 3e-3f, 1), weights, new PrintStream(log, true));
        assertEquals(96, r.samples());
        assertTrue(Files.isRegularFile(weights));
        assertTrue(Files.isRegularFile(weights.resolveSibling("two.params.json")));
        ModelSpec spec = ModelSpec.builtinResNet(weights);
        assertEquals(r.spec().version(), spec.version(), "the description rebuilds the trained spec");
        assertEquals(r.spec().preprocessing(), spec.preprocessing());
        assertEquals(r.spec().geometry(), spec.geometry());
        assertEquals(2, spec.numClasses());
        assertArrayEquals(new int[] {3, 16, 16}, spec.inputShape());
        assertTrue(r.report().finalEpochAccuracy() > 0.9, "training accuracy " + r.report().finalEpochAccuracy());

        ModelSource source = new ModelSource(new CttaSettings.ModelConf("builtin-resnet", null, weights, "cpu", 1, "", 10, null, ""));
        Random rnd = new Random(99);
        int correct = 0;
        try (AdaptiveModel m = source.newModel()) {
            for (int i = 0; i < 20; i++) {
                int label = i % 2;
                BufferedImage img = frame(label, rnd);
                float[] chw = new float[3 * 20 * 24];
                for (int y = 0; y < 20; y++) {
                    for (int x = 0; x < 24; x++) {
                        int p = img.getRGB(x, y);
                        chw[y * 24 + x] = (p >> 16) & 0xFF;
                        chw[480 + y * 24 + x] = (p >> 8) & 0xFF;
                        chw[960 + y * 24 + x] = p & 0xFF;
                    }
                }
                float[] in = spec.toModelInput(new int[] {3, 20, 24}, chw);
                ModelOutput out = m.predict(new InputBatch(1, spec.inputShape(), in));
                correct += out.predictedClass(0) == label ? 1 : 0;
            }
        }
        assertTrue(correct >= 18, correct + " of 20 new frames recognised");
    }

    @Test
    void aBuiltInResNetWithoutItsDescriptionIsRefusedNamingTheKey() throws Exception {
        Path weights = Files.write(dir.resolve("lonely.params"), new byte[] {1});
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> new ModelSource(
                new CttaSettings.ModelConf("builtin-resnet", null, weights, "cpu", 1, "", 10, null, "")));
        assertTrue(e.getMessage().contains("ctta.model.weights"), e.getMessage());
        assertTrue(e.getMessage().contains("the description ctta train writes beside them"), e.getMessage());
    }
}
