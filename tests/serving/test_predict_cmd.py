"""``mlmodel predict``: the same predictions as ``mlflow models predict`` and as the server,
for JSON, CSV (chunked) and parquet input; clear errors and exit codes otherwise."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from harness.child_process import ROOT
from harness.servers import COLUMNS, env, save_classifier
from mlmodel.cli.app import run

ROWS = 2500


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_classifier(tmp_path_factory.mktemp("predict") / "classifier")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(rng.normal(size=(ROWS, 4)), columns=COLUMNS)


def _mlflow_predict(model: Path, source: Path, out: Path, content_type: str) -> object:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mlflow",
            "models",
            "predict",
            "-m",
            str(model),
            "-i",
            str(source),
            "-o",
            str(out),
            "-t",
            content_type,
            "--env-manager",
            "local",
        ],
        check=True,
        capture_output=True,
        env=env(),
        cwd=ROOT,
        timeout=300,
    )
    return json.loads(out.read_text())


def test_csv_in_chunks_equals_mlflow_models_predict_and_sklearn(
    model: Path, frame: pd.DataFrame, tmp_path: Path
) -> None:
    source = tmp_path / "in.csv"
    frame.to_csv(source, index=False)
    ours = tmp_path / "ours.json"
    assert (
        run(
            [
                "predict",
                str(model),
                "-i",
                str(source),
                "-o",
                str(ours),
                "-t",
                "csv",
                "--chunk-rows",
                "1000",
            ]
        )
        == 0
    )
    theirs = _mlflow_predict(model, source, tmp_path / "theirs.json", "csv")
    result = json.loads(ours.read_text())
    assert result == theirs
    import mlflow.sklearn

    expected = mlflow.sklearn.load_model(str(model)).predict(pd.read_csv(source))
    assert result == {"predictions": expected.tolist()}


def test_json_payload_equals_mlflow_models_predict(
    model: Path, frame: pd.DataFrame, tmp_path: Path
) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps({"dataframe_split": frame.head(50).to_dict(orient="split")}))
    ours = tmp_path / "ours.json"
    assert run(["predict", str(model), "-i", str(source), "-o", str(ours)]) == 0
    assert json.loads(ours.read_text()) == _mlflow_predict(
        model, source, tmp_path / "theirs.json", "json"
    )


def test_parquet_csv_and_the_server_path_agree(
    model: Path, frame: pd.DataFrame, tmp_path: Path
) -> None:
    frame.to_parquet(tmp_path / "in.parquet")
    frame.to_csv(tmp_path / "in.csv", index=False)
    for name, kind in (("in.parquet", "parquet"), ("in.csv", "csv")):
        assert (
            run(
                [
                    "predict",
                    str(model),
                    "-i",
                    str(tmp_path / name),
                    "-o",
                    str(tmp_path / f"{kind}.json"),
                    "-t",
                    kind,
                    "--chunk-rows",
                    "700",
                ]
            )
            == 0
        )
    from mlmodel.pyfunc import load_model
    from mlmodel.scoring.dataplane import Scorer

    whole = Scorer(load_model(model)).invocations((tmp_path / "in.csv").read_bytes(), "text/csv")
    assert whole.status == 200
    expected = json.loads(whole.body)
    assert json.loads((tmp_path / "parquet.json").read_text()) == expected
    assert json.loads((tmp_path / "csv.json").read_text()) == expected
    assert len(expected["predictions"]) == ROWS


def test_stdin_and_stdout(model: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mlmodel", "predict", str(model), "-t", "csv"],
        input=b"a,b,c,d\n1,2,3,4\n-5,-5,0,0\n",
        capture_output=True,
        env=env(),
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"predictions": [1, 0]}
    assert b"\x1b[" not in done.stderr  # no progress bar when stderr is not a terminal


def test_bad_input_and_usage_errors(
    model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("a,b,c\n1,2,3\n")
    out = tmp_path / "out.json"
    assert run(["predict", str(model), "-i", str(source), "-o", str(out), "-t", "csv"]) == 1
    assert "['d']" in capsys.readouterr().err
    assert not out.exists()  # nothing half-written
    assert run(["predict", str(model), "-i", str(source), "-t", "xml"]) == 2
    assert "--content-type" in capsys.readouterr().err


def test_an_invalid_model_stops_serve_and_predict_with_diagnostics(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "MLmodel").write_text("flavors:\n  python_function: {loader_module: 3}\n")
    for args in (["serve", str(broken), "--port", "0"], ["predict", str(broken), "-i", "-"]):
        done = subprocess.run(
            [sys.executable, "-m", "mlmodel", *args],
            capture_output=True,
            text=True,
            env=env(),
            cwd=ROOT,
            timeout=120,
            input="",
            check=False,
        )
        assert done.returncode == 1, done.stderr
        assert "does not validate" in done.stderr
        # each diagnostic as validate prints it, never a Python repr
        assert f"{broken / 'MLmodel'}:2:36: error V200" in done.stderr
        assert "Diagnostic(" not in done.stderr
        assert "Traceback" not in done.stderr


def test_a_file_is_not_held_to_the_servers_decoding_limits(model: Path, tmp_path: Path) -> None:
    from mlmodel.pyfunc import load_model
    from mlmodel.scoring.dataplane import Scorer
    from mlmodel.scoring.limits import DEFAULT_MAX_ROWS, DecodeLimits

    rows = DEFAULT_MAX_ROWS + 1
    source = tmp_path / "many.parquet"
    pd.DataFrame(np.zeros((rows, 4)), columns=COLUMNS).to_parquet(source)
    served = Scorer(load_model(model), DecodeLimits()).invocations(
        source.read_bytes(), "application/vnd.apache.parquet"
    )
    assert served.status == 413  # what ``mlmodel serve`` answers with its default limits
    out = tmp_path / "out.json"
    assert run(["predict", str(model), "-i", str(source), "-o", str(out), "-t", "parquet"]) == 0
    assert len(json.loads(out.read_text())["predictions"]) == rows


# -- formats, streaming, progress (issue 18) --------------------------------------------------


def _expected(model: Path, frame: pd.DataFrame) -> list[int]:
    from mlmodel.pyfunc import load_model

    return [int(v) for v in load_model(model).predict(frame)]


def test_the_input_format_comes_from_the_extension_and_t_is_case_insensitive(
    model: Path, frame: pd.DataFrame, tmp_path: Path
) -> None:
    frame.head(30).to_csv(tmp_path / "x.CSV", index=False)
    frame.head(30).to_parquet(tmp_path / "x.pq")
    frame.head(30).to_csv(tmp_path / "x.txt", index=False)
    expected = {"predictions": _expected(model, frame.head(30))}
    for args in (["-i", "x.CSV"], ["-i", "x.pq"], ["-i", "x.txt", "-t", "CSV"]):
        out = tmp_path / "out.json"
        source = str(tmp_path / args[1])
        assert run(["predict", str(model), "-i", source, *args[2:], "-o", str(out)]) == 0, args
        assert json.loads(out.read_text()) == expected, args


def test_json_output_ends_with_a_newline(model: Path, frame: pd.DataFrame, tmp_path: Path) -> None:
    frame.head(30).to_csv(tmp_path / "in.csv", index=False)
    (tmp_path / "in.json").write_text(
        json.dumps({"dataframe_split": frame.head(3).to_dict(orient="split")})
    )
    for source, chunk in (("in.csv", "10"), ("in.csv", "100"), ("in.json", "10")):
        out = tmp_path / "out.json"
        args = ["-i", str(tmp_path / source), "-o", str(out), "--chunk-rows", chunk]
        assert run(["predict", str(model), *args]) == 0
        assert out.read_bytes().endswith(b"}\n"), (source, chunk)


def test_output_formats_from_the_extension_or_the_option(
    model: Path, frame: pd.DataFrame, tmp_path: Path
) -> None:
    source = tmp_path / "in.csv"
    frame.head(250).to_csv(source, index=False)
    expected = _expected(model, frame.head(250))
    outputs = {
        "out.JSONL": [],
        "out.csv": [],
        "out.Parquet": [],
        "lines.txt": ["--output-format", "JSONL"],
    }
    for name, option in outputs.items():
        args = ["-i", str(source), "-o", str(tmp_path / name), "--chunk-rows", "100", *option]
        assert run(["predict", str(model), *args]) == 0, name
    lines = (tmp_path / "out.JSONL").read_text().splitlines()
    assert [json.loads(line) for line in lines] == expected
    assert (tmp_path / "lines.txt").read_text() == (tmp_path / "out.JSONL").read_text()
    assert pd.read_csv(tmp_path / "out.csv")["prediction"].tolist() == expected
    import pyarrow.parquet as pq

    written = pq.ParquetFile(tmp_path / "out.Parquet")
    assert written.metadata.num_row_groups == 3  # a row group per chunk
    assert written.read().to_pandas()["prediction"].tolist() == expected


def test_a_frame_of_predictions_is_a_column_per_output() -> None:
    from mlmodel.scoring.prediction_writers import JsonLinesWriter, prediction_frame

    two = pd.DataFrame({"label": [1, 0], "score": [0.9, 0.2]})
    assert prediction_frame(two) is two
    assert prediction_frame(np.array([[1, 2], [3, 4]])).columns.tolist() == [
        "prediction_0",
        "prediction_1",
    ]
    assert prediction_frame(pd.Series([1, 2], name="y")).columns.tolist() == ["y"]
    import io

    out = io.BytesIO()
    JsonLinesWriter(out).write(two)
    assert out.getvalue() == b'{"label":1,"score":0.9}\n{"label":0,"score":0.2}\n'


def test_the_output_is_streamed_to_a_temporary_and_removed_on_ctrl_c(
    model: Path, frame: pd.DataFrame, tmp_path: Path
) -> None:
    """Chunks reach the disk as they are scored (a temporary beside OUTPUT, OUTPUT itself
    untouched); Ctrl-C (KeyboardInterrupt) mid-run removes the temporary."""
    from mlmodel.core.fsio import TEMP_SUFFIX, atomic_writer
    from mlmodel.pyfunc import load_model
    from mlmodel.scoring.batch import BatchProgress, predict_stream
    from mlmodel.scoring.dataplane import Scorer
    from mlmodel.scoring.prediction_writers import open_writer

    source = tmp_path / "in.csv"
    frame.to_csv(source, index=False)
    target = tmp_path / "out.jsonl"
    target.write_text("before\n")
    seen: list[int] = []

    def interrupt(state: BatchProgress) -> None:
        if state.rows_scored >= 1000:
            (temp,) = tmp_path.glob(f".out.jsonl.*{TEMP_SUFFIX}")
            seen.append(temp.stat().st_size)
            raise KeyboardInterrupt

    scorer = Scorer(load_model(model))
    with pytest.raises(KeyboardInterrupt), source.open("rb") as data, atomic_writer(target) as out:
        predict_stream(
            scorer,
            data,
            open_writer("jsonl", out),
            content_type="text/csv",
            chunk_rows=500,
            progress=interrupt,
        )
    assert seen and seen[0] > 0  # the first chunks were on disk already
    assert target.read_text() == "before\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.jsonl"]


def test_a_run_that_fails_mid_way_leaves_the_output_as_it_was(
    model: Path, frame: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    text = frame.head(300).to_csv(index=False)
    source.write_text(text + "x,1,2,3\n")  # the fourth chunk of 100 rows is unreadable
    for name in ("out.json", "out.parquet", "out.csv"):
        target = tmp_path / name
        target.write_bytes(b"before")
        args = ["-i", str(source), "-o", str(target), "--chunk-rows", "100"]
        assert run(["predict", str(model), *args]) == 1
        assert "could not convert string to float" in capsys.readouterr().err
        assert target.read_bytes() == b"before"
    assert len(list(tmp_path.iterdir())) == 4  # no temporary left


def _scored_progress(model: Path, source: Path, kind: str, rows: int) -> list[object]:
    from mlmodel.pyfunc import load_model
    from mlmodel.scoring.batch import BatchProgress, predict_stream
    from mlmodel.scoring.dataplane import Scorer
    from mlmodel.scoring.prediction_writers import open_writer

    states: list[BatchProgress] = []
    import io

    with source.open("rb") as data:
        predict_stream(
            Scorer(load_model(model)),
            data,
            open_writer("json", io.BytesIO()),
            content_type=kind,
            chunk_rows=rows,
            progress=states.append,
        )
    return list(states)


def test_progress_counts_rows_scored_and_bytes_read(
    model: Path, frame: pd.DataFrame, tmp_path: Path
) -> None:
    """Parquet: the footer's row count is the total, the first report comes before any row
    is scored, and the file is read a row group at a time (pyarrow's pre-buffering read it
    all before the first batch); CSV: bytes read against the file's size."""
    from mlmodel.scoring.batch import BatchProgress

    parquet = tmp_path / "in.parquet"
    frame.to_parquet(parquet, row_group_size=1000)  # 2,500 rows: 3 row groups
    size = parquet.stat().st_size
    states = _scored_progress(model, parquet, "application/vnd.apache.parquet", 500)
    assert all(isinstance(s, BatchProgress) for s in states)
    got = [(s.rows_scored, s.rows_total, s.bytes_total) for s in states]  # type: ignore[attr-defined]
    assert got == [(n, ROWS, size) for n in range(0, ROWS + 1, 500)]
    fractions = [s.fraction for s in states]  # type: ignore[attr-defined]
    assert fractions[0] == 0 and fractions[-1] == 1 and max(fractions[:-1]) < 1
    assert states[1].bytes_read < size / 2  # type: ignore[attr-defined]

    csv = tmp_path / "in.csv"
    frame.to_csv(csv, index=False)
    states = _scored_progress(model, csv, "text/csv", 1000)
    got = [(s.rows_scored, s.rows_total, s.bytes_total) for s in states]  # type: ignore[attr-defined]
    assert got == [(n, None, csv.stat().st_size) for n in (0, 1000, 2000, ROWS)]
    assert states[-1].bytes_read == csv.stat().st_size  # type: ignore[attr-defined]


