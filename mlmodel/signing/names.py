"""The name of a signed model directory's signature file, in a module that imports nothing
(``validate`` looks for it on every run)."""

from __future__ import annotations

from typing import Final

#: model-signing's detached signature, at the top of the model directory
DEFAULT_SIGNATURE: Final = "model.sig"
