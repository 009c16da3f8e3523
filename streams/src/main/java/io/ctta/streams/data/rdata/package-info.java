/**
 * A minimal pure-Java reader of R data files: XDR serialization (versions 2 and 3), {@code .rds},
 * {@code .rda}/{@code .RData} and package lazy-load databases, and a column view of data frames.
 * Enough to read data sets that Debian ships inside R packages (e.g. MovieLens in
 * {@code r-cran-dslabs}) without R.
 */
package io.ctta.streams.data.rdata;
