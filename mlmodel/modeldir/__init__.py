"""Facts about a model directory, one module per concern, so that validators, lint rules,
``inspect``, ``convert`` and the runtime agree on every answer:

* :mod:`.location` -- where a model named by a path or a URI is read, and how messages name it
* :mod:`.containment` -- which paths stay inside the model directory
* :mod:`.references` -- which paths the MLmodel document points to
* :mod:`.sidefiles` -- reading the small files beside the MLmodel file, within bounds
* :mod:`.requirements` -- requirements.txt lines and the Python an environment file asks for
* :mod:`.environment_files` -- what a model directory's environment files say
* :mod:`.pickles` -- which files are pickles
* :mod:`.code` -- what Python the directory carries and would run at load

Nothing here unpickles, imports or executes anything from the model directory: paths are
resolved with ``stat`` calls, environment files are read as text (YAML with
``yaml.safe_load`` semantics), at most :data:`.sidefiles.MAX_SIDE_FILE_BYTES` each, and
pickle detection is delegated to :mod:`mlmodel.pickle_scan`, which only reads bytes.
"""
