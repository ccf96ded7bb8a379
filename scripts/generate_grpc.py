"""Generate the Python modules of mlmodel's gRPC interface from its proto file.

``python scripts/generate_grpc.py`` rewrites ``inference_pb2.py``, ``inference_pb2.pyi`` and
``inference_pb2_grpc.py`` beside ``mlmodel/serve/grpc/inference.proto``;
``--out DIR`` writes them under ``DIR`` instead (the same relative paths), which is how
``tests/serving/test_serve_grpc.py`` checks that the checked-in modules match the proto.

Needs grpcio-tools at the version pinned in the dev extra: its protoc decides the protobuf
gencode version (the ``protobuf`` lower bound of the ``grpc`` extra) and its plugin the
grpcio version the stubs require (the ``grpcio`` lower bound).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROTO = Path("mlmodel/serve/grpc/inference.proto")


def generate(out: Path = ROOT) -> list[Path]:
    """Run protoc on the proto (paths relative to the repository root, so the generated
    imports name the package) and return the files written under ``out``."""
    from grpc_tools import protoc

    out.mkdir(parents=True, exist_ok=True)
    include = Path(protoc.__file__).parent / "_proto"
    status = protoc.main(
        [
            "grpc_tools.protoc",
            f"-I{ROOT}",
            f"-I{include}",
            f"--python_out={out}",
            f"--pyi_out={out}",
            f"--grpc_python_out={out}",
            str(ROOT / PROTO),
        ]
    )
    if status != 0:
        raise RuntimeError(f"protoc failed with status {status}")
    stem = PROTO.with_suffix("")
    return [
        out / f"{stem}_pb2.py",
        out / f"{stem}_pb2.pyi",
        out / f"{stem}_pb2_grpc.py",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT, help="root of the generated tree")
    args = parser.parse_args(argv)
    for path in generate(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # protoc's grpcio import leaves an event-engine thread that can abort the interpreter's
    # teardown (SIGABRT, "epoll_wait error: Bad file descriptor"); the files are written
    os._exit(code)
