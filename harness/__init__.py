"""What the tests (``tests/``) and the benchmarks (``bench/``) both drive mlmodel with.

``child_process`` (child processes with this checkout first on ``PYTHONPATH``, bounded in
time and address space), ``servers`` (``mlmodel serve`` and ``mlflow models serve`` on
127.0.0.1, and the classifier they serve), ``pickle_payloads`` (malicious pickle families
crafted as bytes) and ``mlmodel_texts`` (sample MLmodel documents).

It imports neither ``tests`` nor ``bench``, and neither of them imports the other: each
stands on its own beside this package. It is not part of the ``mlmodel`` distribution (the
wheel packages ``mlmodel*`` only). Importing it has no side effects.
"""
