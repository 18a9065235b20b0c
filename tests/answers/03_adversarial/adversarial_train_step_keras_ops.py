# expect: pass
"""keras.ops for the mean, training=False (these models have no dropout or batch norm), and the
loss returned as a NumPy float."""


def adversarial_train_step(model, optimizer, x, y, eps):
    x_adv = tf.stop_gradient(fgsm(model, x, y, eps))
    with tf.GradientTape() as tape:
        losses = [keras.ops.mean(keras.losses.sparse_categorical_crossentropy(y, model(images, training=False),
                                                                             from_logits=True))
                  for images in (x, x_adv)]
        loss = 0.5 * losses[0] + 0.5 * losses[1]
    variables = model.trainable_variables
    optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
    return np.float32(loss)
