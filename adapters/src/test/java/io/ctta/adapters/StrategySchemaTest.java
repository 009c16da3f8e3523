package io.ctta.adapters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.adapters.ecotta.EcottaSettings;
import io.ctta.adapters.norm.NormSettings;
import io.ctta.adapters.reloop2.ReLoop2Settings;
import io.ctta.adapters.rmt.RmtSettings;
import io.ctta.adapters.tent.TentSettings;
import io.ctta.runtime.adapt.StrategyProvider;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.adapt.StrategySettingsCheck;
import io.ctta.runtime.config.ConfigProblem;
import io.ctta.runtime.config.ConfigProblems;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every strategy declares its settings, and the declarations agree with what its reader does. */
class StrategySchemaTest {

    private static final StrategyRegistry REGISTRY = StrategyRegistry.load();

    @Test
    void everyStrategyDeclaresSettingsWhoseDefaultsItsReaderAccepts() {
        assertTrue(REGISTRY.names().size() >= 12, REGISTRY.names().toString());
        for (String name : REGISTRY.names()) {
            StrategyProvider p = REGISTRY.provider(name);
            assertNotNull(p.settingsSchema(), name);
            p.validateSettings(p.settingsSchema().defaults());
        }
    }

    @Test
    void declaredDefaultsAreTheReadersDefaults() {
        assertEquals(TentSettings.fromConfig(ConfigFactory.empty()), TentSettings.fromConfig(TentSettings.SCHEMA.defaults()));
        assertEquals(NormSettings.fromConfig(ConfigFactory.empty()), NormSettings.fromConfig(NormSettings.SCHEMA.defaults()));
        assertEquals(RmtSettings.fromConfig(ConfigFactory.empty()), RmtSettings.fromConfig(RmtSettings.SCHEMA.defaults()));
        assertEquals(EcottaSettings.fromConfig(ConfigFactory.empty()), EcottaSettings.fromConfig(EcottaSettings.SCHEMA.defaults()));
        assertEquals(ReLoop2Settings.fromConfig(ConfigFactory.empty()).toString(),
                ReLoop2Settings.fromConfig(ReLoop2Settings.SCHEMA.defaults()).toString());
    }

    private static List<ConfigProblem> check(String strategy, String hocon) {
        Config c = ConfigFactory.parseString(hocon);
        ConfigProblems problems = new ConfigProblems();
        StrategySettingsCheck.check(REGISTRY.provider(strategy), c, c, "ctta.strategies." + com.typesafe.config.ConfigUtil.joinPath(strategy), problems);
        return problems.list();
    }

    @Test
    void aWrongTypeAnUnknownKeyAndACrossSettingRuleAreEachReported() {
        // Bug: "strategies.tent.lr = fast" used to pass startup and fail in the model actor.
        assertEquals(List.of(ConfigProblem.badValue("ctta.strategies.tent.lr", "fast", "a number > 0")), check("tent", "lr = fast"));
        // Bug: a misspelt strategy key ("lrr") used to be dropped silently.
        assertEquals(List.of(new ConfigProblem("ctta.strategies.tent.lrr", "unknown setting; did you mean 'ctta.strategies.tent.lr'?")),
                check("tent", "lrr = 0.01"));
        // Ranges the strategy checks itself still come out at startup, naming the key.
        // Ranges the strategy checks itself still come out at startup, at the key as written.
        assertEquals(List.of(new ConfigProblem("ctta.strategies.tent.lr", "= -1.0: expected > 0")), check("tent", "lr = -1"));
        ConfigProblem none = check("sgd+spectral", "regularizer = none").get(0);
        assertEquals("ctta.strategies.\"sgd+spectral\".regularizer", none.key());
        assertTrue(none.message().contains("use strategy 'sgd'"), none.toString());
        assertEquals(List.of(), check("rmt", "source-replay = false"), "a dependent default is not forced by the declarations");
        assertEquals("ctta.strategies.ecotta.warmup.epochs", check("ecotta", "warmup.epochs = many").get(0).key());
        assertEquals("ctta.strategies.source.lr", check("source", "lr = 1").get(0).key());
    }

    @Test
    void theReadersStillRefuseWhatTheyRefusedWithoutTheDeclarations() {
        assertThrows(IllegalArgumentException.class, () -> TentSettings.fromConfig(ConfigFactory.parseString("lr = fast")));
    }
}
