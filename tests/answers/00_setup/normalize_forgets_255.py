# expect: fail normalize_images
# says: not divided by 255
"""Casts and adds the axis but never scales: pixels stay in [0, 255]."""


def normalize_images(images):
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    return images.astype(np.float32)
