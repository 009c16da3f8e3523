package io.ctta.streams.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.streams.data.Domain;
import io.ctta.streams.data.LabeledImages;
import io.ctta.streams.record.DType;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.Tensor;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class SourceRecordsTest {

    /** A source over fixed samples. */
    private static DatasetSource of(List<Sample> samples) {
        SkipLog skips = new SkipLog("fixed");
        return new DatasetSource() {
            @Override
            public String description() {
                return "fixed";
            }

            @Override
            public List<DomainInfo> domains() {
                return List.of(new DomainInfo("d", samples.size()));
            }

            @Override
            public OptionalInt classes() {
                return OptionalInt.empty();
            }

            @Override
            public Iterator<Sample> samples() {
                return samples.iterator();
            }

            @Override
            public SkipLog skips() {
                return skips;
            }
        };
    }

    private static Sample rgb(String id, int side, Map<String, String> metadata) {
        return new Sample(id, "location-3", 5, new Tensor(DType.UINT8, new int[] {3, side, side}, new float[3 * side * side]),
                metadata);
    }

    @Test
    void domainListRecordsAreTheRecordsTheDemoHasAlwaysReplayed() {
        LabeledImages a = new LabeledImages(2, 1, 2, new byte[] {1, 2, 3, 4}, new int[] {7, 8});
        LabeledImages b = new LabeledImages(1, 1, 2, new byte[] {9, 10}, new int[] {0});
        List<Domain> domains = List.of(new Domain("fog-5", a), new Domain("empty", new LabeledImages(0, 1, 2, new byte[0], new int[0])),
                new Domain("snow-5", b));
        DomainListSource source = new DomainListSource("test", domains, 10);
        assertEquals(List.of(new DomainInfo("fog-5", 2), new DomainInfo("empty", 0), new DomainInfo("snow-5", 1)), source.domains());
        List<InferenceRecord> records = new ArrayList<>();
        new SourceRecords(source, "camera-0", 1000).forEachRemaining(records::add);
        assertEquals(List.of(
                new InferenceRecord("fog-5/0", "camera-0", 1000, "fog-5", 7, new Tensor(DType.UINT8, new int[] {1, 1, 2}, new float[] {1, 2})),
                new InferenceRecord("fog-5/1", "camera-0", 1001, "fog-5", 8, new Tensor(DType.UINT8, new int[] {1, 1, 2}, new float[] {3, 4})),
                new InferenceRecord("snow-5/0", "camera-0", 1002, "snow-5", 0, new Tensor(DType.UINT8, new int[] {1, 1, 2}, new float[] {9, 10}))),
                records);
        assertThrows(IllegalStateException.class, source::samples);
    }

    @Test
    void theComputedSizeIsTheEncodedSize() {
        RecordCodec codec = new RecordCodec(RecordLimits.defaults());
        SourceRecords records = new SourceRecords(of(List.of()), "cam-é", 0);
        for (Sample s : List.of(rgb("a", 4, Map.of()), rgb("iwildcam_v2.0/train/ü.jpg", 7, Map.of("time", "2013-06-09T16:55:52",
                "location", "3")))) {
            InferenceRecord r = new InferenceRecord(s.id(), "cam-é", 0, s.domain(), s.label(), s.features(), s.metadata());
            assertEquals(codec.encode(r).length, records.encodedBytes(s));
        }
    }

    @Test
    void aSampleTooLargeForARecordIsSkippedWithTheFix() {
        DatasetSource source = of(List.of(rgb("small", 10, Map.of()), rgb("huge", 600, Map.of()), rgb("small2", 10, Map.of())));
        SourceRecords records = new SourceRecords(source, "k", 0, 100_000);
        List<String> ids = new ArrayList<>();
        records.forEachRemaining(r -> ids.add(r.id()));
        assertEquals(List.of("small", "small2"), ids);
        assertEquals(1, source.skips().count(SkipLog.Reason.TOO_LARGE));
        String msg = source.skips().messages().get(0);
        assertTrue(msg.startsWith("record too large: huge: a [3, 600, 600] image encodes to") && msg.contains("--max-side"), msg);
        assertFalse(records.hasNext());
    }
    @Test
    void theTooLargeMessageNamesTheSourceFileAndRowAndTheSourceLearnsTheLimitFirst() {
        List<Long> limits = new ArrayList<>();
        DatasetSource fixed = of(List.of(rgb("iwildcam_v2.0/train/z.jpg", 600, Map.of("source", "train/z.jpg", "source.line", "17")),
                rgb("nevis/3/cats/1.png", 600, Map.of("source", "cats/1.png"))));
        DatasetSource source = new DatasetSource() {
            @Override
            public String description() {
                return fixed.description();
            }

            @Override
            public List<DomainInfo> domains() {
                return fixed.domains();
            }

            @Override
            public OptionalInt classes() {
                return fixed.classes();
            }

            @Override
            public void limitRecordBytes(long maxRecordBytes) {
                assertTrue(limits.isEmpty(), "the limit comes before the pass, once");
                limits.add(maxRecordBytes);
            }

            @Override
            public Iterator<Sample> samples() {
                assertEquals(1, limits.size(), "the limit comes before the pass");
                return fixed.samples();
            }

            @Override
            public SkipLog skips() {
                return fixed.skips();
            }
        };
        SourceRecords records = new SourceRecords(source, "k", 0, 100_000);
        assertEquals(List.of(100_000L), limits);
        assertFalse(records.hasNext());
        List<String> m = source.skips().messages();
        assertTrue(m.get(0).startsWith("record too large: iwildcam_v2.0/train/z.jpg (train/z.jpg, metadata line 17): a [3, 600, 600]"
                + " image encodes to "), m.get(0));
        assertTrue(m.get(0).endsWith("-byte record limit; replay with --max-side 182 or less, or a larger --max-record-bytes"), m.get(0));
        assertTrue(m.get(1).startsWith("record too large: nevis/3/cats/1.png (cats/1.png): "), m.get(1));
    }
}
