# expect: pass
"""Clean and FGSM images in one batch of 2N, one loss object: the same mean, the same gradient."""


def adversarial_train_step(model, optimizer, x, y, eps):
    x_adv = fgsm(model, x, y, eps)
    both, labels = tf.concat([x, x_adv], axis=0), tf.concat([y, y], axis=0)
    cross_entropy = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    with tf.GradientTape() as tape:
        loss = cross_entropy(labels, model(both, training=True))
    gradients = tape.gradient(loss, model.trainable_weights)
    optimizer.apply_gradients(zip(gradients, model.trainable_weights))
    return loss
