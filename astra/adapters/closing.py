"""`CloseOnExit`: the context-manager half of an adapter that owns something to close.

`ServerThread` is the one for a `socketserver` running on a background thread.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from socketserver import BaseServer
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


@dataclass(slots=True)
class ServerThread(CloseOnExit):
    """A `socketserver` serving on its own thread; `close()` stops it and frees the port."""

    host: str
    port: int
    _server: BaseServer
    _thread: threading.Thread

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5.0)
