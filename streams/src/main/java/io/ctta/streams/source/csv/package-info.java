/** Streaming CSV as pandas writes it (RFC 4180), for the metadata files of the WILDS datasets. */
package io.ctta.streams.source.csv;
