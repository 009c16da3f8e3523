package io.ctta.streams.source.wilds;

/**
 * What the index keeps of one metadata row: enough to find the image and build its sample, no more, so
 * that an index of the 200,000 rows of iWildCam stays small.
 *
 * @param line       1-based line of the row in the metadata file
 * @param file       the image path relative to the dataset directory, as WILDS builds it
 * @param label      class index
 * @param split      the WILDS split the row belongs to
 * @param domain     the domain tag, e.g. {@code location-17}
 * @param domainRank where the domain sorts when ordered by domain (the value as WILDS numbers it)
 * @param time       epoch milliseconds (UTC) for ordering, or {@link Long#MIN_VALUE} when the dataset has no time
 * @param values     the dataset's per-row metadata values, aligned with {@link WildsDataset#metadataKeys()}
 */
record WildsItem(long line, String file, int label, String split, String domain, long domainRank, long time,
                 String[] values) {
}
