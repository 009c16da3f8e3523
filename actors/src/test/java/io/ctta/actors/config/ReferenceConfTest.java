package io.ctta.actors.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueFactory;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.config.Setting;
import io.ctta.runtime.config.SettingType;
import io.ctta.runtime.config.SettingsSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * reference.conf is written by hand for its comments; this holds it to the declarations both ways,
 * so that every default exists once: every declared key is there with the declared default, and
 * nothing is there that is not declared.
 */
class ReferenceConfTest {

    private static final Path FILE = Path.of("src/main/resources/reference.conf");

    private static Config reference() {
        return ConfigFactory.parseFile(FILE.toFile()).resolve().getConfig("ctta");
    }

    private static SettingsSchema schema() {
        return CttaSchema.root(StrategyRegistry.load());
    }

    @Test
    void everyDeclaredSettingIsInReferenceConfWithItsDeclaredDefault() throws Exception {
        Config ref = reference();
        String text = Files.readString(FILE);
        List<String> wrong = new ArrayList<>();
        schema().forEach("", (key, s) -> {
            if (s.hasDependentDefault()) {
                // Set there, it would override the strategy's own choice; documented in a comment instead.
                if (ref.hasPath(key) || !text.contains("# " + s.key() + " = ")) {
                    wrong.add(key + ": its default depends on another setting; expected only a comment '# " + s.key() + " = ...'");
                }
                return;
            }
            if (s.type() == SettingType.BLOCK) {
                if (!ref.hasPath(key) || !ref.getObject(key).isEmpty()) {
                    wrong.add(key + ": expected an empty block {}");
                }
                return;
            }
            if (!ref.hasPath(key)) {
                wrong.add(key + ": missing (declared default " + s.defaultValue() + ")");
            } else if (!same(ref, key, s)) {
                wrong.add(key + ": reference.conf has " + ref.getValue(key).unwrapped() + ", declared " + s.defaultValue());
            }
        });
        assertEquals(List.of(), wrong);
    }

    @Test
    void referenceConfHoldsNoKeyThatIsNotDeclared() {
        Config ref = reference();
        TreeSet<String> declared = new TreeSet<>();
        schema().forEach("", (key, s) -> declared.add(key));
        List<String> undeclared = new ArrayList<>();
        for (Map.Entry<String, ?> e : ref.entrySet()) {
            if (!declared.contains(e.getKey())) {
                undeclared.add(e.getKey());
            }
        }
        assertEquals(List.of(), undeclared);
        // Every strategy that declares settings has its block, even one with no settings (source).
        StrategyRegistry registry = StrategyRegistry.load();
        for (String name : registry.names()) {
            if (registry.provider(name).settingsSchema() != null) {
                assertTrue(ref.hasPath("strategies." + ConfigUtil.joinPath(name)), name);
            }
        }
    }

    private static boolean same(Config ref, String key, Setting<?> s) {
        Object d = s.defaultValue();
        return switch (s.type()) {
            case DURATION -> ref.getDuration(key).equals(d);
            case DOUBLE -> ref.getDouble(key) == (Double) d;
            case INT, LONG -> ref.getNumber(key).longValue() == ((Number) d).longValue()
                    && ref.getNumber(key).doubleValue() == ((Number) d).doubleValue();
            case BOOLEAN -> ref.getBoolean(key) == (Boolean) d;
            case LIST -> ref.getList(key).unwrapped().equals(ConfigValueFactory.fromAnyRef(d).unwrapped());
            default -> ref.getString(key).equals(d);
        };
    }
}
