"""A JSON array read element by element: one bad element is one rejection, not a refused file.

`orjson.loads` refuses a whole document for one number it cannot hold (`1e999`), one element
nested past its depth limit, or a cut-off end. A message array (the fixtures, hand-made test
files) is split at its top-level commas instead, strings and escapes respected, and each element
is parsed on its own; a document that ends before its closing bracket yields what it has and
says so (`truncated`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import orjson

_STRUCTURE = re.compile(rb'[\\"\[\]{},]')


@dataclass(frozen=True, slots=True)
class ArrayElement:
    """One top-level element: the parsed value, or `error` naming why it is not JSON."""

    index: int
    value: object = None
    error: str | None = None


@dataclass(slots=True)
class ArrayScan:
    """Set by `elements` as it goes; read after the iteration."""

    truncated: str | None = None


def elements(data: bytes, scan: ArrayScan) -> Iterator[ArrayElement]:
    """The elements of the array in `data` (which must start, after blanks, with `[`)."""
    start = data.index(b"[") + 1
    cursor = _Cursor()
    index = 0
    for match in _STRUCTURE.finditer(data, start):
        at = match.start()
        split = cursor.step(match.group(), at)
        if split == _END:
            if data[start:at].strip():
                yield _parse(index, data[start:at])
            if data[at + 1 :].strip():
                scan.truncated = "data after the closing bracket"
            return
        if split == _NEXT:
            yield _parse(index, data[start:at])
            index, start = index + 1, at + 1
    if data[start:].strip():
        yield _parse(index, data[start:])
    scan.truncated = "the array ends before its closing bracket"


_NONE, _NEXT, _END = 0, 1, 2


class _Cursor:
    """Where the scan is: container depth, inside a string, skipping an escaped character."""

    __slots__ = ("depth", "in_string", "skip_to")

    def __init__(self) -> None:
        self.depth, self.in_string, self.skip_to = 1, False, 0

    def step(self, char: bytes, at: int) -> int:
        """Advance over one structural character; _NEXT at a top-level comma, _END at the close."""
        if at < self.skip_to:  # the character after a backslash inside a string
            return _NONE
        if self.in_string:
            if char == b"\\":
                self.skip_to = at + 2
            elif char == b'"':
                self.in_string = False
            return _NONE
        if char == b'"':
            self.in_string = True
        elif char in b"[{":
            self.depth += 1
        elif char in b"]}":
            self.depth -= 1
            return _END if self.depth == 0 else _NONE
        elif char == b"," and self.depth == 1:
            return _NEXT
        return _NONE


def _parse(index: int, chunk: bytes) -> ArrayElement:
    try:
        return ArrayElement(index, orjson.loads(chunk))
    except orjson.JSONDecodeError as exc:
        return ArrayElement(index, error=f"array item {index}: {str(exc)[:80]}")
