# expect: pass
"""A tf.function (log_likelihood and num_samples as Python arguments), a tf.range loop writing the log weights into a TensorArray."""


@tf.function
def importance_sampled_log_px(x, mu, log_var, log_likelihood, num_samples):
    mu = tf.cast(mu, tf.float32)
    log_var = tf.cast(log_var, tf.float32)
    log_2pi = tf.math.log(2.0 * np.pi)
    terms = tf.TensorArray(tf.float32, size=num_samples)
    for k in tf.range(num_samples):
        eps = tf.random.normal(tf.shape(mu))
        z = mu + tf.exp(0.5 * log_var) * eps
        log_prior = tf.reduce_sum(-0.5 * (tf.square(z) + log_2pi), axis=-1)
        log_q = tf.reduce_sum(-0.5 * (tf.square(eps) + log_var + log_2pi), axis=-1)
        terms = terms.write(k, tf.cast(log_likelihood(x, z), tf.float32) + log_prior - log_q)
    return tf.reduce_logsumexp(terms.stack(), axis=0) - tf.math.log(tf.cast(num_samples, tf.float32))
