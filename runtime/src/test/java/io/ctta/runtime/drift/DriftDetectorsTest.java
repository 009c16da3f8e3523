package io.ctta.runtime.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class DriftDetectorsTest {

    @Test
    void createsEveryDetectorWithItsDefaults() {
        assertEquals(AdwinSettings.defaults(), ((AdwinDetector) DriftDetectors.create("adwin", 1)).settings());
        assertEquals(PageHinkleySettings.defaults(), ((PageHinkleyDetector) DriftDetectors.create("page-hinkley", 1)).settings());
        assertEquals(DdmSettings.defaults(), ((DdmDetector) DriftDetectors.create("ddm", 1)).settings());
        assertEquals(KsSettings.defaults(), ((KsDriftDetector) DriftDetectors.create("ks", 1)).settings());
        assertEquals(MmdSettings.defaults(), ((MmdDriftDetector) DriftDetectors.create("mmd", 1)).settings());
        for (String name : DriftDetectors.NAMES) {
            assertEquals(name, DriftDetectors.create(name, 1).name());
        }
        assertEquals(new AdwinSettings(0.002, 32, 5, 5, 10), AdwinSettings.defaults());
        assertEquals(new PageHinkleySettings(30, 0.005, 50, 0.9999, PageHinkleySettings.Direction.UP), PageHinkleySettings.defaults());
        assertEquals(new DdmSettings(30, 2.0, 3.0), DdmSettings.defaults());
    }

    @Test
    void readsEverySetting() {
        AdwinDetector a = (AdwinDetector) DriftDetectors.create("adwin", ConfigFactory.parseString(
                "delta = 0.01, clock = 1, max-buckets = 3, min-window-length = 7, grace-period = 20"), 1);
        assertEquals(new AdwinSettings(0.01, 1, 3, 7, 20), a.settings());
        PageHinkleyDetector p = (PageHinkleyDetector) DriftDetectors.create("page-hinkley", ConfigFactory.parseString(
                "min-instances = 10, delta = 0.01, threshold = 5, alpha = 1, direction = BOTH"), 1);
        assertEquals(new PageHinkleySettings(10, 0.01, 5, 1, PageHinkleySettings.Direction.BOTH), p.settings());
        DdmDetector d = (DdmDetector) DriftDetectors.create("ddm", ConfigFactory.parseString(
                "min-samples = 100, warning-threshold = 1.5, drift-threshold = 2.5"), 1);
        assertEquals(new DdmSettings(100, 1.5, 2.5), d.settings());
        KsDriftDetector k = (KsDriftDetector) DriftDetectors.create("ks", ConfigFactory.parseString(
                "p-value = 0.01, correction = fdr, reference-size = 300, window-size = 50, method = asymptotic, consecutive = 2"), 1);
        assertEquals(new KsSettings(0.01, KsSettings.Correction.FDR, 300, 50, KsSettings.Method.ASYMPTOTIC, 2), k.settings());
        MmdDriftDetector m = (MmdDriftDetector) DriftDetectors.create("mmd", ConfigFactory.parseString(
                "p-value = 0.1, permutations = 50, reference-size = 100, window-size = 40, consecutive = 3"), 1);
        assertEquals(new MmdSettings(0.1, 50, 100, 40, 3), m.settings());
    }

    @Test
    void validationMessagesNameTheKey() {
        assertMessage("invalid setting 'drift.adwin.delta' = 2: expected a number in (0, 1)", "adwin", "delta = 2");
        assertMessage("invalid setting 'drift.adwin.delta' = 0: expected a number in (0, 1)", "adwin", "delta = 0");
        assertMessage("invalid setting 'drift.adwin.delta' = \"small\": expected a number in (0, 1)", "adwin", "delta = small");
        assertMessage("invalid setting 'drift.adwin.clock' = 0: expected an integer >= 1", "adwin", "clock = 0");
        assertMessage("invalid setting 'drift.adwin.clock' = 2.5: expected an integer >= 1", "adwin", "clock = 2.5");
        assertMessage("invalid setting 'drift.adwin.max-buckets' = 0: expected an integer >= 1", "adwin", "max-buckets = 0");
        assertMessage("invalid setting 'drift.adwin.min-window-length' = 0: expected an integer >= 1", "adwin", "min-window-length = 0");
        assertMessage("invalid setting 'drift.adwin.grace-period' = -1: expected an integer >= 0", "adwin", "grace-period = -1");
        assertMessage("invalid setting 'drift.adwin.dleta': unknown setting; did you mean 'drift.adwin.delta'?", "adwin", "dleta = 0.1");
        assertMessage("invalid setting 'drift.adwin.colour': unknown setting; known keys here: clock, delta, grace-period, max-buckets, "
                + "min-window-length", "adwin", "colour = red");
        assertMessage("invalid setting 'drift.page-hinkley.threshold' = -5: expected a number > 0", "page-hinkley", "threshold = -5");
        assertMessage("invalid setting 'drift.page-hinkley.alpha' = 1.5: expected a number in (0, 1]", "page-hinkley", "alpha = 1.5");
        assertMessage("invalid setting 'drift.page-hinkley.delta' = -0.1: expected a number >= 0", "page-hinkley", "delta = -0.1");
        assertMessage("invalid setting 'drift.page-hinkley.min-instances' = 0: expected an integer >= 1", "page-hinkley", "min-instances = 0");
        assertMessage("invalid setting 'drift.page-hinkley.direction' = \"sideways\": expected one of up, down, both", "page-hinkley",
                "direction = sideways");
        assertMessage("invalid setting 'drift.ddm.drift-threshold' = 1.5: expected >= drift.ddm.warning-threshold (2)", "ddm",
                "drift-threshold = 1.5");
        assertMessage("invalid setting 'drift.ddm.warning-threshold' = 0: expected a number > 0", "ddm", "warning-threshold = 0");
        assertMessage("invalid setting 'drift.ddm.min-samples' = 0: expected an integer >= 1", "ddm", "min-samples = 0");
        assertMessage("invalid setting 'drift.ks.p-value' = 1: expected a number in (0, 1)", "ks", "p-value = 1");
        assertMessage("invalid setting 'drift.ks.correction' = \"holm\": expected one of bonferroni, fdr", "ks", "correction = holm");
        assertMessage("invalid setting 'drift.ks.method' = \"bootstrap\": expected one of exact, asymptotic", "ks", "method = bootstrap");
        assertMessage("invalid setting 'drift.ks.window-size' = 1: expected an integer >= 2", "ks", "window-size = 1");
        assertMessage("invalid setting 'drift.ks.reference-size' = 1: expected an integer >= 2", "ks", "reference-size = 1");
        assertMessage("invalid setting 'drift.ks.consecutive' = 0: expected an integer >= 1", "ks", "consecutive = 0");
        assertMessage("invalid setting 'drift.mmd.permutations' = 10: expected >= 20 so that drift.mmd.p-value 0.05 can be reached", "mmd",
                "permutations = 10");
        assertMessage("invalid setting 'drift.mmd.permutations' = 99: expected >= 100 so that drift.mmd.p-value 0.01 can be reached", "mmd",
                "p-value = 0.01, permutations = 99");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DriftDetectors.create("adwin", ConfigFactory.parseString("delta = 2"), 1, "ctta.pipelines.cam.drift.adwin"));
        assertEquals("invalid setting 'ctta.pipelines.cam.drift.adwin.delta' = 2: expected a number in (0, 1)", e.getMessage());
    }

    private static void assertMessage(String expected, String name, String settings) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DriftDetectors.create(name, ConfigFactory.parseString(settings), 1));
        assertEquals(expected, e.getMessage());
    }

    @Test
    void unknownNamesAndKindsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DriftDetectors.create("cusum", 1));
        assertEquals("unknown drift detector 'cusum'; known: adwin, page-hinkley, ddm, ks, mmd", e.getMessage());
        assertInstanceOf(AdwinDetector.class, DriftDetectors.scalar("adwin", ConfigFactory.empty(), 1));
        assertInstanceOf(KsDriftDetector.class, DriftDetectors.multivariate("ks", ConfigFactory.empty(), 1));
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class, () -> DriftDetectors.scalar("mmd", ConfigFactory.empty(), 1));
        assertEquals("drift detector 'mmd' takes vectors (embeddings), not scalars; scalar detectors: adwin, page-hinkley, ddm", s.getMessage());
        IllegalArgumentException v = assertThrows(IllegalArgumentException.class,
                () -> DriftDetectors.multivariate("ddm", ConfigFactory.empty(), 1));
        assertEquals("drift detector 'ddm' takes scalars, not vectors; vector detectors: ks, mmd", v.getMessage());
    }

    @Test
    void signalsAndLevelsHaveWireNames() {
        assertEquals("entropy", DriftSignal.ENTROPY.wireName());
        assertEquals(DriftSignal.EMBEDDING, DriftSignal.fromWireName("Embedding"));
        assertThrows(IllegalArgumentException.class, () -> DriftSignal.fromWireName("loss"));
        assertEquals("warning", DriftLevel.WARNING.wireName());
        assertEquals(2, DriftLevel.DRIFT.ordinal(), "the ctta_drift_level gauge value");
    }
}
