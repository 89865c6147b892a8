"""Total deadlines that hold whatever the server does.

urllib3's timeouts bound each socket operation, not a whole exchange: a server that sends
one byte every few seconds (in the TLS handshake, the headers or the body) never trips a
per-read timeout. A ``Watch`` holds duplicates of the sockets of one exchange, and one
watchdog thread shuts them down when its deadline passes, which wakes the blocked read
with an error. The reader then sees ``watch.fired`` and reports a timeout.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time


class Watch:
    """The sockets of one exchange and the monotonic time at which they are shut down."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.fired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._closed = False

    def attach(self, sock: socket.socket) -> None:
        """Watch ``sock`` (a duplicate is kept, so TLS wrapping of the original does not hide it)."""
        with self._lock:
            if self._closed:
                return
            dup = sock.dup()
            self._sockets.append(dup)
            if self.fired:
                _shutdown(dup)

    def fire(self) -> None:
        with self._lock:
            if self._closed:
                return
            self.fired = True
            for sock in self._sockets:
                _shutdown(sock)

    def close(self) -> None:
        """The exchange is over: release the duplicates; a later deadline does nothing."""
        with self._lock:
            self._closed = True
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed or never connected
        sock.shutdown(socket.SHUT_RDWR)


class _Watchdog:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Watch]] = []
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, watch: Watch) -> None:
        with self._cond:
            heapq.heappush(self._heap, (watch.deadline, next(self._seq), watch))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="veracity-fetch-watchdog", daemon=True)
                self._thread.start()
            if self._heap[0][2] is watch:  # only an earlier deadline changes when the thread must wake
                self._cond.notify()

    def _run(self) -> None:
        with self._cond:
            while True:
                now = time.monotonic()
                while self._heap and self._heap[0][0] <= now:
                    heapq.heappop(self._heap)[2].fire()
                self._cond.wait(self._heap[0][0] - now if self._heap else None)


WATCHDOG = _Watchdog()
