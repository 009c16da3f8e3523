package io.ctta.actors.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CttaSettingsTest {

    // Names only (strategy settings are then checked when each strategy is created); reference.conf
    // holds a block for every registered strategy.
    private static final Set<String> STRATEGIES = io.ctta.runtime.adapt.StrategyRegistry.load().names();

    private static CttaSettings load(String hocon) {
        Config full = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve();
        return CttaSettings.fromConfig(full.getConfig("ctta"), STRATEGIES::contains, STRATEGIES);
    }

    private static InvalidConfigException rejects(String hocon) {
        return assertThrows(InvalidConfigException.class, () -> load(hocon));
    }

    @Test
    void validPipelineInheritsDefaultsAndStrategySettings() {
        CttaSettings s = load("ctta.pipelines = [{ name = cam, input-topic = frames, strategy = tent, strategy-settings { lr = 0.01 } }]");
        var p = s.pipelines().get(0);
        assertEquals("ctta-cam", p.groupId());
        assertEquals(64, p.batchSize());
        assertEquals(Duration.ofMillis(50), p.maxLatency());
        assertEquals(0.01, p.strategySettings().getDouble("lr"));
        assertEquals(0.9, p.strategySettings().getDouble("beta1"), "falls back to ctta.strategies.tent");
        assertTrue(s.kafka().embedded());
    }

    @Test
    void theEmbeddedBrokerHasAFixedPortByDefaultAndItsKeysAreChecked() {
        CttaSettings s = load("ctta.pipelines = []");
        assertEquals(9092, s.kafka().embeddedPort());
        assertEquals(null, s.kafka().embeddedDataDir(), "a temporary directory by default");
        CttaSettings set = load("ctta.kafka.embedded { port = 0, data-dir = /var/lib/ctta/kafka }\nctta.pipelines = []");
        assertEquals(0, set.kafka().embeddedPort());
        assertEquals(java.nio.file.Path.of("/var/lib/ctta/kafka"), set.kafka().embeddedDataDir());
        var e = rejects("ctta.kafka.embedded.port = 70000\nctta.pipelines = []");
        assertEquals("ctta.kafka.embedded.port", e.key());
    }

    @Test
    void intraOpThreadsShareTheCoresAmongPipelinesUnlessSet() {
        CttaSettings auto = load("ctta.pipelines = []");
        assertEquals(0, auto.model().intraOpThreadsSetting(), "auto by default");
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(cores, auto.model().intraOpThreads(1).count());
        assertEquals(Math.max(1, cores / 2), auto.model().intraOpThreads(2).count());
        assertEquals(1, auto.model().intraOpThreads(cores + 1).count(), "at least one thread");
        assertEquals(3, load("ctta.model.intra-op-threads = 3\nctta.pipelines = []").model().intraOpThreads(2).count());
        assertEquals("ctta.model.intra-op-threads", rejects("ctta.model.intra-op-threads = -1\nctta.pipelines = []").key());
    }

    @Test
    void clientPropertiesKeepKafkasDottedKeysAndTheirSecretsOutOfToString() {
        // Nested (as a file usually has it) and quoted (as --kafka-property writes it) give the same keys.
        CttaSettings s = load("ctta.kafka.bootstrap-servers = \"b1:9093\"\n"
                + "ctta.kafka.client-properties { sasl.mechanism = PLAIN, \"security.protocol\" = SASL_SSL }\n"
                + "ctta.kafka.client-properties.\"sasl.jaas.config\" = \"\"\"x required username=\"u\" password=\"pw-0xdeadbeef\";\"\"\"\n"
                + "ctta.kafka.client-properties.\"ssl.truststore.password\" = ts-0xfeedface\n"
                + "ctta.pipelines = []");
        assertEquals(Set.of("sasl.mechanism", "security.protocol", "sasl.jaas.config", "ssl.truststore.password"),
                s.kafka().clientProperties().keySet());
        assertEquals("x required username=\"u\" password=\"pw-0xdeadbeef\";", s.kafka().clientProperties().get("sasl.jaas.config"));
        String printed = s.toString();
        assertTrue(printed.contains("sasl.jaas.config=[redacted]") && printed.contains("security.protocol=SASL_SSL"), printed);
        assertTrue(!printed.contains("0xdeadbeef") && !printed.contains("0xfeedface"), printed);
    }

    @Test
    void badBatchSizeNamesTheKeyTheValueAndTheRange() {
        var e = rejects("ctta.pipelines = [{ name = a, input-topic = t, batch-size = 0 }]");
        assertEquals("ctta.pipelines[0].batch-size", e.key());
        assertTrue(e.getMessage().contains("= 0") && e.getMessage().contains("[1, 65536]"), e.getMessage());
    }

    @Test
    void standbyIsOffByDefaultAndOnlyForScopePipelineWithCheckpoints() {
        assertFalse(load("ctta.pipelines = [{ name = a, input-topic = t }]").pipelines().get(0).standby());
        String ckpt = "ctta.checkpoints.dir = \"/tmp/ck\"\n";
        assertTrue(load(ckpt + "ctta.pipelines = [{ name = a, input-topic = t, standby = true }]").pipelines().get(0).standby());
        assertTrue(load(ckpt + "ctta.pipeline-defaults.standby = true\nctta.pipelines = [{ name = a, input-topic = t }]").pipelines().get(0).standby(),
                "inherited from the pipeline defaults");
        for (String scope : new String[] {"partition", "key"}) {
            var e = rejects(ckpt + "ctta.pipelines = [{ name = a, input-topic = t, strategy = tent, scope = " + scope + ", standby = true }]");
            assertEquals("ctta.pipelines[0].standby", e.key());
            assertTrue(e.getMessage().contains("scope = pipeline"), e.getMessage());
        }
        var e = rejects("ctta.pipelines = [{ name = a, input-topic = t, standby = true }]");
        assertEquals("ctta.pipelines[0].standby", e.key());
        assertTrue(e.getMessage().contains("ctta.checkpoints.dir"), e.getMessage());
        assertEquals("ctta.pipelines[0].standby", rejects(ckpt + "ctta.pipelines = [{ name = a, input-topic = t, standby = maybe }]").key());
    }

    @Test
    void exactlyOnceOutputNeedsCheckpointsAndDefaultsItsTransactionalId() {
        var e = rejects("ctta.pipelines = [{ name = a, input-topic = t, output.mode = exactly-once }]");
        assertEquals("ctta.pipelines[0].output.mode", e.key());
        assertTrue(e.getMessage().contains("ctta.checkpoints.dir"), e.getMessage());
        var p = load("ctta.checkpoints.dir = \"/tmp/ck\"\nctta.pipelines = [{ name = a, input-topic = t, output { mode = exactly-once } }]")
                .pipelines().get(0);
        assertTrue(p.output().exactlyOnce());
        assertEquals("ctta-a", p.output().transactionalId());
        assertEquals(Duration.ofSeconds(1), p.output().transactionInterval());
        assertEquals("ctta.pipelines[0].output.mode", rejects("ctta.pipelines = [{ name = a, input-topic = t, output.mode = twice }]").key());
        assertEquals(CttaSettings.OutputMode.AT_LEAST_ONCE, load("ctta.pipelines = [{ name = a, input-topic = t }]").pipelines().get(0).output().mode());
    }

    @Test
    void unknownStrategyListsTheKnownOnes() {
        var e = rejects("ctta.pipelines = [{ name = a, input-topic = t, strategy = tnet }]");
        assertEquals("ctta.pipelines[0].strategy", e.key());
        assertTrue(e.getMessage().contains("tnet") && e.getMessage().contains("tent"), e.getMessage());
    }

    @Test
    void missingInputTopicIsNamed() {
        var e = rejects("ctta.pipelines = [{ name = a }]");
        assertEquals("ctta.pipelines[0].input-topic", e.key());
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void wrongTypeSaysWhatIsExpected() {
        var e = rejects("ctta.pipelines = [{ name = a, input-topic = t, max-latency = soon }]");
        assertEquals("ctta.pipelines[0].max-latency", e.key());
        assertTrue(e.getMessage().contains("duration"), e.getMessage());
    }

    @Test
    void badDeviceBootstrapAndModelKind() {
        assertEquals("ctta.model.device", rejects("ctta.model.device = tpu").key());
        assertEquals("ctta.kafka.bootstrap-servers", rejects("ctta.kafka.bootstrap-servers = \"localhost\"").key());
        assertEquals("ctta.model.kind", rejects("ctta.model.kind = onnx").key());
        assertEquals("ctta.model.path", rejects("ctta.model.kind = torchscript").key());
        assertEquals("ctta.http.port", rejects("ctta.http.port = 70000").key());
    }

    @Test
    void builtInMlpKindIsAcceptedAndAMalformedOneNamesTheKey() {
        assertEquals("mlp:784-300-150-10", load("ctta.model.kind = \"mlp:784-300-150-10\"").model().kind());
        var e = rejects("ctta.model.kind = \"mlp:784-x-10\"");
        assertEquals("ctta.model.kind", e.key());
        assertTrue(e.getMessage().contains("mlp:784-300-150-10"), e.getMessage());
        assertEquals("ctta.model.kind", rejects("ctta.model.kind = \"mlp:784-300-1\"").key());
        var spec = new io.ctta.actors.model.ModelSource(load("ctta.model.kind = \"mlp:784-300-150-10\"").model()).spec();
        assertEquals(io.ctta.runtime.model.ModelSpec.Kind.MLP, spec.kind());
        assertEquals(10, spec.numClasses());
    }

    @Test
    void duplicatePipelineNamesAndBadNamesAreRejected() {
        assertEquals("ctta.pipelines[1].name",
                rejects("ctta.pipelines = [{ name = a, input-topic = t }, { name = a, input-topic = u }]").key());
        assertEquals("ctta.pipelines[0].name", rejects("ctta.pipelines = [{ name = \"a b\", input-topic = t }]").key());
    }

    @Test
    void settingsOfAnUnknownStrategyAreRejected() {
        assertEquals("ctta.strategies.tnet", rejects("ctta.strategies.tnet { lr = 1 }").key());
    }

    // --- The whole file at once, through the declarations, with the registered strategies ---------

    private static final io.ctta.runtime.adapt.StrategyRegistry REGISTRY = io.ctta.runtime.adapt.StrategyRegistry.load();

    private static InvalidConfigException rejectsWithRegistry(String hocon) {
        return assertThrows(InvalidConfigException.class, () -> CttaSettings.load(ConfigFactory.parseString(hocon), REGISTRY));
    }

    private static final String ONE_PIPELINE = "ctta.pipelines = [{ name = a, input-topic = t, strategy = tent }]\n";

    @Test
    void aStrategySettingOfTheWrongTypeFailsValidationNotTheModelActor() {
        var e = rejectsWithRegistry(ONE_PIPELINE + "ctta.strategies.tent.lr = fast");
        assertEquals("ctta.strategies.tent.lr", e.key());
        assertTrue(e.getMessage().contains("\"fast\"") && e.getMessage().contains("a number > 0"), e.getMessage());
        // The same in a pipeline's own overrides, and a range only the strategy knows.
        assertEquals("ctta.pipelines[0].strategy-settings.lr",
                rejectsWithRegistry("ctta.pipelines = [{ name = a, input-topic = t, strategy = tent, strategy-settings.lr = fast }]").key());
        var range = rejectsWithRegistry("ctta.pipelines = [{ name = a, input-topic = t, strategy = tent, strategy-settings.lr = -1 }]");
        assertEquals("invalid setting 'ctta.pipelines[0].strategy-settings.lr' = -1.0: expected > 0", range.getMessage());
    }

    @Test
    void misspeltKeysAreErrorsThatNameTheKeyMeant() {
        var checkpoint = rejectsWithRegistry(ONE_PIPELINE + "ctta.checkpoint.dir = /tmp/ckpt");
        assertEquals("ctta.checkpoint.dir", checkpoint.key());
        assertTrue(checkpoint.getMessage().contains("did you mean 'ctta.checkpoints.dir'?"), checkpoint.getMessage());
        var batch = rejectsWithRegistry("ctta.pipelines = [{ name = a, input-topic = t, batch-sise = 8 }]");
        assertEquals("ctta.pipelines[0].batch-sise", batch.key());
        assertTrue(batch.getMessage().contains("did you mean 'ctta.pipelines[0].batch-size'?"), batch.getMessage());
        var lrr = rejectsWithRegistry(ONE_PIPELINE + "ctta.strategies.tent.lrr = 0.01");
        assertEquals("ctta.strategies.tent.lrr", lrr.key());
        assertTrue(lrr.getMessage().contains("did you mean 'ctta.strategies.tent.lr'?"), lrr.getMessage());
        assertEquals("ctta.pipeline-defaults.feedback.ttll",
                rejectsWithRegistry(ONE_PIPELINE + "ctta.pipeline-defaults.feedback.ttll = 1m").key());
        var strategy = rejectsWithRegistry("ctta.pipelines = [{ name = a, input-topic = t, strategy = tnet }]");
        assertTrue(strategy.getMessage().contains("did you mean 'tent'?"), strategy.getMessage());
    }

    @Test
    void detectorSettingsAreCheckedAtStartup() {
        String drift = "ctta.pipelines = [{ name = a, input-topic = t, drift.detectors = [{ detector = adwin, signal = entropy, settings %s }] }]";
        var unknown = rejectsWithRegistry(String.format(drift, "{ deltaa = 0.1 }"));
        assertEquals("ctta.pipelines[0].drift.detectors[0].settings.deltaa", unknown.key());
        assertTrue(unknown.getMessage().contains("did you mean"), unknown.getMessage());
        assertEquals("ctta.pipelines[0].drift.detectors[0].settings.delta",
                rejectsWithRegistry(String.format(drift, "{ delta = 2 }")).key());
    }

    @Test
    void everyProblemInTheFileIsReportedAtOnce() {
        var e = rejectsWithRegistry("ctta.pipelines = [{ name = a, input-topic = t, strategy = tent, batch-size = 0 }]\n"
                + "ctta.checkpoint.dir = x\nctta.strategies.tent.lr = fast\nctta.http.port = -1");
        assertEquals(List.of("ctta.checkpoint.dir", "ctta.http.port", "ctta.strategies.tent.lr", "ctta.pipelines[0].batch-size"),
                e.problems().stream().map(io.ctta.runtime.config.ConfigProblem::key).toList());
        assertTrue(e.getMessage().startsWith("4 problems in the configuration:\n  invalid setting 'ctta.checkpoint.dir'"), e.getMessage());
    }

    @Test
    void aValidFileWithEveryStrategyPasses() {
        StringBuilder b = new StringBuilder("ctta.pipelines = [");
        int i = 0;
        for (String name : REGISTRY.names()) {
            if (REGISTRY.provider(name).settingsSchema() != null) {
                b.append("{ name = p").append(i++).append(", input-topic = t, strategy = \"").append(name).append("\" }\n");
            }
        }
        CttaSettings.Checked c = CttaSettings.check(ConfigFactory.parseString(b.append("]").toString())
                .withFallback(ConfigFactory.defaultReference()).resolve().getConfig("ctta"), REGISTRY);
        assertEquals(i, c.settings().pipelines().size());
        assertTrue(c.settingsChecked() > 200, "settings checked: " + c.settingsChecked());
    }
}
