# expect: fail normalize_images
# says: in place
"""Right output, but it zeroes the caller's array afterwards "to free memory"."""


def normalize_images(images):
    scaled = np.asarray(images).astype(np.float32) / 255
    if scaled.ndim == 3:
        scaled = scaled[..., np.newaxis]
    images[...] = 0
    return scaled
