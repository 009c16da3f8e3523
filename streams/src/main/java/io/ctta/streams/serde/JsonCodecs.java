package io.ctta.streams.serde;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one Jackson configuration shared by the JSON output codecs. */
final class JsonCodecs {

    private JsonCodecs() {
    }

    /**
     * Unknown fields are ignored so that adding a field (a compatible change under the versioning
     * policy) does not break older readers; missing primitives are an error so a truncated record is
     * not read as zeros.
     */
    static ObjectMapper mapper() {
        return JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                .build();
    }
}
