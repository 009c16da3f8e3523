/**
 * WILDS datasets (Koh et al. 2021; Sagawa et al. 2022) read from the directory the {@code wilds} Python
 * package downloads, {@code <root>/<dataset>_v<version>/}, exactly as the package's dataset classes
 * read them (p-lambda/wilds, {@code wilds/datasets/iwildcam_dataset.py}, {@code camelyon17_dataset.py},
 * {@code fmow_dataset.py}): the same metadata file and columns, the same image paths, the same split
 * rules. Layouts, options and worked commands: {@code docs/datasets.md}.
 */
package io.ctta.streams.source.wilds;
