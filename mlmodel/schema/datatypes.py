"""The signature's scalar type names and the numpy dtypes they stand for (no imports).

One table for both directions: signature inference maps numpy dtypes to these names,
schema enforcement maps the names back to the dtype a column is converted to.
Follows MLflow's ``mlflow.types.DataType``.
"""

from __future__ import annotations

from typing import Final

#: scalar type name -> numpy dtype name (``str``/``bytes`` stand for object columns)
SCALAR_NUMPY_DTYPES: Final[dict[str, str]] = {
    "boolean": "bool",
    "integer": "int32",
    "long": "int64",
    "float": "float32",
    "double": "float64",
    "string": "str",
    "binary": "bytes",
    "datetime": "datetime64[ns]",
}

#: type names of parameters (every scalar but ``binary``, plus ``object``)
PARAM_TYPE_NAMES: Final[frozenset[str]] = frozenset({*SCALAR_NUMPY_DTYPES, "object"} - {"binary"})

#: type names with nested type information
COMPOUND_TYPE_NAMES: Final[frozenset[str]] = frozenset(
    {"array", "object", "map", "any", "sparkml_vector"}
)


def scalar_type_for_dtype(kind: str, itemsize: int) -> str | None:
    """The scalar type name for a numpy dtype ``kind``/``itemsize``; None if unsupported.

    As MLflow: unsigned ints widen to the next signed type; uint64 has none.
    """
    if kind == "b":
        return "boolean"
    if kind in ("i", "u"):
        if itemsize < 4 or (kind == "i" and itemsize == 4):
            return "integer"
        if itemsize < 8 or (kind == "i" and itemsize == 8):
            return "long"
        return None
    if kind == "f":
        if itemsize <= 4:
            return "float"
        if itemsize <= 8:
            return "double"
        return None
    return {"U": "string", "S": "binary", "M": "datetime"}.get(kind)
