# expect: fail adversarial_train_step
"""The loss of the FGSM examples alone, without the clean half of the objective."""


def adversarial_train_step(model, optimizer, x, y, eps):
    x_adv = fgsm(model, x, y, eps)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x_adv), from_logits=True))
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return loss
