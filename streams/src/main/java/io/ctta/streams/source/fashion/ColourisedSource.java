package io.ctta.streams.source.fashion;

import io.ctta.streams.record.DType;
import io.ctta.streams.record.Tensor;
import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.DomainInfo;
import io.ctta.streams.source.Sample;
import io.ctta.streams.source.SkipLog;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;

/**
 * Grey Fashion-MNIST as RGB camera-like frames, for users who want to try the RGB path (the
 * built-in ResNet, per-channel normalisation, RGB TorchScript models) without an RGB dataset: each
 * 28x28 image is padded to 32x32 and painted with a foreground and a background colour drawn per
 * image (foreground U(0.35, 1), background U(0, 0.3) per channel, in that order from one seeded
 * generator), so colour carries no label and the shape does. Any corruption applied to the grey
 * image stays. The committed RGB test model was trained on this distribution
 * (tools/fixtures/make_torchscript_fixtures.py).
 */
final class ColourisedSource implements DatasetSource {

    /** The side of the frames. */
    static final int SIDE = 32;

    private final DatasetSource grey;
    private final long seed;

    ColourisedSource(DatasetSource grey, long seed) {
        this.grey = grey;
        this.seed = seed;
    }

    @Override
    public String description() {
        return grey.description() + ", colourised to RGB 32x32";
    }

    @Override
    public List<DomainInfo> domains() {
        return grey.domains();
    }

    @Override
    public OptionalInt classes() {
        return grey.classes();
    }

    @Override
    public Iterator<Sample> samples() {
        Iterator<Sample> in = grey.samples();
        SplittableRandom rnd = new SplittableRandom(seed);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return in.hasNext();
            }

            @Override
            public Sample next() {
                Sample s = in.next();
                Tensor t = new Tensor(DType.UINT8, new int[] {3, SIDE, SIDE}, colourise(s.features().values(), rnd));
                return new Sample(s.id(), s.domain(), s.label(), t, s.metadata());
            }
        };
    }

    /** One grey 28x28 image (0..255) to RGB 32x32 (integers 0..255), the colours drawn from {@code rnd}. */
    static float[] colourise(float[] grey, SplittableRandom rnd) {
        float[] fg = new float[3];
        float[] bg = new float[3];
        for (int c = 0; c < 3; c++) {
            fg[c] = (float) (0.35 + 0.65 * rnd.nextDouble());
        }
        for (int c = 0; c < 3; c++) {
            bg[c] = (float) (0.3 * rnd.nextDouble());
        }
        float[] out = new float[3 * SIDE * SIDE];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    float g = y >= 2 && y < 30 && x >= 2 && x < 30 ? grey[(y - 2) * 28 + (x - 2)] / 255f : 0f;
                    out[(c * SIDE + y) * SIDE + x] = Math.round(255f * (bg[c] + (fg[c] - bg[c]) * g));
                }
            }
        }
        return out;
    }

    @Override
    public SkipLog skips() {
        return grey.skips();
    }

    @Override
    public void close() {
        grey.close();
    }
}
