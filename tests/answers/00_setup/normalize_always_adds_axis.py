# expect: fail normalize_images
"""Always appends a channel axis, even to (N, H, W, 1) images, which become (N, H, W, 1, 1)."""


def normalize_images(images):
    return (np.asarray(images).astype(np.float32) / 255)[..., np.newaxis]
