"""`CloseOnExit`: the context-manager half of an adapter that owns something to close."""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self


class CloseOnExit(ABC):
    """`with X(...) as x:` hands back `x` and calls `x.close()` on the way out, raised or not."""

    __slots__ = ()

    @abstractmethod
    def close(self) -> None:
        """Release what the adapter owns; called once by `__exit__`."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
