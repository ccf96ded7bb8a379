"""The scoring process of one Spark Python worker, run inside the model's environment:
``<env>/bin/python -m mlmodel.spark.scoring_process_main MODEL_DIR WATCH_FD``.

It reads a setup message (the MLmodel document the driver validated, the trust options as
the caller gave them, the model config) on standard input, loads the model, answers
``READY``, then scores each ``BATCH`` and answers ``PREDICTIONS`` or ``ERROR`` (the
exception's type and message), until standard input ends. The protocol goes out on a
duplicate of the original standard output; what the model prints goes to standard error,
which the worker keeps the tail of.

It dies with the worker: a thread blocks on ``WATCH_FD``, the read end of a pipe whose only
write end the worker holds, and exits the process when the worker is gone, even during a
long ``predict``; standard input's end does the same between batches.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import IO, Any


def _watch_parent(fd: int) -> None:
    """Exit as soon as the worker's end of the watch pipe closes."""

    def watch() -> None:
        try:
            while os.read(fd, 1):
                pass
        except OSError:
            pass
        os._exit(0)

    threading.Thread(target=watch, name="mlmodel-parent-watch", daemon=True).start()


def _error(exc: BaseException) -> dict[str, Any]:
    return {
        "type": type(exc).__name__,
        "message": str(exc) or repr(exc),
        "error_code": getattr(exc, "error_code", None),
    }


def _load(model_dir: Path, setup: dict[str, Any]) -> Any:
    from mlmodel.runtime.load.dispatch import load_document
    from mlmodel.runtime.load.safety import TrustOptions

    trust = setup["trust"]
    options = TrustOptions(
        allow_unsafe=bool(trust["allow_unsafe"]),
        strict=bool(trust["strict"]),
        trusted_types=tuple(trust["trusted_types"]),
        trusted_keys=tuple(trust["trusted_keys"]),
        require_signature=bool(trust["require_signature"]),
        caller=trust["caller"],
    )
    return load_document(
        model_dir, setup["document"], trust=options, model_config=setup["model_config"]
    )


def serve(model_dir: Path, source: IO[bytes], out: IO[bytes]) -> int:
    """Load the model the setup message names, then score batches until ``source`` ends."""
    from mlmodel.spark import arrow_wire as wire

    first = wire.read_message(source)
    if first is None:
        return 0
    kind, payload = first
    if kind != wire.SETUP:
        wire.write_message(out, wire.ERROR, wire.encode_json({"message": "no setup message"}))
        return 1
    try:
        model = _load(model_dir, wire.decode_json(payload))
    except Exception as exc:  # noqa: BLE001 (reported to the worker, which raises it)
        wire.write_message(out, wire.ERROR, wire.encode_json(_error(exc)))
        return 1
    __version__: str = sys.modules["mlmodel"].__version__
    ready = {"pid": os.getpid(), "python": sys.version.split()[0], "mlmodel": __version__}
    wire.write_message(out, wire.READY, wire.encode_json(ready))
    while (message := wire.read_message(source)) is not None:
        kind, payload = message
        try:
            frame, params = wire.decode_batch(payload)
            predictions = model.predict(frame, params)
            answer = wire.PREDICTIONS, wire.encode_predictions(predictions)
        except Exception as exc:  # noqa: BLE001 (the batch fails, the process goes on)
            answer = wire.ERROR, wire.encode_json(_error(exc))
        wire.write_message(out, *answer)
    return 0


def main(argv: list[str]) -> int:
    model_dir, watch_fd = Path(argv[0]), int(argv[1])
    _watch_parent(watch_fd)
    out = os.fdopen(os.dup(1), "wb")  # the protocol's channel
    os.dup2(2, 1)  # whatever the model prints goes to standard error
    return serve(model_dir, sys.stdin.buffer, out)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
