# expect: pass
"""np.true_divide straight into float32, channel axis by reshape."""


def normalize_images(images):
    images = np.asarray(images)
    scaled = np.true_divide(images, 255, dtype=np.float32)
    return scaled.reshape(*images.shape[:3], 1)
