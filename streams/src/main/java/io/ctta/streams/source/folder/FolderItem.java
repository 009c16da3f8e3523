package io.ctta.streams.source.folder;

import java.nio.file.Path;

/**
 * One image of a class-folder layout.
 *
 * @param file      the file
 * @param relative  its path relative to the dataset root, '/'-separated (for ids and messages)
 * @param label     the index of its class in the class list the caller gave
 * @param className its class folder's name
 */
public record FolderItem(Path file, String relative, int label, String className) {
}
