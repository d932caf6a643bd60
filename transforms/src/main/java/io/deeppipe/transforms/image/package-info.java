/**
 * Image preprocessing: format sniffing, header-only size checks (decompression bombs), decoding
 * with EXIF orientation, conversion to HWC uint8 with 1 or 3 channels, area/bilinear resizing
 * (stretch, crop, pad), and the {@link io.deeppipe.transforms.image.ImageIngest} pipeline.
 */
package io.deeppipe.transforms.image;
