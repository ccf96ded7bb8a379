"""The runtime half of mlmodel: saving, loading and calling models (internals).

Users import the facades that mirror MLflow's: :mod:`mlmodel.pyfunc`, :mod:`mlmodel.sklearn`,
:mod:`mlmodel.models`. Behind them, one room per job, layered one way
(``gate > save > load > predict > document``):

* :mod:`~mlmodel.runtime.gate`: the one check before any load (bounded read, validation
  with the path checks, the trust decision);
* :mod:`~mlmodel.runtime.save`: the steps every flavor's save shares, scikit-learn's save
  and its file formats;
* :mod:`~mlmodel.runtime.load`: dispatch to a loader, the native loaders, the pickle gate
  (``safety``), trust, snapshots and tree verification;
* :mod:`~mlmodel.runtime.predict`: ``PyFuncModel`` and input/params enforcement against the
  signature;
* :mod:`~mlmodel.runtime.document`: ``Model``, signatures, input examples, environment files;
* errors: one root for both halves, :mod:`mlmodel.core.errors` (MLflow's error codes included).
"""
