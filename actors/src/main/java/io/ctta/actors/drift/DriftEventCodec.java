package io.ctta.actors.drift;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** JSON of drift events, and the Kafka record that carries one to {@code <pipeline>.drift}. */
public final class DriftEventCodec {

    private final ObjectMapper json = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

    public byte[] encode(DriftEvent e) {
        try {
            return json.writeValueAsBytes(e);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    public DriftEvent decode(byte[] value) {
        try {
            return json.readValue(value, DriftEvent.class);
        } catch (IOException ex) {
            throw new IllegalArgumentException("not a drift event: " + ex.getMessage(), ex);
        }
    }

    /** The record: key = pipeline name, JSON value, content-type and schema headers. */
    public ProducerRecord<byte[], byte[]> record(String topic, DriftEvent e) {
        RecordHeaders h = new RecordHeaders();
        h.add("content-type", "application/json".getBytes(StandardCharsets.UTF_8));
        h.add("ctta.schema", "1".getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, e.pipeline().getBytes(StandardCharsets.UTF_8), encode(e), h);
    }
}
