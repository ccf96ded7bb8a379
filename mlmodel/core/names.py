"""The name of the file a model directory is known by, in a module that imports nothing, so
every layer (signing, tracking, the model directory, the runtime, the CLI) spells it once."""

from __future__ import annotations

from typing import Final

#: the model's document, at the top of the model directory
MLMODEL_NAME: Final = "MLmodel"
