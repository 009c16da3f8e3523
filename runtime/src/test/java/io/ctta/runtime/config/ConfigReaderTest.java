package io.ctta.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigReaderTest {

    private static final Setting<Integer> BATCH = Setting.integer("batch-size", 64, 1, 65536, "records per batch");
    private static final Setting<Duration> LATENCY = Setting.positiveDuration("max-latency", Duration.ofMillis(50), "wait");
    private static final Setting<Double> ALPHA = Setting.number("alpha", 0.5, "mix").where(v -> v > 0 && v <= 1, "a number in (0, 1]");
    private static final Setting<String> MODE = Setting.oneOf("mode", "fast", "how", "fast", "slow");
    private static final Setting<String> NAME = Setting.required("name", "who");
    private static final Setting<String> DIR = Setting.string("dir", "", "where");
    private static final SettingsSchema SCHEMA = SettingsSchema.builder("test block")
            .add(BATCH).add(LATENCY).add(ALPHA).add(MODE).add(NAME)
            .child("checkpoints", SettingsSchema.builder("nested").add(DIR).build())
            .build();

    private static List<ConfigProblem> problems(String hocon) {
        ConfigProblems p = new ConfigProblems();
        ConfigReader.read(ConfigFactory.parseString(hocon), SCHEMA, "ctta", p);
        return p.list();
    }

    @Test
    void validValuesAreTypedAndAbsentOnesTakeTheirDefaults() {
        ConfigProblems p = new ConfigProblems();
        SettingValues v = ConfigReader.read(ConfigFactory.parseString("name = a, batch-size = 8, checkpoints.dir = /x"), SCHEMA, "ctta", p);
        assertEquals(List.of(), p.list());
        assertEquals(8, v.get(BATCH));
        assertEquals(Duration.ofMillis(50), v.get(LATENCY));
        assertEquals(0.5, v.get(ALPHA));
        assertEquals("/x", v.child("checkpoints").get(DIR));
        assertEquals(6, p.checkedCount(), "every declared setting, nested ones included");
    }

    @Test
    void aMisspeltKeyIsAnErrorWithTheNearestDeclaredKey() {
        assertEquals(List.of(new ConfigProblem("ctta.batch-sise", "unknown setting; did you mean 'ctta.batch-size'?")),
                problems("name = a, batch-sise = 8"));
        // A misspelt block is reported at its leaf, with the key the user meant.
        assertEquals(List.of(new ConfigProblem("ctta.checkpoint.dir", "unknown setting; did you mean 'ctta.checkpoints.dir'?")),
                problems("name = a, checkpoint.dir = /x"));
        // Inside a declared block too.
        assertEquals(List.of(new ConfigProblem("ctta.checkpoints.dri", "unknown setting; did you mean 'ctta.checkpoints.dir'?")),
                problems("name = a, checkpoints.dri = /x"));
        // Nothing near: the known keys are listed.
        String m = problems("name = a, colour = red").get(0).toString();
        assertTrue(m.contains("'ctta.colour'") && m.contains("known keys here: alpha, batch-size"), m);
    }

    @Test
    void wrongTypesAndRangesNameTheKeyTheValueAndWhatIsExpected() {
        assertEquals("invalid setting 'ctta.batch-size' = 0: expected an integer in [1, 65536]",
                problems("name = a, batch-size = 0").get(0).toString());
        assertEquals("invalid setting 'ctta.batch-size' = 1.5: expected an integer in [1, 65536]",
                problems("name = a, batch-size = 1.5").get(0).toString());
        assertEquals("invalid setting 'ctta.alpha' = \"fast\": expected a number in (0, 1]",
                problems("name = a, alpha = fast").get(0).toString());
        assertEquals("invalid setting 'ctta.max-latency' = \"soon\": expected a positive duration such as 50ms",
                problems("name = a, max-latency = soon").get(0).toString());
        assertEquals("invalid setting 'ctta.mode' = \"quick\": expected one of fast, slow",
                problems("name = a, mode = quick").get(0).toString());
        assertEquals("invalid setting 'ctta.name': missing; expected a string (who)", problems("").get(0).toString());
    }

    @Test
    void everyProblemOfABlockIsReportedInOnePass() {
        List<ConfigProblem> all = problems("batch-size = 0, alpha = 2, mode = quick, lrr = 1, checkpoints = 3");
        assertEquals(List.of("ctta.lrr", "ctta.batch-size", "ctta.alpha", "ctta.mode", "ctta.name", "ctta.checkpoints"),
                all.stream().map(ConfigProblem::key).toList());
    }

    @Test
    void didYouMeanOnlySuggestsPlausibleMisspellings() {
        assertEquals("checkpoints", DidYouMean.nearest("checkpoint", List.of("checkpoints", "kafka")).orElseThrow());
        assertEquals("lr", DidYouMean.nearest("lrr", List.of("lr", "beta1")).orElseThrow());
        assertTrue(DidYouMean.nearest("zzzzzz", List.of("lr", "beta1")).isEmpty());
        assertTrue(DidYouMean.nearest("y", List.of("x")).isEmpty(), "one letter is not near another");
        assertEquals(3, DidYouMean.distance("kitten", "sitting"));
    }

    @Test
    void schemaDefaultsFormAConfigAndACountedListing() {
        assertEquals(64, SCHEMA.defaults().getInt("batch-size"));
        assertEquals(Duration.ofMillis(50), SCHEMA.defaults().getDuration("max-latency"));
        assertTrue(!SCHEMA.defaults().hasPath("name"), "a required setting has no default");
        SettingsListing l = new SettingsListing().add("ctta", SCHEMA);
        assertEquals(SCHEMA.count(), l.count());
        assertTrue(l.toString().contains("ctta.batch-size = 64  (int; an integer in [1, 65536])  records per batch"), l.toString());
        assertTrue(l.toString().contains("ctta.max-latency = 50ms"), l.toString());
    }
}