def test_a_parquet_row_group_is_read_a_page_at_a_time(tmp_path: Path) -> None:
    """One big row group: the first frame comes after reading a page of each column, not
    the row group's column chunks whole (nor, with pre-buffering, the whole file)."""
    from mlmodel.scoring.tabular import iter_parquet

    path = tmp_path / "one-group.parquet"
    rng = np.random.default_rng(3)
    pd.DataFrame(rng.normal(size=(800_000, 4)), columns=COLUMNS).to_parquet(
        path, row_group_size=800_000
    )
    import io

    class Counted(io.FileIO):
        """A file that counts the bytes read from it."""

        count = 0

        def read(self, size: int | None = -1) -> bytes:
            data = super().read(size)
            self.count += len(data or b"")
            return data or b""

        def readinto(self, buffer: Any) -> int:
            done = super().readinto(buffer) or 0
            self.count += done
            return done

    with Counted(path) as source:
        frames = iter_parquet(source, 10_000)
        assert len(next(frames)) == 10_000
        assert 0 < source.count < path.stat().st_size / 2  # whole column chunks: all of it


def test_parquet_from_a_stream_that_cannot_seek(
    model: Path, frame: pd.DataFrame, tmp_path: Path
) -> None:
    import io

    from mlmodel.pyfunc import load_model
    from mlmodel.scoring.batch import predict_stream
    from mlmodel.scoring.dataplane import Scorer
    from mlmodel.scoring.prediction_writers import open_writer

    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self.data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
            chunk = self.data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    body = io.BytesIO()
    frame.head(40).to_parquet(body)
    out = io.BytesIO()
    source = io.BufferedReader(Pipe(body.getvalue()))  # type: ignore[type-var]
    assert not source.seekable()
    predict_stream(
        Scorer(load_model(model)),
        source,
        open_writer("json", out),
        content_type="application/vnd.apache.parquet",
        chunk_rows=15,
    )
    assert json.loads(out.getvalue()) == {"predictions": _expected(model, frame.head(40))}


def test_a_terminal_on_stdin_gets_a_note_before_the_wait(model: Path) -> None:
    import os
    import pty
    import select

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "mlmodel", "predict", str(model)],
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env(),
        cwd=ROOT,
    )
    os.close(follower)
    try:
        assert process.stderr is not None
        said, _, _ = select.select([process.stderr], [], [], 60)  # nothing typed yet
        assert said, "no note on stderr while waiting on the terminal"
        line = process.stderr.readline()
        assert b"reading the input from standard input (Ctrl-D to end)" in line
        os.write(leader, b'{"dataframe_records": [{"a": 1, "b": 2, "c": 3, "d": 4}]}\n\x04')
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        assert json.loads(out) == {"predictions": [1]}
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)
        os.close(leader)
