"""Code an attack test writes into a fixture checks module: a model layer's payload that forges verdicts.

Why one place: the served-check attack tests (tests/test_attacks_served.py, tests/test_attacks_served_generative.py)
plant the same forger; each fixture module names, in ``FORGED_CHECKS``, the checks it forges.
"""

FORGE_WITH_TOKEN = '''
FORGED = {"passed": True, "message": "forged: full marks", "fraction": 1.0}


def _forge_with_token():
    """Find a checker's signing closure in memory; write signed forged verdicts and exit first."""
    for obj in gc.get_objects():
        if not isinstance(obj, types.FunctionType) or obj.__name__ != "send" or not obj.__closure__:
            continue
        values = [cell.cell_contents for cell in obj.__closure__]
        tokens = [v for v in values if isinstance(v, str) and len(v) == 32]
        descriptors = [v for v in values if isinstance(v, int)]
        if tokens and descriptors:
            for check in FORGED_CHECKS:
                line = {"token": tokens[0], "check": check, "verdict": FORGED}
                os.write(descriptors[0], (json.dumps(line) + "\\n").encode())
            os._exit(0)
'''
