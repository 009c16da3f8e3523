package io.ctta.streams.record;

/**
 * The metadata keys ctta's dataset readers write (docs/datasets.md), so producers and consumers
 * spell them alike. Any other key that follows {@link RecordMetadata}'s rules may travel too.
 */
public final class MetadataKeys {

    /** Dataset the record comes from, e.g. {@code iwildcam_v2.0}. */
    public static final String DATASET = "dataset";
    /** Path of the source file, relative to the dataset directory. */
    public static final String SOURCE = "source";
    /** 1-based line of the source row in the dataset's metadata file (CSV line, header = line 1). */
    public static final String SOURCE_LINE = "source.line";
    /** The dataset's split the record belongs to ({@code train}, {@code val}, {@code test}, ...). */
    public static final String SPLIT = "split";
    /** When the image was taken, ISO-8601 ({@code 2013-06-09T16:55:52}; with {@code Z} when the dataset gives a zone). */
    public static final String TIME = "time";
    /** Calendar year of {@link #TIME}. */
    public static final String YEAR = "year";
    /** Camera-trap location (iWildCam {@code location_remapped}). */
    public static final String LOCATION = "location";
    /** Camera-trap sequence (iWildCam {@code sequence_remapped}). */
    public static final String SEQUENCE = "sequence";
    /** Hospital (Camelyon17 {@code center}, 0-based as WILDS numbers it). */
    public static final String HOSPITAL = "hospital";
    /** Whole-slide image (Camelyon17 {@code slide}). */
    public static final String SLIDE = "slide";
    /** Geographic region (FMoW: Africa, Americas, Asia, Europe, Oceania or Other). */
    public static final String REGION = "region";
    /** ISO 3166-1 alpha-3 country code (FMoW {@code country_code}). */
    public static final String COUNTRY = "country";
    /** Class name of the label, where the dataset names its classes. */
    public static final String CLASS = "class";
    /** Position of the task in the stream, 0-based (NEVIS'22). */
    public static final String TASK_ID = "task.id";
    /** The benchmark's name of the task's dataset, e.g. {@code Caltech 101} (NEVIS'22). */
    public static final String TASK_NAME = "task.name";
    /** The year the stream definition files the task under (NEVIS'22). */
    public static final String TASK_YEAR = "task.year";
    /** First global label of the task's label space: global label = offset + local label. */
    public static final String TASK_LABEL_OFFSET = "task.label-offset";
    /** Number of classes in the task's label space. */
    public static final String TASK_CLASSES = "task.classes";

    private MetadataKeys() {
    }
}
