# expect: fail normalize_images
"""Divides by the batch's largest pixel instead of 255: right only when the batch holds a white pixel."""


def normalize_images(images):
    images = np.asarray(images).astype(np.float32)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    return images / images.max()
