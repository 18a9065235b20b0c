# expect: pass
"""Right, with the template's stride and pad renamed (s, padding): the grader passes them by position,
as the template's calls do, so a name of the student's own is not a wrong answer."""

_solution_conv_forward_naive, _solution_conv_forward = conv_forward_naive, conv_forward


def conv_forward_naive(x, w, b, s=1, padding="valid"):
    return _solution_conv_forward_naive(x, w, b, s, padding)


def conv_forward(x, w, b, s=1, padding="valid"):
    return _solution_conv_forward(x, w, b, s, padding)
