# expect: fail adversarial_train_step
# says: inside the step
"""FGSM examples made at the first call and reused afterwards (issue 10: "computed once"): they
belong to the starting weights, not the current ones."""
_examples_once = {}


def adversarial_train_step(model, optimizer, x, y, eps):
    key = id(model)
    if key not in _examples_once:
        _examples_once[key] = tf.stop_gradient(fgsm(model, x, y, eps))
    x_adv = _examples_once[key]
    with tf.GradientTape() as tape:
        loss = 0.5 * tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True)) \
            + 0.5 * tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x_adv), from_logits=True))
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return loss
