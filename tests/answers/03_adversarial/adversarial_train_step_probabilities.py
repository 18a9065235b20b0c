# expect: fail adversarial_train_step
"""Treats the logits as probabilities (from_logits=False) in the training loss."""


def adversarial_train_step(model, optimizer, x, y, eps):
    x_adv = fgsm(model, x, y, eps)
    with tf.GradientTape() as tape:
        loss = 0.5 * tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x))) \
            + 0.5 * tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x_adv)))
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return loss
