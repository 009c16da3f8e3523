package io.ctta.streams.serde;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ctta.streams.record.DType;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.RecordMetadata;
import io.ctta.streams.record.Tensor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON alternative for small tabular records:
 * {@code {"id":..,"key":..,"eventTime":..,"domain":..,"label":..,"dtype":"float32","shape":[..],"features":[..]}},
 * plus an optional {@code "metadata"} object of strings.
 */
final class JsonRecordFormat {

    private final ObjectMapper mapper;

    JsonRecordFormat(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    byte[] encode(InferenceRecord r) {
        ObjectNode o = mapper.createObjectNode();
        o.put("id", r.id());
        o.put("key", r.key());
        o.put("eventTime", r.eventTimeMs());
        if (r.domain() != null) {
            o.put("domain", r.domain());
        }
        if (r.label() != null) {
            o.put("label", r.label());
        }
        if (!r.metadata().isEmpty()) {
            ObjectNode m = o.putObject("metadata");
            r.metadata().forEach(m::put);
        }
        Tensor t = r.features();
        o.put("dtype", t.dtype().name().toLowerCase(java.util.Locale.ROOT));
        ArrayNode shape = o.putArray("shape");
        for (int d : t.shape()) {
            shape.add(d);
        }
        ArrayNode features = o.putArray("features");
        for (float v : t.values()) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("record " + r.id() + " has non-finite value " + v
                        + "; JSON cannot carry it and consumers reject it");
            }
            features.add(v);
        }
        try {
            return mapper.writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON record " + r.id(), e);
        }
    }

    /** Decodes {@code value}, whose length the caller has already checked against the limits. */
    InferenceRecord decode(byte[] kafkaKey, byte[] value, RecordLimits limits) {
        JsonNode root;
        try {
            root = mapper.readTree(value);
        } catch (JsonProcessingException e) {
            throw new Reject(JsonProblems.malformed(e));
        } catch (IOException e) {
            throw new Reject("malformed JSON");
        }
        if (root == null || !root.isObject()) {
            throw new Reject("malformed JSON: top level is not an object");
        }
        String id = text(root, "id", true);
        if (id.isEmpty()) {
            throw new Reject("empty id");
        }
        String key = text(root, "key", false);
        if (key == null) {
            key = kafkaKey == null ? "" : new String(kafkaKey, StandardCharsets.UTF_8);
        }
        JsonNode et = root.get("eventTime");
        if (et == null || !et.canConvertToLong() || !et.isIntegralNumber()) {
            throw new Reject("missing field: eventTime (integer epoch milliseconds)");
        }
        String domain = text(root, "domain", false);
        Integer label = null;
        JsonNode l = root.get("label");
        if (l != null && !l.isNull()) {
            if (!l.isIntegralNumber() || !l.canConvertToInt() || l.intValue() < 0) {
                throw new Reject("negative label or label not a non-negative integer: " + l);
            }
            label = l.intValue();
        }
        Map<String, String> metadata = metadata(root.get("metadata"));
        DType dtype = DType.FLOAT32;
        String dt = text(root, "dtype", false);
        if (dt != null) {
            dtype = switch (dt) {
                case "float32" -> DType.FLOAT32;
                case "uint8" -> DType.UINT8;
                default -> throw new Reject("unknown dtype '" + dt + "'");
            };
        }
        JsonNode f = root.get("features");
        if (f == null || !f.isArray()) {
            throw new Reject("missing field: features (array of numbers)");
        }
        int[] shape = shape(root.get("shape"), f.size(), limits);
        if (f.size() > limits.maxElements()) {
            throw new Reject("too many elements: " + f.size() + " exceeds maxElements " + limits.maxElements());
        }
        if (!limits.shapeAccepted(shape)) {
            throw new Reject("wrong shape " + Arrays.toString(shape) + ", expected "
                    + Arrays.toString(limits.expectedShape()));
        }
        float[] values = new float[f.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = f.get(i);
            if (!v.isNumber()) {
                throw new Reject("malformed JSON: features[" + i + "] is not a number");
            }
            float x = (float) v.doubleValue();
            if (!Float.isFinite(x)) {
                throw new Reject("non-finite value at index " + i + " (out of float32 range)");
            }
            if (dtype == DType.UINT8 && !(x >= 0 && x <= 255 && x == Math.rint(x))) {
                throw new Reject("uint8 value " + v + " at index " + i + " is not an integer in 0..255");
            }
            values[i] = x;
        }
        return new InferenceRecord(id, key, et.longValue(), domain, label, new Tensor(dtype, shape, values), metadata);
    }

    /** The optional {@code "metadata"} object: string values only, within {@link RecordMetadata}'s limits. */
    private static Map<String, String> metadata(JsonNode m) {
        if (m == null || m.isNull()) {
            return Map.of();
        }
        if (!m.isObject()) {
            throw new Reject("malformed JSON: metadata is not an object of strings");
        }
        String problem = RecordMetadata.countProblem(m.size());
        if (problem != null) {
            throw new Reject(problem);
        }
        Map<String, String> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            problem = RecordMetadata.keyProblem(e.getKey());
            if (problem != null) {
                throw new Reject(problem);
            }
            if (!e.getValue().isTextual()) {
                throw new Reject("metadata value of '" + e.getKey() + "' is not a string");
            }
            problem = RecordMetadata.valueProblem(e.getKey(), e.getValue().textValue());
            if (problem != null) {
                throw new Reject(problem);
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    private static int[] shape(JsonNode s, int featureCount, RecordLimits limits) {
        if (s == null || s.isNull()) {
            if (featureCount == 0) {
                throw new Reject("non-positive dimension 0: features is empty");
            }
            return new int[] {featureCount};
        }
        if (!s.isArray()) {
            throw new Reject("malformed JSON: shape is not an array");
        }
        if (s.size() == 0 || s.size() > limits.maxRank()) {
            throw new Reject("rank " + s.size() + " outside 1.." + limits.maxRank());
        }
        int[] shape = new int[s.size()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = s.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt()) {
                throw new Reject("malformed JSON: shape[" + i + "] is not an int");
            }
            if (d.intValue() <= 0) {
                throw new Reject("non-positive dimension " + d.intValue() + " at axis " + i);
            }
            shape[i] = d.intValue();
            n = Math.multiplyExact(n, shape[i]);
            if (n > limits.maxElements()) {
                throw new Reject("too many elements: shape exceeds maxElements " + limits.maxElements());
            }
        }
        if (n != featureCount) {
            throw new Reject("wrong shape " + Arrays.toString(shape) + " for " + featureCount + " features");
        }
        return shape;
    }

    private static String text(JsonNode root, String field, boolean required) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw new Reject("missing field: " + field);
            }
            return null;
        }
        if (!n.isTextual()) {
            throw new Reject("malformed JSON: " + field + " is not a string");
        }
        return n.textValue();
    }
}
