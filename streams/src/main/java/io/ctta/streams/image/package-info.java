/**
 * Image files to record tensors: PNG and JPEG decoded with the JDK's {@code javax.imageio} (no native
 * code, no extra dependency) into channel-planar unsigned bytes ({@link io.ctta.streams.image.DecodedImage},
 * {@code [C, H, W]}, C = 1 grey or 3 RGB), the colour rules of {@link io.ctta.streams.image.ColorMode},
 * and an optional area-averaging downscale ({@link io.ctta.streams.image.Downscale}) so that large
 * photographs fit in a Kafka record. Resizing and cropping to a model's input is the model's job.
 */
package io.ctta.streams.image;
