# expect: fail targeted_fgsm
"""Descends the target's loss and clips to [0, 1], but never projects onto the eps-ball."""


def targeted_fgsm(model, x, target, eps, alpha, steps):
    x_adv = tf.convert_to_tensor(x, dtype=tf.float32)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(x_adv)
            loss = keras.losses.sparse_categorical_crossentropy(target, model(x_adv), from_logits=True)
        x_adv = tf.clip_by_value(x_adv - alpha * tf.sign(tape.gradient(loss, x_adv)), 0.0, 1.0)
    return x_adv
