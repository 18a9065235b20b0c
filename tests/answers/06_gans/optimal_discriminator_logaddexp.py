# expect: pass
"""exp(log p_data - logaddexp(log p_data, log p_model)), in float32 TensorFlow."""


def optimal_discriminator(x, data_mean, data_std, model_mean, model_std):
    x = tf.constant(x, tf.float32)

    def log_density(mean, std):
        return -0.5 * ((x - mean) / std) ** 2 - np.log(std) - 0.5 * np.log(2 * np.pi)

    log_data, log_model = log_density(data_mean, data_std), log_density(model_mean, model_std)
    return tf.exp(log_data - tf.reduce_logsumexp(tf.stack([log_data, log_model]), axis=0)).numpy()
