# expect: fail adversarial_train_step
"""Makes the FGSM examples but trains on the clean loss only."""


def adversarial_train_step(model, optimizer, x, y, eps):
    x_adv = fgsm(model, x, y, eps)  # noqa: F841 - made, never used
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True))
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return loss
