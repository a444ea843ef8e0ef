"""Small HTTP replies without a 40 ms stall on kept-alive connections.

Streamlit 1.67 binds its listening socket as `socket.socket(family)`, whose protocol number is
0, and asyncio sets TCP_NODELAY only on sockets that say IPPROTO_TCP: the accepted
connections keep Nagle's algorithm. uvicorn writes a reply's head and body separately, so on a
kept-alive connection the body waits for the client's delayed ACK (40 ms on Linux): a cached
reader page took 44 ms on a reused connection and 1 ms on a new one, capping one process at
~180 replies a second. Linux passes TCP_NODELAY from a listening socket to each connection it
accepts, so `install` sets it on this process's listening TCP sockets; `asgi.py` calls it when
the server loads the app (the socket is bound and listening by then). Elsewhere it does nothing.
"""

from __future__ import annotations

import contextlib
import gc
import socket


def install() -> int:
    """TCP_NODELAY on every listening TCP socket of this process; returns how many."""
    done = 0
    for obj in gc.get_objects():
        if not isinstance(obj, socket.socket) or obj.fileno() < 0:
            continue
        with contextlib.suppress(OSError):
            if (
                obj.family in (socket.AF_INET, socket.AF_INET6)
                and obj.type == socket.SOCK_STREAM
                and obj.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
            ):
                obj.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                done += 1
    return done
