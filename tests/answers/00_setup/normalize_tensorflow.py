# expect: pass
"""With TensorFlow ops: a float32 tensor comes back (np.asarray turns it into an array)."""
import tensorflow as tf


def normalize_images(images):
    scaled = tf.cast(images, tf.float32) / 255.0
    return scaled[..., tf.newaxis] if scaled.ndim == 3 else scaled
