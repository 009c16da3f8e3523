package io.ctta.runtime.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

/** Each detector's declared defaults are the ones its reader applies: defaults exist once. */
class DetectorSchemaTest {

    @Test
    void declaredDefaultsAreTheReadersDefaults() {
        assertEquals(AdwinSettings.fromConfig(ConfigFactory.empty()), AdwinSettings.fromConfig(AdwinSettings.SCHEMA.defaults()));
        assertEquals(PageHinkleySettings.fromConfig(ConfigFactory.empty()), PageHinkleySettings.fromConfig(PageHinkleySettings.SCHEMA.defaults()));
        assertEquals(DdmSettings.fromConfig(ConfigFactory.empty()), DdmSettings.fromConfig(DdmSettings.SCHEMA.defaults()));
        assertEquals(KsSettings.fromConfig(ConfigFactory.empty()), KsSettings.fromConfig(KsSettings.SCHEMA.defaults()));
        assertEquals(MmdSettings.fromConfig(ConfigFactory.empty()), MmdSettings.fromConfig(MmdSettings.SCHEMA.defaults()));
    }

    @Test
    void everyDetectorDeclaresExactlyTheKeysItsReaderAccepts() {
        for (String name : DriftDetectors.NAMES) {
            // Every declared key is accepted by the reader (an undeclared one would throw "not a setting").
            DriftDetectors.create(name, DriftDetectors.schema(name).defaults(), 1);
        }
    }
}
