# expect: fail normalize_images
# says: integer division
"""Integer division ``// 255`` before the cast: every pixel but white becomes 0."""


def normalize_images(images):
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    return (images // 255).astype(np.float32)
