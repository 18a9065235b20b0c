# expect: fail normalize_images
"""Min-max scaling, (p - min) / (max - min) over the batch: p / 255 only when the batch holds a 0 and a 255."""


def normalize_images(images):
    images = np.asarray(images).astype(np.float32)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    low, high = images.min(), images.max()
    return (images - low) / (high - low)
