# expect: fail adversarial_train_step
"""Applies the negated gradient: gradient ascent on the loss."""


def adversarial_train_step(model, optimizer, x, y, eps):
    x_adv = fgsm(model, x, y, eps)
    with tf.GradientTape() as tape:
        loss = 0.5 * tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True)) \
            + 0.5 * tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x_adv), from_logits=True))
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip([-g for g in gradients], model.trainable_variables))
    return loss
