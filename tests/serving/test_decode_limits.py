"""Limits on what a request body decodes to (columns, rows, cells, parquet decompressed
bytes): small bodies that decode to huge frames are refused with 413 before pandas builds
anything, in well under 2 s; legitimate bodies decode as before; library use (and so
``mlmodel predict``) has no limits. The server-level tests are in test_serve_robustness.py.

MLflow's scoring server has no equivalent limits (it decodes every one of these bodies), so
there is no MLflow status to compare with."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlmodel.scoring import v2
from mlmodel.scoring.limits import DEFAULT_MAX_ROWS, DecodeLimits, LimitExceeded, csv_fields
from mlmodel.scoring.payload import ModelInputs, decode_json
from mlmodel.scoring.tabular import read_csv, read_parquet

SERVER = DecodeLimits()  # the defaults of ``mlmodel serve``
NO_SCHEMA = ModelInputs.of(None)


def _parquet(table: Any, **options: Any) -> bytes:
    import pyarrow.parquet as pq

    out = io.BytesIO()
    pq.write_table(table, out, compression="zstd", **options)
    return out.getvalue()


def _rows_parquet(rows: int) -> bytes:
    import pyarrow as pa

    return _parquet(pa.table({"a": pa.nulls(rows, pa.float64())}), row_group_size=rows)


def _repeated_string_parquet(rows: int, length: int) -> bytes:
    """One string stored once in a dictionary page and referenced ``rows`` times (without
    arrow's schema, so it reads back as plain strings, not a categorical)."""
    import pyarrow as pa

    strings = pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), ["x" * length])
    return _parquet(pa.table({"s": strings}), store_schema=False)


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _v2_inputs(count: int) -> bytes:
    spec = {"shape": [1], "datatype": "FP64", "data": [1.0]}
    return _json({"inputs": [{"name": f"c{i}", **spec} for i in range(count)]})


#: (decoder with limits, the body (made when a test needs it), the option the refusal names)
AMPLIFIED: dict[str, tuple[Callable[[Any, DecodeLimits | None], Any], Callable[[], Any], str]] = {
    "csv-header-of-commas": (
        lambda body, limits: read_csv(body, None, limits),
        lambda: b"," * 100_000 + b"\n",
        "--max-columns",
    ),
    "csv-first-row-as-index-levels": (
        lambda body, limits: read_csv(body, None, limits),
        lambda: b"a\n" + b"1," * 50_000 + b"\n",
        "--max-columns",
    ),
    "csv-short-rows-padded": (
        lambda body, limits: read_csv(body, None, limits),
        lambda: b"," * 2_000 + b"\n" + b"1\n" * 20_000,
        "--max-cells",
    ),
    "records-with-distinct-keys": (
        lambda body, limits: decode_json(body, NO_SCHEMA, limits),
        lambda: _json({"dataframe_records": [{f"k{i}": 1} for i in range(3000)]}),
        "--max-cells",
    ),
    "split-ragged-rows": (
        lambda body, limits: decode_json(body, NO_SCHEMA, limits),
        lambda: _json({"dataframe_split": {"data": [[1] * 3000] + [[1]] * 3000}}),
        "--max-cells",
    ),
    "split-long-index": (
        lambda body, limits: decode_json(body, NO_SCHEMA, limits),
        lambda: _json(
            {"dataframe_split": {"columns": list(range(500)), "index": [0] * 20_000, "data": []}}
        ),
        "--max-cells",
    ),
    "parquet-rows-in-a-small-body": (
        lambda body, limits: read_parquet(body, limits),
        lambda: _rows_parquet(DEFAULT_MAX_ROWS + 1),
        "--max-rows",
    ),
    "parquet-repeated-dictionary-string": (
        lambda body, limits: read_parquet(body, limits),
        lambda: _repeated_string_parquet(30_000, 10_000),
        "--max-decompressed-size",
    ),
    "v2-inputs": (
        lambda body, limits: v2.decode_request(body, None, limits),
        lambda: _v2_inputs(10_001),
        "--max-columns",
    ),
}


@pytest.mark.parametrize("case", list(AMPLIFIED))
def test_small_bodies_decoding_to_huge_frames_get_413_at_once(case: str) -> None:
    decode, make, option = AMPLIFIED[case]
    body = make()
    start = time.thread_time()  # CPU time: a loaded CI machine does not stretch it
    with pytest.raises(LimitExceeded) as refused:
        decode(body, SERVER)
    assert time.thread_time() - start < 2.0
    assert (refused.value.status, refused.value.error_code) == (413, "REQUEST_LIMIT_EXCEEDED")
    assert f"(mlmodel serve {option})" in refused.value.message


def test_parquet_decompressed_size_and_columns_come_from_the_footer() -> None:
    import pyarrow as pa

    body = _parquet(pa.table({"a": np.arange(200_000.0)}), use_dictionary=False)
    with pytest.raises(
        LimitExceeded, match=r"decodes to at least .* bytes.*--max-decompressed-size"
    ):
        read_parquet(body, DecodeLimits(max_decompressed_size=1_000_000))
    assert len(read_parquet(body, DecodeLimits(max_decompressed_size=2_000_000))) == 200_000
    wide = _parquet(pa.table({f"c{i}": [1.0] for i in range(30)}))
    with pytest.raises(LimitExceeded, match=r"30 columns.*--max-columns"):
        read_parquet(wide, DecodeLimits(max_columns=29))


