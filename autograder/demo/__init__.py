"""``make demo``: a small class of made-up students graded end to end, and the trained models
the demo hands in. Imports grading, authoring and what they stand on; nothing imports it but the CLI.
"""
