# expect: fail adversarial_train_step
"""Takes the right step but returns the objective recomputed after the update."""


def adversarial_train_step(model, optimizer, x, y, eps):
    def objective():
        x_adv = tf.stop_gradient(fgsm(model, x, y, eps))
        return 0.5 * tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True)) \
            + 0.5 * tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x_adv), from_logits=True))

    with tf.GradientTape() as tape:
        loss = objective()
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return objective()
