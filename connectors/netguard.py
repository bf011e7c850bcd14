"""Where the fetcher may connect, and how long a response may take, enforced at the socket.

Two guarantees that ``requests`` alone does not give:

* **SSRF** (:class:`AddressGuard`): links taken from feed content (article pages for full text)
  are only fetched from public addresses. The host name is resolved *once*, every address it
  resolves to is checked (loopback, private, link-local, multicast, reserved, unspecified,
  shared and cloud-metadata addresses such as 169.254.169.254 and fd00:ec2::254 are refused,
  also when written as IPv4-mapped, 6to4 or Teredo IPv6), and the socket connects to the
  address that was checked, so a second DNS answer cannot swap in a private one. Each redirect
  opens a connection of its own and is checked the same way.
* **Wall-clock deadline** (:func:`deadline`): every socket a fetch opens or reuses is shut down
  when the fetch's total time is up, whatever phase it is in (connecting, waiting for headers,
  a body trickling one byte per read timeout).

Both live in the connection classes that :func:`mount` installs on a ``requests`` session.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from peacewatch.errors import PeacewatchError

_getaddrinfo = socket.getaddrinfo  # tests replace it to play a DNS server
_METADATA = (
    ipaddress.ip_network("169.254.169.254/32"),
    ipaddress.ip_network("fd00:ec2::254/128"),
    ipaddress.ip_network("100.100.100.200/32"),
)  # AWS, AWS IPv6, Alibaba
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: not public, not "private" to Python
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class BlockedAddress(PeacewatchError):
    """The host resolves to an address content links may not reach; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _embedded(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list[Any]:
    """Any IPv4 address carried inside an IPv6 one (mapped, 6to4, Teredo, NAT64), then the address."""
    out: list[Any] = []
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            out.append(address.ipv4_mapped)
        if address.sixtofour:
            out.append(address.sixtofour)
        if address.teredo:
            out.extend(address.teredo)
        if address in _NAT64:
            out.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [*out, address]  # the carried IPv4 address first: it says what the packet reaches


def classify(address: str) -> str | None:
    """Why ``address`` is not a public unicast address (``loopback``, ``private``, ...), or None."""
    try:
        parsed = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    for candidate in _embedded(parsed):
        if any(candidate in network for network in _METADATA if network.version == candidate.version):
            return "cloud metadata"
        for label, flag in (
            ("loopback", "is_loopback"),
            ("link-local", "is_link_local"),
            ("multicast", "is_multicast"),
            ("unspecified", "is_unspecified"),
            ("reserved", "is_reserved"),
            ("private", "is_private"),
        ):
            if getattr(candidate, flag):
                return label
        if candidate.version == 4 and candidate in _SHARED:
            return "shared (carrier-grade NAT)"
        if not candidate.is_global:
            return "not globally routable"
    return None


class AddressGuard:
    """Refuses connections to non-public addresses.

    Args:
        trusted: networks allowed even though they are not public (an operator's own mirror;
            tests use a loopback address as a stand-in for "the internet").
    """

    def __init__(self, trusted: Iterable[str] = ()) -> None:
        self.trusted = tuple(ipaddress.ip_network(n, strict=False) for n in trusted)

    def check(self, host: str, address: str) -> None:
        """Raises :class:`BlockedAddress` unless ``address`` (which ``host`` resolved to) may be reached."""
        why = classify(address)
        if why is None:
            return
        parsed = ipaddress.ip_address(address.split("%", 1)[0])
        if any(parsed.version == n.version and parsed in n for n in self.trusted):
            return
        shown = f"{host} is a {why} address" if host == address else f"{host} resolves to {address}, a {why} address"
        raise BlockedAddress(
            f"refused: {shown}; links from feed content are only fetched from public addresses "
            "(set allow_private: true on the feed to allow it)"
        )


# ---- the wall-clock deadline -------------------------------------------------------------------
class _Deadline:
    """The sockets of one fetch, shut down together when its time is up."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            if self.expired:
                _shutdown(sock)
            elif sock not in self._sockets:
                self._sockets.append(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shutdown(sock)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._sockets.clear()


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)  # wakes a recv blocked in another frame of this thread's call


_current = threading.local()


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[_Deadline]:
    """Within the block, every socket this thread's fetch uses is shut down after ``seconds``.

    Yields the deadline; ``.expired`` tells afterwards whether it fired.
    """
    watch = _Deadline(seconds)
    previous = getattr(_current, "deadline", None)
    _current.deadline = watch
    watch.start()
    try:
        yield watch
    finally:
        watch.stop()
        _current.deadline = previous


def _watch(sock: socket.socket | None) -> None:
    current = getattr(_current, "deadline", None)
    if current is not None:
        current.watch(sock)


# ---- connection classes --------------------------------------------------------------------
class _Watched:
    """What our connections add: the guard's check at connect, and the fetch's deadline on the socket."""

    guard: AddressGuard | None = None

    def _new_conn(self) -> socket.socket:
        if self.guard is None:  # noqa: SIM108 - a ternary would lose the two type comments
            sock = super()._new_conn()  # type: ignore[misc]
        else:
            sock = _checked_connection(self, self.guard)  # type: ignore[arg-type]
        _watch(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:  # a pooled connection reused by a later fetch
        _watch(self.sock)  # type: ignore[attr-defined]
        super().request(*args, **kwargs)  # type: ignore[misc]


class _Connection(_Watched, HTTPConnection):
    pass


class _SecureConnection(_Watched, HTTPSConnection):
    pass


def _checked_connection(conn: HTTPConnection, guard: AddressGuard) -> socket.socket:
    """Resolves the host once, checks every address, connects to a checked one (TLS keeps the name)."""
    host = conn._dns_host
    try:
        infos = _getaddrinfo(host, conn.port, 0, socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise NameResolutionError(conn.host, conn, exc) from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:  # one bad answer is enough to refuse: public hosts do not resolve to private ones
        guard.check(conn.host, address)
    last: OSError | None = None
    for address in addresses:
        try:
            return urllib3_connection.create_connection(
                (address, conn.port),
                conn.timeout,
                source_address=conn.source_address,
                socket_options=conn.socket_options,
            )
        except TimeoutError as exc:
            raise ConnectTimeoutError(
                conn, f"Connection to {conn.host} timed out. (connect timeout={conn.timeout})"
            ) from exc
        except OSError as exc:
            last = exc
    raise NewConnectionError(conn, f"Failed to establish a new connection: {last}")


def mount(session: Any, adapter: Any, guard: AddressGuard | None) -> None:
    """Makes ``adapter`` (a ``requests`` HTTPAdapter) open connections through our classes and mounts it."""
    connection = type("GuardedConnection", (_Connection,), {"guard": guard})
    secure = type("GuardedSecureConnection", (_SecureConnection,), {"guard": guard})
    pools = {
        "http": type("GuardedPool", (HTTPConnectionPool,), {"ConnectionCls": connection}),
        "https": type("GuardedSecurePool", (HTTPSConnectionPool,), {"ConnectionCls": secure}),
    }
    adapter.poolmanager.pool_classes_by_scheme = pools
    session.mount("http://", adapter)
    session.mount("https://", adapter)
