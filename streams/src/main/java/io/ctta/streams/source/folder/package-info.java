/**
 * Labelled image folders (one sub-folder per class, torchvision's {@code ImageFolder} layout;
 * {@link io.ctta.streams.source.folder.ClassFolders} says where its listing differs from
 * {@code ImageFolder}'s): the listing shared by the folder-based readers and the generic
 * {@code image-folder} reader.
 */
package io.ctta.streams.source.folder;
