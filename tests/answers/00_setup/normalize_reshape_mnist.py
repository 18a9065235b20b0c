# expect: fail normalize_images
"""Reshapes to MNIST's (-1, 28, 28, 1), as Keras examples do: other image sizes are scrambled or refused."""


def normalize_images(images):
    return (np.asarray(images).astype(np.float32) / 255).reshape(-1, 28, 28, 1)
