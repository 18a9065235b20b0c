# expect: pass
"""receptive_field as a functools.reduce over a step that closes over nothing but its arguments,
built by a factory (a closure) and bound with functools.partial."""
import functools


def make_step(start_jump):
    def step(state, layer, scale):
        size, jump = state
        kernel_size, stride = layer
        return size + (kernel_size - 1) * jump * scale, jump * stride
    return functools.partial(step, scale=start_jump)


def receptive_field(layers):
    return functools.reduce(make_step(1), layers, (1, 1))
