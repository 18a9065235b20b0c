# expect: fail normalize_images
# says: division by 256
"""Divides by 256 (white becomes 0.996, not 1)."""


def normalize_images(images):
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    return images.astype(np.float32) / 256
