# expect: pass
"""normalize_images is a functools.partial of a general scaler, with 255 bound."""
import functools


def scale_pixels(images, largest, dtype):
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    return (images / largest).astype(dtype)


normalize_images = functools.partial(scale_pixels, largest=255.0, dtype=np.float32)
