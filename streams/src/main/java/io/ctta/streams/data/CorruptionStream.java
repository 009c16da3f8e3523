package io.ctta.streams.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds continual test-time adaptation streams: one corrupted copy of a test set per
 * corruption, in a fixed order, as in the CIFAR-10-C continual protocol (CoTTA, Wang et al. 2022)
 * where the domains follow one another without shuffling across domains.
 *
 * <p>Within a domain the images are a seeded random sample, without replacement, of the test set
 * in random order (a fresh sample per domain, so consecutive domains do not repeat the same images
 * in the same order). Domain {@code k} uses the seed {@code mix(seed, k)} both for sampling and
 * for the corruption, so a stream is reproducible from {@code (test set, order, severity, seed,
 * samplesPerDomain)}.
 */
public final class CorruptionStream {
    /**
     * All corruptions, in the CIFAR-10-C continual order (noise, blur, digital) restricted to the
     * corruptions implemented here, followed by the extra CIFAR-10-C ones and the MNIST-C
     * geometric ones.
     */
    public static final List<Corruption> DEFAULT_ORDER = List.of(
            Corruption.GAUSSIAN_NOISE, Corruption.SHOT_NOISE, Corruption.IMPULSE_NOISE,
            Corruption.DEFOCUS_BLUR, Corruption.GLASS_BLUR, Corruption.MOTION_BLUR,
            Corruption.ZOOM_BLUR, Corruption.BRIGHTNESS, Corruption.CONTRAST,
            Corruption.PIXELATE, Corruption.JPEG_COMPRESSION, Corruption.SPECKLE_NOISE,
            Corruption.GAUSSIAN_BLUR, Corruption.ROTATE, Corruption.SHEAR);

    private CorruptionStream() {}

    /**
     * Builds the stream.
     *
     * @param test the clean test set
     * @param order corruptions in stream order (repeats allowed)
     * @param severity 1..5, the same for every domain
     * @param seed root seed
     * @param samplesPerDomain images per domain, 1..{@code test.count()}
     * @return one {@link Domain} per entry of {@code order}, named {@code <id>-<severity>}
     */
    public static List<Domain> continual(LabeledImages test, List<Corruption> order,
            int severity, long seed, int samplesPerDomain) {
        Corruption.checkSeverity(severity);
        if (order.isEmpty()) {
            throw new IllegalArgumentException("order must name at least one corruption");
        }
        if (samplesPerDomain < 1 || samplesPerDomain > test.count()) {
            throw new IllegalArgumentException("samplesPerDomain must be 1.." + test.count()
                    + " (the test set size; sampling is without replacement), got "
                    + samplesPerDomain);
        }
        List<Domain> domains = new ArrayList<>(order.size());
        for (int k = 0; k < order.size(); k++) {
            Corruption c = order.get(k);
            long domainSeed = Corruptor.mix64(seed ^ Corruptor.mix64(k + 1L));
            LabeledImages sample = test.select(sample(test.count(), samplesPerDomain,
                    domainSeed));
            domains.add(new Domain(c.id() + "-" + severity,
                    Corruptor.corrupt(sample, c, severity, domainSeed)));
        }
        return List.copyOf(domains);
    }

    /** The first {@code n} entries of a seeded Fisher-Yates shuffle of {@code 0..count-1}. */
    static int[] sample(int count, int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] idx = new int[count];
        for (int i = 0; i < count; i++) {
            idx[i] = i;
        }
        for (int i = 0; i < n; i++) {
            int j = i + rng.nextInt(count - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        int[] out = new int[n];
        System.arraycopy(idx, 0, out, 0, n);
        return out;
    }
}