CSV_SHAPES = [
    "a,b,c\n1,2,3\n",
    "a\n1,2,3\n",
    '"a,b",c\n1,2\n',
    "\n\r\na,b\r\n1,2\r\n",
    'a"x,y",z\n1,2,3\n',
    '"a""b,c",d\n1,2\n',
    '"x\ny,z",w\n1,2\n',
    ' "a,b",c\n1,2,3\n',
    '"ab"c,d,e\n1,2,3\n',
    "a,b",
    "a,b\n1\n2\n",
]


@pytest.mark.parametrize("text", CSV_SHAPES)
def test_csv_fields_are_what_pandas_makes_columns_and_index_levels_of(text: str) -> None:
    frame = pd.read_csv(io.StringIO(text))
    levels = 0 if isinstance(frame.index, pd.RangeIndex) else frame.index.nlevels
    assert csv_fields(text, stop=100) == len(frame.columns) + levels


def _frame(rows: int) -> pd.DataFrame:
    return pd.DataFrame(np.random.default_rng(rows).normal(size=(rows, 4)), columns=list("abcd"))


def _bodies(
    frame: pd.DataFrame,
) -> dict[str, tuple[Callable[[Any, DecodeLimits | None], Any], Any]]:
    split = frame.to_dict("split")
    return {
        "csv": (lambda b, lim: read_csv(b, None, lim), frame.to_csv(index=False).encode()),
        "parquet": (lambda b, lim: read_parquet(b, lim), frame.to_parquet()),
        "split": (
            lambda b, lim: decode_json(b, NO_SCHEMA, lim).data,
            _json({"dataframe_split": {"columns": split["columns"], "data": split["data"]}}),
        ),
        "records": (
            lambda b, lim: decode_json(b, NO_SCHEMA, lim).data,
            _json({"dataframe_records": frame.to_dict("records")}),
        ),
        "v2": (
            lambda b, lim: v2.decode_request(b, None, lim)[0].data,
            _json(
                {
                    "inputs": [
                        {"name": c, "shape": [len(frame)], "datatype": "FP64", "data": list(v)}
                        for c, v in frame.items()
                    ]
                }
            ),
        ),
    }


@pytest.mark.parametrize("rows", [1, 1000])
def test_legitimate_bodies_decode_the_same_under_the_server_limits(rows: int) -> None:
    for name, (decode, body) in _bodies(_frame(rows)).items():
        limited, free = decode(body, SERVER), decode(body, None)
        pd.testing.assert_frame_equal(limited, free, obj=name)
        assert limited.shape == (rows, 4), name


def test_each_limit_admits_its_value_and_refuses_one_more() -> None:
    bodies = _bodies(_frame(5))
    for name, (decode, body) in bodies.items():
        assert len(decode(body, DecodeLimits(max_rows=5, max_columns=4, max_cells=20))) == 5
        with pytest.raises(LimitExceeded, match="--max-rows"):
            decode(body, DecodeLimits(max_rows=4))
        with pytest.raises(LimitExceeded, match="--max-columns"):
            decode(body, DecodeLimits(max_columns=3))
        if name != "v2":  # V2 columns are separate tensors: rows and inputs are what count
            with pytest.raises(LimitExceeded, match="--max-cells"):
                decode(body, DecodeLimits(max_cells=19))


def test_library_decoding_has_no_limits() -> None:
    """What the server refuses, a caller without limits (``mlmodel predict``) decodes."""
    body = _rows_parquet(DEFAULT_MAX_ROWS + 1)
    assert len(read_parquet(body)) == len(read_parquet(body, None)) == DEFAULT_MAX_ROWS + 1


class _EchoModel:
    """What the data plane asks of a PyFuncModel, without a signature: ``predict`` echoes."""

    input_schema = output_schema = params_schema = None
    is_signature_from_type_hint = False

    @staticmethod
    def predict(data: Any, params: Any = None) -> Any:
        return data


def test_the_data_plane_answers_each_protocols_error_body() -> None:
    """413 with MLflow's error object on ``/invocations`` and ``{"error": ...}`` on V2."""
    from mlmodel.scoring.dataplane import OpenInference, Scorer

    scorer = Scorer(_EchoModel(), DecodeLimits(max_rows=1))  # type: ignore[arg-type]
    mlflow = scorer.invocations(
        _json({"dataframe_split": {"data": [[1], [2]]}}), "application/json"
    )
    assert (mlflow.status, json.loads(mlflow.body)) == (
        413,
        {
            "error_code": "REQUEST_LIMIT_EXCEEDED",
            "message": "The request has 2 rows; the server allows at most 1 (mlmodel serve "
            "--max-rows).",
        },
    )
    inputs = [{"name": "a", "shape": [2], "datatype": "FP64", "data": [1, 2]}]
    answer = OpenInference(scorer, "m").infer(_json({"inputs": inputs}))
    assert (answer.status, json.loads(answer.body)) == (
        413,
        {
            "error": "The request has 2 rows; the server allows at most 1 (mlmodel serve --max-rows)."
        },
    )


def test_serve_options_set_the_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from mlmodel.cli.app import run
    from mlmodel.serve import server

    started: list[server.ServeOptions] = []
    monkeypatch.setattr(server, "serve", started.append)  # the options, not a server
    limits = ["--max-columns", "7", "--max-rows", "8", "--max-cells", "9"]
    assert run(["serve", str(tmp_path), *limits, "--max-decompressed-size", "10"]) == 0
    assert server.limits_for(started[0]) == DecodeLimits(7, 8, 9, 10)
    assert server.limits_for(server.ServeOptions(model="m")) == SERVER
    for option in ("--max-columns", "--max-rows", "--max-cells", "--max-decompressed-size"):
        assert run(["serve", str(tmp_path), option, "0"]) == 2
        assert f"{option} must be positive" in capsys.readouterr().err
