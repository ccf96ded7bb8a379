"""The runtime half of mlmodel: saving and loading models (internals, one concern per module).

The public names live in thin modules that mirror MLflow's: :mod:`mlmodel.models`,
:mod:`mlmodel.sklearn` (and :mod:`mlmodel.pyfunc`).
"""
