"""A class graded: jobs shipped to workers (a local pool or a Dask cluster), resumed runs, the
gradebook written once per result, feedback and the report made at the end.

Imports submission, pages, records and isolation; knows nothing of the instructor's tools.
"""
