# expect: pass
"""FGSM computed inside the tape, without stop_gradient, and Keras 3's optimizer.apply: the sign has
no gradient, so the update is the same."""


def adversarial_train_step(model, optimizer, x, y, eps):
    with tf.GradientTape() as tape:
        x_adv = fgsm(model, x, y, eps)
        clean = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True))
        attacked = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x_adv), from_logits=True))
        loss = (clean + attacked) / 2
    optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
    return loss
