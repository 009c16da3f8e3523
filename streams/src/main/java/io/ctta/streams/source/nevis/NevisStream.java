package io.ctta.streams.source.nevis;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The NEVIS'22 task streams (Bornschein et al. 2023), as published in google-deepmind/dm_nevis,
 * {@code dm_nevis/streams/nevis_stream.py} ({@code NEVIS_STREAM_PER_YEAR}): for every variant, the
 * years and, per year, the benchmark's dataset names in the order written there, copied verbatim
 * (including {@code 'Aberdeen face database.'}, {@code 'Tubercolosis'} and {@code 'COIL 20'} in DEBUG).
 *
 * <p>The stream order is the one {@code NevisStream} produces without shuffling: years ascending, the
 * datasets of a year in their written order, years {@code >= stopYear} left out, and a dataset listed
 * in two years kept twice (two tasks). {@link #DEFAULT_STOP_YEAR} is the benchmark's own default
 * ({@code DEFAULT_NEVIS_STOP_YEAR}): the years before 2020 are the development stream.
 */
public final class NevisStream {

    /** {@code DEFAULT_NEVIS_STOP_YEAR}: tasks of 2020 and later are held out by default. */
    public static final int DEFAULT_STOP_YEAR = 2020;
    /** A stop year past every task: the whole stream (what {@code iterate_nevis_stream.py} uses, 2022). */
    public static final int ALL_YEARS = 2022;

    /** {@code NevisStreamVariant}. */
    public enum Variant {
        FULL, SHORT, TINY, DEBUG, IMAGENET_ONLY, MAJOR_DOMAIN_ONLY, LARGE_DATASET_ONLY
    }

    /**
     * One task of a stream.
     *
     * @param index position in the variant's whole stream (all years, duplicates kept), 0-based: the
     *              task id, stable whatever the stop year and whatever is on disk
     * @param year  the year the stream files the task under
     * @param name  the benchmark's dataset name, e.g. {@code Caltech 101}
     */
    public record Task(int index, int year, String name) {
        public Task {
            Objects.requireNonNull(name, "name");
        }

        /** {@code <name> (<year>)}: unique within a variant, since no year lists a dataset twice. */
        public String label() {
            return name + " (" + year + ")";
        }
    }

    private static final Map<Variant, Map<Integer, List<String>>> PER_YEAR = new EnumMap<>(Variant.class);

    static {
        PER_YEAR.put(Variant.DEBUG, years(
                year(1999, "Pascal 2007"),
                year(2000, "COIL 20")));
        PER_YEAR.put(Variant.FULL, years(
                year(1989),
                year(1992, "Magellan Venus Volcanoes", "Aberdeen face database."),
                year(1998, "LandSat UCI repo", "Brodatz", "Olivetti Face Dataset"),
                year(2000, "COIL 20"),
                year(2001, "COIL 100", "MPEG-7"),
                year(2002),
                year(2003),
                year(2004, "Butterfly dataset", "MNIST"),
                year(2005, "Caltech 101", "UMIST", "CMU AMP expression"),
                year(2006, "Pascal 2005", "Caltech cars, motorbikes", "UIUC cars", "ALOI"),
                year(2007, "8 Scene Dataset"),
                year(2008, "15 Scenes"),
                year(2009, "Pascal 2006", "Extended YaleB"),
                year(2010, "Pascal 2007", "Graz-02", "Olivetti Face Dataset", "PPMI"),
                year(2011, "Caltech 256", "ImageNet", "LFW", "Oxford Flowers", "Flicker Material Dataset", "Oxford Flowers 102",
                        "Belgium Traffic Sign Dataset", "German Traffic Sign Recognition Benchmark", "Brodatz", "VisTex"),
                year(2012, "UMD", "KTH-TIPS", "UIUC texture", "KTH-TIPS2-b", "CVC-MUSCIMA"),
                year(2013, "IAPRTC-12", "sketch dataset", "KTH-TIPS2-a", "Pascal 2012", "NORB"),
                year(2014, "Wikipaintings"),
                year(2015, "MNIST", "MIT Scenes", "SUN 397", "CIFAR 10"),
                year(2016, "CUB 200", "Stanford Cars", "FGVC Aircraft", "DTD", "MS COCO", "Caltech 101", "Oxford IIIT Pets",
                        "Stanford Dogs", "ANIMAL", "Caltech 101 Silhouettes", "Interact", "VOC Actions", "SVHN", "Chars74K"),
                year(2017, "CelebA", "LFWA", "SUN Attribute", "CIFAR 100"),
                year(2018, "TID2008", "TID2013", "USPS", "Semeion", "MNIST-m", "Office Caltech", "PACS", "Caltech Camera Traps",
                        "EMNIST Balanced", "CASIA-HWDB1.1", "ISBI-ISIC 2017 melanoma classification challenge"),
                year(2019, "Trancos", "Mall dataset", "Fashion MNIST", "NotMNIST", "Tiny Imagenet", "STL10", "Food 101", "MNIST-rot",
                        "AWA2", "15 Scenes", "Food 101 N", "COIL 20", "COIL 100"),
                year(2020, "ShanghaiTech", "AnimalWeb", "BIWI"),
                year(2021, "ImageNet", "Oxford Flowers 102", "DomainNet-Real", "Pneumonia Chest X-ray", "Path MNIST", "NIH Chest X-ray",
                        "Tubercolosis", "covid-19 x-ray", "PatchCamelyon", "DDSM", "Synthetic COVID-19 Chest X-ray Dataset")));
        PER_YEAR.put(Variant.SHORT, years(
                year(2004, "COIL 100", "MNIST"),
                year(2006, "Pascal 2005", "Caltech cars, motorbikes", "UIUC cars"),
                year(2009, "Pascal 2006"),
                year(2010, "Caltech 101"),
                year(2011, "Graz-02", "15 Scenes", "Pascal 2007", "LFW"),
                year(2013, "sketch dataset", "Brodatz"),
                year(2014, "ImageNet", "Pascal 2012", "Caltech 256"),
                year(2018, "CIFAR 100", "CIFAR 10", "USPS", "MNIST", "MNIST-m", "Office Caltech", "PACS",
                        "ISBI-ISIC 2017 melanoma classification challenge"),
                year(2019, "Fashion MNIST"),
                year(2020, "Stanford Dogs", "CUB 200", "Stanford Cars", "FGVC Aircraft")));
        PER_YEAR.put(Variant.TINY, years(
                year(2004, "MNIST"),
                year(2010, "Caltech 101"),
                year(2014, "Pascal 2012"),
                year(2018, "CIFAR 100", "MNIST", "ISBI-ISIC 2017 melanoma classification challenge"),
                year(2020, "CUB 200")));
        PER_YEAR.put(Variant.IMAGENET_ONLY, years(
                year(2014, "ImageNet")));
        PER_YEAR.put(Variant.MAJOR_DOMAIN_ONLY, years(
                year(1989), year(1992), year(1998),
                year(2000, "COIL 20"),
                year(2001, "COIL 100"),
                year(2002), year(2003),
                year(2004, "Butterfly dataset"),
                year(2005, "Caltech 101"),
                year(2006, "Pascal 2005", "Caltech cars, motorbikes", "UIUC cars", "ALOI"),
                year(2007, "8 Scene Dataset"),
                year(2008, "15 Scenes"),
                year(2009, "Pascal 2006"),
                year(2010, "Pascal 2007", "Graz-02", "PPMI"),
                year(2011, "Caltech 256", "ImageNet", "Oxford Flowers", "Oxford Flowers 102", "Belgium Traffic Sign Dataset",
                        "German Traffic Sign Recognition Benchmark"),
                year(2012),
                year(2013, "IAPRTC-12", "sketch dataset", "Pascal 2012", "NORB"),
                year(2014, "Wikipaintings"),
                year(2015, "MIT Scenes", "SUN 397", "CIFAR 10"),
                year(2016, "CUB 200", "Stanford Cars", "FGVC Aircraft", "MS COCO", "Caltech 101", "Oxford IIIT Pets", "Stanford Dogs",
                        "Interact", "VOC Actions", "SVHN"),
                year(2017, "SUN Attribute", "CIFAR 100"),
                year(2018, "Office Caltech", "PACS", "Caltech Camera Traps"),
                year(2019, "Trancos", "Mall dataset", "Fashion MNIST", "NotMNIST", "Tiny Imagenet", "STL10", "Food 101", "MNIST-rot",
                        "AWA2", "15 Scenes", "Food 101 N", "COIL 20", "COIL 100"),
                year(2020, "ShanghaiTech", "AnimalWeb", "BIWI"),
                year(2021, "ImageNet", "Oxford Flowers 102", "DomainNet-Real", "Pneumonia Chest X-ray", "Path MNIST", "NIH Chest X-ray",
                        "Tubercolosis", "covid-19 x-ray", "PatchCamelyon", "DDSM", "Synthetic COVID-19 Chest X-ray Dataset")));
        PER_YEAR.put(Variant.LARGE_DATASET_ONLY, years(
                year(1989), year(1992), year(1998), year(2000), year(2001), year(2002), year(2003),
                year(2004, "MNIST"),
                year(2005, "Caltech 101"),
                year(2006, "ALOI"),
                year(2007), year(2008),
                year(2009, "Extended YaleB"),
                year(2010, "Pascal 2007"),
                year(2011, "Caltech 256", "ImageNet", "LFW", "Belgium Traffic Sign Dataset", "German Traffic Sign Recognition Benchmark"),
                year(2012),
                year(2013, "IAPRTC-12", "sketch dataset", "Pascal 2012", "NORB"),
                year(2014, "Wikipaintings"),
                year(2015, "MNIST", "MIT Scenes", "SUN 397", "CIFAR 10"),
                year(2016, "CUB 200", "Stanford Cars", "FGVC Aircraft", "MS COCO", "Caltech 101", "Oxford IIIT Pets", "Stanford Dogs",
                        "Caltech 101 Silhouettes", "VOC Actions", "SVHN", "Chars74K"),
                year(2017, "CelebA", "LFWA", "SUN Attribute", "CIFAR 100"),
                year(2018, "USPS", "MNIST-m", "PACS", "Caltech Camera Traps", "EMNIST Balanced", "CASIA-HWDB1.1"),
                year(2019, "Trancos", "Mall dataset", "Fashion MNIST", "NotMNIST", "Tiny Imagenet", "STL10", "Food 101", "MNIST-rot",
                        "AWA2", "15 Scenes", "Food 101 N", "COIL 20", "COIL 100"),
                year(2020, "ShanghaiTech", "AnimalWeb", "BIWI"),
                year(2021, "ImageNet", "Oxford Flowers 102", "DomainNet-Real", "Pneumonia Chest X-ray", "Path MNIST", "NIH Chest X-ray",
                        "Tubercolosis", "covid-19 x-ray", "PatchCamelyon", "DDSM", "Synthetic COVID-19 Chest X-ray Dataset")));
    }

    private NevisStream() {
    }

    /** Parses a variant name, case-insensitively, e.g. {@code short}. */
    public static Variant variant(String name) {
        for (Variant v : Variant.values()) {
            if (v.name().equalsIgnoreCase(name.trim())) {
                return v;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a NEVIS'22 stream variant; the variants are "
                + java.util.Arrays.toString(Variant.values()));
    }

    /** The whole stream of {@code variant}: every year, duplicates kept, in stream order. */
    public static List<Task> tasks(Variant variant) {
        return tasks(variant, Integer.MAX_VALUE);
    }

    /** The tasks of {@code variant} filed under years before {@code stopYear}, in stream order. */
    public static List<Task> tasks(Variant variant, int stopYear) {
        List<Task> out = new ArrayList<>();
        int index = 0;
        for (Map.Entry<Integer, List<String>> e : PER_YEAR.get(variant).entrySet()) {
            for (String name : e.getValue()) {
                if (e.getKey() < stopYear) {
                    out.add(new Task(index, e.getKey(), name));
                }
                index++;
            }
        }
        return List.copyOf(out);
    }

    /**
     * The distinct dataset names of the tasks before {@code stopYear}, first occurrence kept:
     * {@code datasets_in_stream(variant, stop_year)}.
     */
    public static List<String> datasets(Variant variant, int stopYear) {
        LinkedHashSet<String> names = new LinkedHashSet<>();
        for (Task t : tasks(variant, stopYear)) {
            names.add(t.name());
        }
        return List.copyOf(names);
    }

    /** Every dataset name any variant uses. */
    public static List<String> allDatasets() {
        LinkedHashSet<String> names = new LinkedHashSet<>();
        for (Variant v : Variant.values()) {
            names.addAll(datasets(v, Integer.MAX_VALUE));
        }
        return List.copyOf(names);
    }

    private static Map.Entry<Integer, List<String>> year(int year, String... names) {
        return Map.entry(year, List.of(names));
    }

    @SafeVarargs
    private static Map<Integer, List<String>> years(Map.Entry<Integer, List<String>>... entries) {
        Map<Integer, List<String>> m = new LinkedHashMap<>();
        int previous = Integer.MIN_VALUE;
        for (Map.Entry<Integer, List<String>> e : entries) {
            // The stream is sorted by year; the published dicts are written in ascending order too.
            if (e.getKey() <= previous) {
                throw new IllegalStateException("years out of order at " + e.getKey());
            }
            previous = e.getKey();
            m.put(e.getKey(), e.getValue());
        }
        return Collections.unmodifiableMap(m);
    }
}
