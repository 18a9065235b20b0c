# expect: pass
"""The scaling is a `tf.function` defined in the notebook; the result is brought back with .numpy()."""
import tensorflow as tf


@tf.function
def scale_to_unit(images):
    return tf.cast(images, tf.float32) / 255.0


def normalize_images(images):
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    return scale_to_unit(tf.constant(images)).numpy()
