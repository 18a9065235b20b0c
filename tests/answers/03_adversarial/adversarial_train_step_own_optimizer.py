# expect: fail adversarial_train_step
"""Creates its own Adam optimizer instead of using the one passed in."""
_own_optimizers = {}


def adversarial_train_step(model, optimizer, x, y, eps):
    own = _own_optimizers.setdefault(id(model), keras.optimizers.Adam(1e-3))
    x_adv = fgsm(model, x, y, eps)
    with tf.GradientTape() as tape:
        loss = 0.5 * tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True)) \
            + 0.5 * tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x_adv), from_logits=True))
    gradients = tape.gradient(loss, model.trainable_variables)
    own.apply_gradients(zip(gradients, model.trainable_variables))
    return loss
