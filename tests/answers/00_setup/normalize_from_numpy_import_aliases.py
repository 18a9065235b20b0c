# expect: pass
"""Names imported from NumPy under aliases (`from numpy import asarray as as_array, float32 as f32`,
the ufunc `divide` as `div`), and `import numpy as xp`."""
import numpy as xp
from numpy import asarray as as_array, divide as div, float32 as f32


def normalize_images(images):
    images = as_array(images)
    if images.ndim == 3:
        images = xp.expand_dims(images, -1)
    return div(images, 255, dtype=f32)
