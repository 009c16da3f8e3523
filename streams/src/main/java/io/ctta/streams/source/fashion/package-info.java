/**
 * The Fashion-MNIST streams ctta has always replayed, as readers of the dataset-reader SPI: the clean
 * set, the Fashion-MNIST-C corruption stream and the label- and input-permuted continual streams. Their
 * records are unchanged: {@code UINT8 [1, 28, 28]}, ids {@code <domain>/<index>}, no metadata.
 */
package io.ctta.streams.source.fashion;
