/** The stream directory format (docs/stream-directory.md) as a reader of the dataset-reader SPI. */
package io.ctta.streams.source.streamdir;
