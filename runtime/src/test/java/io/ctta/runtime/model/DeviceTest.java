package io.ctta.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DeviceTest {
    @Test
    void parsesAcceptedForms() {
        assertEquals(Device.CPU, Device.parse("cpu"));
        assertEquals(new Device(Device.Type.GPU, 1), Device.parse("GPU:1"));
        assertEquals(Device.Type.AUTO, Device.parse(" auto ").type());
        assertEquals("gpu:1", Device.parse("gpu:1").toString());
        assertEquals(ai.djl.Device.cpu(), Device.CPU.toDjl());
    }

    @Test
    void rejectsOthersNamingTheForms() {
        for (String bad : new String[] {"gpu", "gpu:-1", "gpu:x", "tpu", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse(bad));
            assertTrue(e.getMessage().contains("cpu, gpu:N"), e.getMessage());
        }
    }
}
