"""The model's own Python environment (``--env-manager uv|virtualenv``): what defines it
(:mod:`.spec`), the Python that runs it (:mod:`.interpreters`), the cache of created
environments (:mod:`.cache`), their creation (:mod:`.create`), the one call that gets a
ready environment for a model (:mod:`.prepare`) and the mlmodel installed into it, a wheel of
the running one (:mod:`.self_wheel`, also put in generate-dockerfile's context); and how the
running interpreter drifts from the model's requirements (:mod:`.drift`, :mod:`.specifiers`).

Nothing here imports or runs anything from the model: its environment files are read as text.
"""

from __future__ import annotations

#: the environment managers ``--env-manager`` takes; ``local`` is the running interpreter
MANAGERS = ("local", "uv", "virtualenv")

__all__ = ["MANAGERS"]
