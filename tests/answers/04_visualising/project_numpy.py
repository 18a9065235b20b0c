# expect: pass
"""NumPy, in float64: activation_maximisation turns the result back into a tensor."""


def project_to_sphere(x, rho):
    x = np.asarray(x, dtype=np.float64)
    return rho * x / np.linalg.norm(x.reshape(len(x), -1), axis=1).reshape(-1, *[1] * (x.ndim - 1))
