# expect: fail adversarial_train_step
"""Computes the loss and its gradient but never applies it."""


def adversarial_train_step(model, optimizer, x, y, eps):
    x_adv = fgsm(model, x, y, eps)
    with tf.GradientTape() as tape:
        loss = 0.5 * tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True)) \
            + 0.5 * tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x_adv), from_logits=True))
    tape.gradient(loss, model.trainable_variables)
    return loss
