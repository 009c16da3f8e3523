/**
 * Labelled image folders (one sub-folder per class, as torchvision's {@code ImageFolder} reads them):
 * the listing shared by the folder-based readers and the generic {@code image-folder} reader.
 */
package io.ctta.streams.source.folder;
