package io.ctta.actors.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

/** The output producers' settings ctta adds to the user's Kafka client properties. */
class ProducerPropertiesTest {

    private static PipelineSupervisor.Deps deps(Properties kafka) {
        return new PipelineSupervisor.Deps(kafka, null, null, null, null, null, null, null, null, null, null, null,
                new PipelineSupervisor.OutputLimits(1 << 20, 1 << 20), null, null, null);
    }

    @Test
    void aBatchOfPredictionsFitsOneProduceRequestUnlessTheUserSaidOtherwise() {
        Properties none = deps(new Properties()).producerProperties();
        assertEquals(String.valueOf(128 * 1024), none.get(ProducerConfig.BATCH_SIZE_CONFIG));
        assertEquals(String.valueOf(1 << 20), none.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));

        Properties user = new Properties();
        user.put(ProducerConfig.BATCH_SIZE_CONFIG, "4096");
        assertEquals("4096", deps(user).producerProperties().get(ProducerConfig.BATCH_SIZE_CONFIG));
    }
}
