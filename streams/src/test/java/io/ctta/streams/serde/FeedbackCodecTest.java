package io.ctta.streams.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ctta.streams.record.LabelFeedback;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The reasons a refused feedback record is dead-lettered with are short, name the field and the
 * rule, and carry none of Jackson's internals.
 */
class FeedbackCodecTest {

    private final FeedbackCodec codec = new FeedbackCodec();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "{\"id\":\"a\",\"eventTimeMs\":1}                    | missing field label",
            "{\"label\":3,\"eventTimeMs\":1}                     | missing field id",
            "{\"id\":\"a\",\"label\":3}                          | missing field eventTimeMs",
            "{\"id\":null,\"label\":3,\"eventTimeMs\":1}         | missing field id",
            "{\"id\":7,\"label\":3,\"eventTimeMs\":1}            | id must be a string",
            "{\"id\":\"\",\"label\":3,\"eventTimeMs\":1}         | empty id",
            "{\"id\":\"a\",\"label\":\"3\",\"eventTimeMs\":1}    | label must be an integer",
            "{\"id\":\"a\",\"label\":2.5,\"eventTimeMs\":1}      | label must be an integer",
            "{\"id\":\"a\",\"label\":3000000000,\"eventTimeMs\":1} | label must be an integer",
            "{\"id\":\"a\",\"label\":-2,\"eventTimeMs\":1}       | label must be non-negative (a class index), got -2",
            "{\"id\":\"a\",\"label\":3,\"eventTimeMs\":\"now\"}  | eventTimeMs must be an integer (epoch milliseconds)",
            "[1,2]                                              | malformed JSON: not an object",
            "`   `                                              | malformed JSON: empty value",
            "{\"id\":\"a\",\"label\":                           | malformed JSON at line 1 column 19: Unexpected end-of-input within/between Object entries",
            "{\"id\":\"a\",\"label\":1,\"eventTimeMs\":1}{\"id\":\"b\"} | malformed JSON at line 1 column 37: more than one JSON value",
            "{\"id\":\"a\" \"label\":1}                          | malformed JSON at line 1 column 11: Unexpected character ('\"'): was expecting comma to separate Object entries",
    })
    void refusedRecordsSayWhatIsWrong(String json, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> codec.decode(json.getBytes(StandardCharsets.UTF_8)));
        assertEquals(reason, e.getMessage());
    }

    @Test
    void noReasonLeaksJacksonInternals() {
        String[] broken = {"{\"id\":\"a\",\n\"label\":[1,}", "nope", "{\"id\":\"a\",\"label\":1,\"eventTimeMs\":1}{", "\u00ff\u00fe{"};
        for (String json : broken) {
            String reason = assertThrows(IllegalArgumentException.class,
                    () -> codec.decode(json.getBytes(StandardCharsets.UTF_8))).getMessage();
            for (String internal : new String[] {"Source:", "jackson", "com.fasterxml", "(code ", "\n", "MismatchedInput", "JsonNode"}) {
                assertFalse(reason.contains(internal), reason);
            }
            assertEquals(0, reason.indexOf("malformed JSON"), reason);
        }
    }

    @Test
    void validRecordsDecodeAndUnknownFieldsAreIgnored() {
        assertEquals(new LabelFeedback("r-17", 7, 1700000005000L),
                codec.decode("{\"id\":\"r-17\",\"label\":7,\"eventTimeMs\":1700000005000,\"source\":\"review\"}".getBytes(StandardCharsets.UTF_8)));
        LabelFeedback f = new LabelFeedback("id-1", 0, 5L);
        assertEquals(f, codec.decode(codec.encode(f)));
    }
}
