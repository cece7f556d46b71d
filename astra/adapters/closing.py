"""`CloseOnExit`: the context-manager half of an adapter that owns something to close."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class CloseOnExit:
    """`with X(...) as x:` hands back `x` and calls `x.close()` on the way out, raised or not."""

    __slots__ = ()

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
