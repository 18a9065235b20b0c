# expect: fail normalize_images
"""Right values, left in float64 (Keras trains in float32)."""


def normalize_images(images):
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    return images / 255.0
