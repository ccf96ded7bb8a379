"""Spark result types from their DDL text (``double``, ``array<double>``, ``struct<a:int>``),
parsed in Python: no JVM round trip (Spark's own parser costs a cold session over a second)
and usable before a session starts, to refuse a bad ``--result-type`` at once.

Only the types ``spark_udf`` can fill are built: the primitives, arrays, string-keyed maps
and structs of them. Spark's other type names (``date``, ``decimal(10,2)``, ...) are
refused as unsupported; anything else as not a Spark type. Either error lists the accepted
forms and names the option the caller set (:class:`ResultTypeOption`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from mlmodel.core.errors import InvalidParameterError

if TYPE_CHECKING:
    from pyspark.sql.types import DataType, StructField


@dataclass(frozen=True)
class ResultTypeOption:
    """How messages name the result-type setting: ``spark_udf``'s argument or the CLI's
    ``--result-type`` option."""

    name: str
    #: how a value is written for this option, ``{}`` standing for the value
    spelling: str

    def given(self, value: str) -> str:
        """The option set to ``value``, as the caller would write it."""
        return self.spelling.format(value)


#: ``spark_udf(..., result_type=...)`` and ``predict_files``
API: Final = ResultTypeOption("result_type", "result_type='{}'")
#: ``mlmodel predict --engine spark --result-type ...``
CLI: Final = ResultTypeOption("--result-type", "--result-type '{}'")

#: accepted primitive names (lower case, Spark's aliases included) -> pyspark type class
PRIMITIVES: Final = {
    "boolean": "BooleanType",
    "bool": "BooleanType",
    "tinyint": "ByteType",
    "byte": "ByteType",
    "smallint": "ShortType",
    "short": "ShortType",
    "int": "IntegerType",
    "integer": "IntegerType",
    "bigint": "LongType",
    "long": "LongType",
    "float": "FloatType",
    "real": "FloatType",
    "double": "DoubleType",
    "string": "StringType",
}
#: Spark types spark_udf cannot fill (a name followed by an optional ``(...)``)
UNSUPPORTED: Final = frozenset(
    {
        "date",
        "timestamp",
        "timestamp_ntz",
        "timestamp_ltz",
        "binary",
        "decimal",
        "dec",
        "numeric",
        "interval",
        "void",
        "char",
        "varchar",
        "variant",
        "time",
    }
)

ACCEPTED: Final = (
    "a primitive (int, bigint, float, double, boolean, string, smallint, tinyint), "
    "array<T>, map<string,T> or struct<name:T,...> of them"
)

_TOKEN: Final = re.compile(r"\s*(`(?:[^`]|``)*`|[A-Za-z_][A-Za-z0-9_]*|\d+|[<>(),:])")


class _Refused(Exception):
    """A parse failure: ``unsupported`` for a Spark type spark_udf cannot fill."""

    def __init__(self, detail: str, *, unsupported: bool = False) -> None:
        super().__init__(detail)
        self.unsupported = unsupported


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise _Refused(f"unexpected {text[position:].strip()[:20]!r}")
        tokens.append(match.group(1))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None:
            raise _Refused(f"expected {expected!r}, found the end" if expected else "ended early")
        if expected is not None and token.lower() != expected:
            raise _Refused(f"expected {expected!r}, found {token!r}")
        self.at += 1
        return token

    def top(self) -> DataType:
        """A type, or ``name: type, ...`` (a struct without ``struct<>``, as Spark reads it)."""
        from pyspark.sql.types import StructType

        start = self.at
        first = self.peek()
        if first is not None and self.at + 1 < len(self.tokens):
            following = self.tokens[self.at + 1]
            is_field = following == ":" or (
                following not in "<>(),:" and first.lower() not in ("array", "map", "struct")
            )
            if is_field:
                fields = [self.field()]
                while self.peek() == ",":
                    self.take(",")
                    fields.append(self.field())
                return StructType(fields)
        self.at = start
        return self.type()

    def type(self) -> DataType:
        from pyspark.sql import types

        word = self.take()
        name = word.lower()
        if name == "array":
            self.take("<")
            element = self.type()
            self.take(">")
            return types.ArrayType(element)
        if name == "map":
            self.take("<")
            key = self.type()
            self.take(",")
            value = self.type()
            self.take(">")
            if not isinstance(key, types.StringType):
                raise _Refused(
                    f"map keys must be string, not {key.simpleString()}", unsupported=True
                )
            return types.MapType(key, value)
        if name == "struct":
            self.take("<")
            fields: list[StructField] = []
            if self.peek() != ">":
                fields.append(self.field())
                while self.peek() == ",":
                    self.take(",")
                    fields.append(self.field())
            self.take(">")
            return types.StructType(fields)
        if name in PRIMITIVES:
            return getattr(types, PRIMITIVES[name])()  # type: ignore[no-any-return]
        if name in UNSUPPORTED:
            if self.peek() == "(":
                while self.take() != ")":
                    pass
            raise _Refused(f"{name} results cannot be filled by spark_udf", unsupported=True)
        raise _Refused(f"unknown type {word!r}")

    def field(self) -> StructField:
        from pyspark.sql.types import StructField

        name = self.take()
        if name in "<>(),:":
            raise _Refused(f"expected a field name, found {name!r}")
        if name.startswith("`"):
            name = name[1:-1].replace("``", "`")
        if self.peek() == ":":
            self.take(":")
        return StructField(name, self.type())


def parse_result_type(text: str, option: ResultTypeOption = API) -> DataType:
    """The Spark type ``text`` names; :class:`InvalidParameterError` for text that is not a
    type spark_udf can fill, naming ``option`` and the accepted forms."""
    parser = _Parser(text)
    try:
        parsed = parser.top()
        if parser.peek() is not None:
            raise _Refused(f"unexpected {parser.peek()!r} after the type")
    except _Refused as exc:
        kind = "unsupported spark_udf result type" if exc.unsupported else "not a Spark type"
        raise InvalidParameterError(
            f"{option.name} {text!r}: {kind} ({exc}); use {ACCEPTED}"
        ) from None
    return parsed
