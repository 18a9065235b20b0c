# expect: fail adversarial_train_step
"""Returns the per-example losses (N,) instead of their mean."""


def adversarial_train_step(model, optimizer, x, y, eps):
    x_adv = fgsm(model, x, y, eps)
    with tf.GradientTape() as tape:
        per_example = 0.5 * keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True) \
            + 0.5 * keras.losses.sparse_categorical_crossentropy(y, model(x_adv), from_logits=True)
        loss = tf.reduce_mean(per_example)
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return per_example
