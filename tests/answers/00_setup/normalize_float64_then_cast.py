# expect: pass
"""Divide in float64, add the axis with np.expand_dims only when it is missing, cast last."""


def normalize_images(images):
    scaled = np.asarray(images) / 255.0
    if scaled.ndim == 3:
        scaled = np.expand_dims(scaled, -1)
    return scaled.astype(np.float32)
