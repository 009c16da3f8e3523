package io.ctta.actors.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ctta.actors.health.HealthCheck;
import io.ctta.actors.health.PipelineStatus;
import io.ctta.actors.model.InputContract;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON bodies of the health probes and {@code /api/pipelines} (docs/operations.md, "Health"):
 * each pipeline's state, last error, lag and the model's input contract. Reads the state registry
 * and the meters only, never an actor.
 */
final class PipelinesJson {

    private final ObjectMapper json = new ObjectMapper();
    private final MeterRegistry meters;
    private final InputContract contract;

    /**
     * @param meters where the pipelines' lag gauges ({@code ctta.consumer.lag}) are
     * @param contract the input contract of the model every pipeline serves; null when unknown
     */
    PipelinesJson(MeterRegistry meters, InputContract contract) {
        this.meters = meters;
        this.contract = contract;
    }

    /** The body of {@code /health}, {@code /health/live} and {@code /health/ready}. */
    String health(HealthCheck.Verdict v) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", v.live() ? "up" : "down");
        out.put("live", v.live());
        out.put("ready", v.ready());
        out.put("onPipelineFailure", v.policy().configName());
        List<Object> pipelines = new ArrayList<>();
        for (PipelineStatus s : v.pipelines()) {
            pipelines.add(state(s));
        }
        out.put("pipelines", pipelines);
        return write(out);
    }

    /** The body of {@code /api/pipelines}. */
    String pipelines(List<PipelineStatus> all) {
        List<Object> out = new ArrayList<>();
        for (PipelineStatus s : all) {
            Map<String, Object> p = state(s);
            p.put("strategy", s.strategy());
            p.put("lag", lag(s.name()));
            p.put("inputContract", contract == null ? null : contract(contract));
            out.add(p);
        }
        return write(out);
    }

    private static Map<String, Object> state(PipelineStatus s) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("name", s.name());
        p.put("state", s.state().name());
        p.put("since", iso(s.since()));
        p.put("restarts", s.restarts());
        p.put("attempt", s.attempt());
        p.put("nextRetry", iso(s.nextRetry()));
        p.put("lastError", s.lastError());
        p.put("lastErrorAt", iso(s.lastErrorAt()));
        return p;
    }

    /**
     * The pipeline's consumer lag as its gauges hold it: per partition when they are tagged with
     * one ({@code records} is then their sum), else the one value they report. Null when unknown.
     */
    private Map<String, Object> lag(String pipeline) {
        Map<String, Object> lag = new LinkedHashMap<>();
        Map<String, Double> partitions = new TreeMap<>();
        Double untagged = null;
        for (Gauge g : meters.find("ctta.consumer.lag").tag("pipeline", pipeline).gauges()) {
            double v = g.value();
            String partition = g.getId().getTag("partition");
            if (partition == null) {
                untagged = Double.isFinite(v) ? v : null;
            } else if (Double.isFinite(v)) {
                String topic = g.getId().getTag("topic");
                partitions.put(topic == null ? partition : topic + "-" + partition, v);
            }
        }
        Double records = untagged;
        if (!partitions.isEmpty()) {
            records = partitions.values().stream().mapToDouble(Double::doubleValue).sum();
        }
        lag.put("records", records);
        if (!partitions.isEmpty()) {
            lag.put("partitions", partitions);
        }
        return lag;
    }

    private static Map<String, Object> contract(InputContract c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("modelVersion", c.modelVersion());
        m.put("shape", c.shape());
        m.put("acceptedShape", c.acceptedShape());
        m.put("resize", c.resize());
        m.put("dtypes", c.dtypes());
        m.put("encodings", c.encodings());
        Map<String, Object> range = new LinkedHashMap<>();
        range.put("min", c.valueMin());
        range.put("max", c.valueMax());
        m.put("valueRange", range);
        Map<String, Object> pre = new LinkedHashMap<>();
        pre.put("scale", c.scale());
        pre.put("mean", c.mean());
        pre.put("std", c.std());
        m.put("preprocessing", pre);
        m.put("numClasses", c.numClasses());
        m.put("classes", c.classNames());
        return m;
    }

    private static String iso(Instant t) {
        return t == null ? null : t.toString();
    }

    private String write(Object o) {
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
