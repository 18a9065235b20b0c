# expect: fail normalize_images
"""Scales right but never adds the channel axis."""


def normalize_images(images):
    return np.asarray(images, dtype=np.float32) / 255
