# expect: fail adversarial_train_step
"""FGSM examples made by a frozen copy of the starting model (like attacking the undefended
network instead of the one being trained)."""
_frozen = {}


def adversarial_train_step(model, optimizer, x, y, eps):
    if id(model) not in _frozen:
        copy = keras.models.clone_model(model)
        copy.set_weights(model.get_weights())
        _frozen[id(model)] = copy
    x_adv = fgsm(_frozen[id(model)], x, y, eps)
    with tf.GradientTape() as tape:
        loss = 0.5 * tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True)) \
            + 0.5 * tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x_adv), from_logits=True))
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return loss
