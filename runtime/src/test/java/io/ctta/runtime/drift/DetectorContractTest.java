package io.ctta.runtime.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What every detector must do, whatever its algorithm: snapshot → restore continues identically; reset forgets. */
class DetectorContractTest {

    /** Small windows so the vector detectors test, drift and reset within a short stream. */
    private static Detector create(String name, long seed) {
        String settings = switch (name) {
            case "ks" -> "reference-size = 60, window-size = 20";
            case "mmd" -> "reference-size = 40, window-size = 20, permutations = 40";
            default -> "";
        };
        return DriftDetectors.create(name, ConfigFactory.parseString(settings), seed);
    }

    /** Input i of a seeded stream that changes at 1/3 and 2/3 of {@code n}, so drifts happen. */
    private static Object input(String name, SplittableRandom r, int i, int n) {
        int regime = 3 * i / n;
        if (name.equals("ks") || name.equals("mmd")) {
            return Streams.gaussianVector(r, 3, regime == 1 ? 3.0 : 0.0);
        }
        // rising error rates: PH (increase test) and DDM only detect increases
        return Streams.bernoulli(r, 0.1 + 0.4 * regime);
    }

    private static DriftLevel feed(Detector d, Object x) {
        if (d instanceof DriftDetector s) {
            return s.update((Double) x);
        }
        return ((MultivariateDriftDetector) d).update((double[]) x);
    }

    @ParameterizedTest
    @ValueSource(strings = {"adwin", "page-hinkley", "ddm", "ks", "mmd"})
    void snapshotRestoreContinuesIdentically(String name) throws Exception {
        int n = name.equals("page-hinkley") ? 3000 : 900;
        SplittableRandom r = new SplittableRandom(42);
        Object[] inputs = new Object[n];
        for (int i = 0; i < n; i++) {
            inputs[i] = input(name, r, i, n);
        }
        Detector original = create(name, 7);
        int drifts = 0;
        int restoresAfterDrift = 0;
        // restore at many points, including right after a drift (a pending reset must survive)
        for (int i = 0; i < n; i++) {
            DriftLevel level = feed(original, inputs[i]);
            if (level == DriftLevel.DRIFT) {
                drifts++;
            }
            if (i % 97 == 13 || level == DriftLevel.DRIFT) {
                if (level == DriftLevel.DRIFT) {
                    restoresAfterDrift++;
                }
                DetectorState state = roundTrip(original.snapshot());
                assertEquals(original.snapshot(), state);
                Detector copy = create(name, 7);
                copy.restore(state);
                assertEquals(original.snapshot(), copy.snapshot());
                Detector probe = create(name, 7);
                probe.restore(original.snapshot());
                for (int j = i + 1; j < Math.min(n, i + 150); j++) {
                    DriftLevel a = feed(probe, inputs[j]);
                    DriftLevel b = feed(copy, inputs[j]);
                    assertEquals(a, b, name + " step " + j + " after restore at " + i);
                    assertEquals(probe.statistic(), copy.statistic(), name + " step " + j);
                    assertEquals(probe.threshold(), copy.threshold(), name + " step " + j);
                    assertEquals(probe.samples(), copy.samples());
                }
                assertEquals(probe.snapshot(), copy.snapshot());
            }
        }
        assertTrue(drifts >= 2, name + " should drift on this stream, drifted " + drifts);
        assertTrue(restoresAfterDrift >= 2);
        // and the restored copy continues exactly like the original, not only like another restore
        Detector replay = create(name, 7);
        Detector fromMiddle = create(name, 7);
        for (int i = 0; i < n / 2; i++) {
            feed(replay, inputs[i]);
        }
        fromMiddle.restore(replay.snapshot());
        for (int i = n / 2; i < n; i++) {
            assertEquals(feed(replay, inputs[i]), feed(fromMiddle, inputs[i]));
            assertEquals(replay.statistic(), fromMiddle.statistic());
        }
        assertEquals(replay.detections(), fromMiddle.detections());
    }

    @ParameterizedTest
    @ValueSource(strings = {"adwin", "page-hinkley", "ddm", "ks", "mmd"})
    void resetForgetsEverything(String name) {
        Detector fresh = create(name, 7);
        DetectorState initial = fresh.snapshot();
        Detector used = create(name, 7);
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 600; i++) {
            feed(used, input(name, r, i, 600));
        }
        assertNotEquals(initial, used.snapshot());
        used.reset();
        assertEquals(initial, used.snapshot());
        assertEquals(DriftLevel.STABLE, used.level());
        assertEquals(0, used.samples());
        assertEquals(0, used.detections());
    }

    @ParameterizedTest
    @ValueSource(strings = {"adwin", "page-hinkley", "ddm", "ks", "mmd"})
    void restoreRefusesAnotherDetectorsOrOtherSettings(String name) {
        Detector d = create(name, 7);
        String other = name.equals("adwin") ? "ddm" : "adwin";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> d.restore(DriftDetectors.create(other, 7).snapshot()));
        assertEquals("cannot restore a '" + other + "' state into a '" + name + "' detector", e.getMessage());
        // same detector, default settings: differs from the small-window settings above for ks/mmd;
        // for the scalar ones change one setting explicitly
        String changed = switch (name) {
            case "adwin" -> "delta = 0.01";
            case "page-hinkley" -> "threshold = 20";
            case "ddm" -> "drift-threshold = 4";
            default -> "";
        };
        Detector differentSettings = DriftDetectors.create(name, ConfigFactory.parseString(changed), 7);
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class, () -> d.restore(differentSettings.snapshot()));
        assertTrue(s.getMessage().startsWith("cannot restore " + name + " state: it was written with"), s.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"adwin", "page-hinkley", "ddm", "ks", "mmd"})
    void rejectsNonFiniteInput(String name) {
        Detector d = create(name, 7);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            if (d instanceof DriftDetector s) {
                s.update(Double.POSITIVE_INFINITY);
            } else {
                ((MultivariateDriftDetector) d).update(new double[] {0, Double.NaN, 0});
            }
        });
        assertTrue(e.getMessage().startsWith(name + " input must be"), e.getMessage());
    }

    private static DetectorState roundTrip(DetectorState s) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (DetectorState) in.readObject();
        }
    }
}
