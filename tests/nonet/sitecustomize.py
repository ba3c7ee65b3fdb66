"""No process the tests start may reach past this machine (kernels, JupyterLab, the hub).

pytest-socket guards only the test process itself. tests/conftest.py puts this
folder first on PYTHONPATH for everything the tests start, and Python imports
`sitecustomize` at start-up, so every child Python process (a notebook's kernel,
JupyterLab, JupyterHub, a student's server and its kernels) refuses connections
and name look-ups for anything but loopback, with a message naming this file.
ZeroMQ (kernel messages) connects in C on 127.0.0.1 and is unaffected.
"""

from __future__ import annotations

import ipaddress
import socket

_LOCAL_NAMES = {None, "", "localhost", "0.0.0.0", "::", socket.gethostname()}
_connect, _connect_ex, _getaddrinfo = (socket.socket.connect, socket.socket.connect_ex,
                                       socket.getaddrinfo)


def _local(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(what: object) -> OSError:
    return ConnectionRefusedError(f"network blocked in tests (tests/nonet/sitecustomize.py): "
                                  f"{what!r} is not on this machine")


def connect(self: socket.socket, address: object) -> None:
    if isinstance(address, tuple) and not _local(address[0]):
        raise _refuse(address)
    return _connect(self, address)


def connect_ex(self: socket.socket, address: object) -> int:
    if isinstance(address, tuple) and not _local(address[0]):
        raise _refuse(address)
    return _connect_ex(self, address)


def getaddrinfo(host: object, *args: object, **kwargs: object) -> list:
    if not _local(host):
        raise socket.gaierror(socket.EAI_NONAME, str(_refuse(host)))
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = (connect, connect_ex,
                                                                       getaddrinfo)
