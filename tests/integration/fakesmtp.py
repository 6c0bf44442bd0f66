#!/usr/bin/python3
"""fakesmtp - a scripted SMTP server for smtpprobe's integration tests.

It is deliberately not a real MTA: it answers each command verb with the
exact wire text a scenario gives, so a test can reproduce any reply a real
(or hostile) server sends, and it records every line the client sent so the
test can assert what smtpprobe put on the wire (and that DATA never went).

Library use::

    from fakesmtp import FakeSMTP
    with FakeSMTP("127.0.0.2", 2525, {"rcpt": {"alice@x.test": "250 2.1.5 Ok"}},
                  log_path="/tmp/mx1.log") as srv:
        ...run the client...
        srv.wait_idle()
        assert "RCPT TO:<alice@x.test>" in srv.lines

CLI use (runs until SIGTERM or SIGINT)::

    fakesmtp.py --listen 127.0.0.2:2525 [--listen 127.0.0.3:2525] \
                [--scenario scenario.json] [--log received.log] \
                [--cert server.pem --key server.key]

Scenario keys (all optional; a dict in Python, an object in JSON):

  name          host name used in the default replies      "fake.test"
  banner        greeting sent at connect; None/null = send nothing
  replies       {VERB: reply} overriding the defaults for EHLO, HELO,
                STARTTLS, AUTH, MAIL, RCPT, RSET, QUIT, NOOP, DATA, BDAT,
                VRFY, ...; a verb with no entry gets "502 5.5.2 ..."
  tls_replies   {VERB: reply} used instead of `replies` once TLS is up;
                by default EHLO after TLS is the plain EHLO reply with the
                STARTTLS line removed (RFC 3207 4.2)
  rcpt          {address: reply} per-recipient RCPT replies (address
                compared case-insensitively, without the angle brackets);
                other recipients get replies["RCPT"]
  cert, key     PEM files; needed for STARTTLS and implicit_tls
  implicit_tls  true: TLS handshake right after accept (port 465 style)
  inject        bytes sent in the same write right after a 220 reply to
                STARTTLS, before the handshake (response injection test)
  delay         seconds to wait before every reply, banner included
  delays        {VERB or "BANNER": seconds} per-verb delay (wins over delay)
  silent        [VERB, ...] verbs that get no reply at all
  never_reply   true: accept, read and log, but never send a byte
  close_after   [VERB, ...] close the connection after replying to these
                (QUIT and any 421 reply always close)
  trickle       seconds between bytes: every reply is sent one byte at a time
  tls_silent    [VERB, ...] like silent, but only once TLS is up
  close_on_421  false: keep the connection open after a 421 reply (to see
                whether the client still sends QUIT); default true
  starttls_then what to do after the 220 reply to STARTTLS instead of the
                TLS handshake: "close" closes the connection at once (the
                220 and the FIN in one segment),
                "reset" resets it (RST, as firewalls do); any
                other reply value is sent (in clear) once the client's
                first handshake bytes arrive, and the dialogue then goes on
                in clear, so a client that falls back is seen in the log
  greylist_first  N: the first N RCPT attempts for each recipient, counted
                across all connections of this server (recipient compared
                case-insensitively), get `greylist_reply` instead of their
                normal reply, as postgrey does; "all" greylists every attempt.
                Default 0 (off)
  greylist_reply  the greylisting reply; {rcpt} is the recipient, {domain}
                its domain in lower case; default "450 4.2.0 <{rcpt}>:
                Recipient address rejected: Greylisted, see
                http://postgrey.schweikert.ch/help/{domain}.html"
  rcpt_limit    N: RCPTs past the N-th of a transaction get "452 4.5.3
                Error: too many recipients", as Postfix's
                smtpd_recipient_limit (MAIL, RSET and EHLO start over)
  auth          {"user": U, "password": P}: AUTH PLAIN and AUTH LOGIN are
                checked for real (235 or 535 5.7.8); the wire lines are
                logged as received, credentials included (a test log only)

A reply is given as:
  str    wire text; "\\r\\n" is appended if it does not end in a newline, so
         "250 Ok" and "250 Ok\\r\\n" are the same; multiline replies are
         written out in full: "250-fake.test\\r\\n250 STARTTLS\\r\\n"
  list   of lines, each terminated with CRLF
  bytes  sent exactly as given (Python only)
  {"b64": "..."}  bytes, for JSON scenarios that need exact octets
  callable  (Python only) f() returns an iterable of bytes chunks, sent one
         after the other until it ends, the client goes away or the server
         stops: endless replies without endless memory
"""

import argparse
import base64
import ipaddress
import json
import selectors
import signal
import socket
import ssl
import struct
import sys
import threading
import time

# Wire defaults. The EHLO reply advertises STARTTLS only when the scenario
# has a certificate, so a scenario without TLS material is self-consistent.
DEFAULT_REPLIES = {
    "HELO": "250 {name}",
    "MAIL": "250 2.1.0 Ok",
    "RCPT": "250 2.1.5 Ok",
    "RSET": "250 2.0.0 Ok",
    "NOOP": "250 2.0.0 Ok",
    "VRFY": "252 2.0.0 Cannot VRFY user",
    "QUIT": "221 2.0.0 Bye",
    # The probe must never send these; answering with a refusal keeps a
    # buggy client from believing a message went through.
    "DATA": "554 5.5.1 fakesmtp: DATA must never be sent by the probe",
    "BDAT": "554 5.5.1 fakesmtp: BDAT must never be sent by the probe",
    "AUTH": "535 5.7.8 Error: authentication failed",
}
UNKNOWN_VERB_REPLY = "502 5.5.2 Error: command not recognized"
# What postgrey answers to a first attempt (greylist_first).
GREYLIST_REPLY = ("450 4.2.0 <{rcpt}>: Recipient address rejected: Greylisted, "
                  "see http://postgrey.schweikert.ch/help/{domain}.html")

# A line longer than this is logged cut, so a client that never sends a
# newline cannot make the server buffer without limit.
MAX_LINE = 65536
# How often blocked threads look at the stop flag.
POLL = 0.1


class Stream:
    """A reply sent piece by piece (see the module doc: callable)."""

    def __init__(self, make):
        self.make = make

    def startswith(self, prefix):
        return False


def wire(value, terminate=True):
    """Turn a scenario reply value into the bytes to send (a Stream for a
    callable, which send() iterates)."""
    if value is None:
        return b""
    if callable(value):
        return Stream(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, dict) and "b64" in value:
        return base64.b64decode(value["b64"])
    if isinstance(value, (list, tuple)):
        return b"".join(wire(v) for v in value)
    data = str(value).encode("utf-8")
    if terminate and not data.endswith(b"\n"):
        data += b"\r\n"
    return data


def without_starttls(ehlo_reply):
    """The EHLO reply with the STARTTLS capability removed, re-framed so the
    last remaining line carries the space separator."""
    lines = wire(ehlo_reply).decode("utf-8", "surrogateescape").split("\r\n")
    lines = [l for l in lines if l and l[4:].strip().upper() != "STARTTLS"]
    if not lines:
        return b""
    out = []
    for i, line in enumerate(lines):
        sep = " " if i == len(lines) - 1 else "-"
        out.append(line[:3] + sep + line[4:])
    return ("\r\n".join(out) + "\r\n").encode("utf-8", "surrogateescape")


def check_loopback(host):
    """Refuse to listen anywhere but 127.0.0.0/8 and ::1: these servers
    exist for tests and must never be reachable from outside the machine.
    Returns the address family to listen with."""
    ip = ipaddress.ip_address(host)
    if ip == ipaddress.ip_address("::1"):
        return socket.AF_INET6
    if ip.version == 4 and ip in ipaddress.ip_network("127.0.0.0/8"):
        return socket.AF_INET
    raise ValueError("fakesmtp listens on 127.0.0.0/8 and ::1 only, not %s" % host)


class _Closed(Exception):
    """The peer went away, or the server is stopping."""


class _Conn:
    """One client connection, run in its own thread."""

    def __init__(self, server, sock, peer, conn_id):
        self.server = server
        self.sc = server.scenario
        self.sock = sock
        self.peer = peer
        self.id = conn_id
        self.buf = b""
        self.tls = False
        self.received = []  # this connection's lines
        self.sent = []      # every chunk of bytes this connection wrote
        self.server_closed = False  # the server ended it (QUIT, 421, close_after...)
        self.sent_421 = False
        self.handshake_failed = False
        self.t_open = time.monotonic()  # accepted (for concurrency and pacing checks)
        self.t_close = None
        self.t_last_line = None  # the client's last line (it closes right after QUIT)

    # --- low-level I/O -------------------------------------------------

    def _stopping(self):
        return self.server._stop.is_set()

    def _recv(self):
        """Block until some bytes arrive; poll so stop() is honoured."""
        deadline = time.monotonic() + self.server.idle_timeout
        # What has already arrived is read even once stop() was called: a
        # client that sends QUIT and closes without waiting for the 221
        # must still have its QUIT logged. Only an idle socket ends here.
        while True:
            try:
                data = self.sock.recv(4096)
            except (socket.timeout, ssl.SSLWantReadError):
                if self._stopping():
                    raise _Closed()
                if time.monotonic() > deadline:
                    self.server._event(self.id, "idle timeout")
                    raise _Closed()
                continue
            except (OSError, ssl.SSLError) as e:
                self.server._event(self.id, "recv error: %s" % e)
                raise _Closed()
            if not data:
                raise _Closed()
            return data

    def readline(self):
        while True:
            nl = self.buf.find(b"\n")
            if nl >= 0:
                raw, self.buf = self.buf[: nl + 1], self.buf[nl + 1 :]
                break
            if len(self.buf) > MAX_LINE:
                raw, self.buf = self.buf[:MAX_LINE], self.buf[MAX_LINE:]
                break
            self.buf += self._recv()
        line = raw.rstrip(b"\n")
        if line.endswith(b"\r"):
            line = line[:-1]
        text = line.decode("utf-8", "backslashreplace")
        self.received.append(text)
        self.t_last_line = time.monotonic()
        self.server._log_line(self.id, text)
        return text

    def send(self, data):
        if isinstance(data, Stream):
            for chunk in data.make():
                if self._stopping():
                    raise _Closed()
                self.send(chunk)
            return
        if not data:
            return
        self.sent.append(bytes(data))
        # Sends get a real timeout; the short POLL timeout is for reads.
        self.sock.settimeout(self.server.send_timeout)
        try:
            if self.sc.get("trickle"):
                for i in range(len(data)):
                    self.sock.sendall(data[i : i + 1])
                    if self.server._stop.wait(float(self.sc["trickle"])):
                        raise _Closed()
            else:
                self.sock.sendall(data)
        except (OSError, ssl.SSLError) as e:
            self.server._event(self.id, "send error: %s" % e)
            raise _Closed()
        finally:
            try:
                self.sock.settimeout(POLL)
            except OSError:
                pass

    def pause(self, verb):
        delays = {k.upper(): v for k, v in (self.sc.get("delays") or {}).items()}
        d = delays.get(verb, self.sc.get("delay", 0))
        if d and self.server._stop.wait(float(d)):
            raise _Closed()

    def handshake(self):
        """Server-side TLS handshake with a bounded time."""
        ctx = self.server.tls_context()
        deadline = time.monotonic() + self.server.send_timeout
        try:
            tsock = ctx.wrap_socket(self.sock, server_side=True,
                                    do_handshake_on_connect=False)
            self.sock = tsock
            # Short timeouts and retries, so stop() is not held up by a
            # client that stalls mid-handshake.
            tsock.settimeout(POLL)
            while True:
                try:
                    tsock.do_handshake()
                    break
                except socket.timeout:
                    if self._stopping():
                        raise _Closed()
                    if time.monotonic() > deadline:
                        raise OSError("handshake timed out")
        except (OSError, ssl.SSLError) as e:
            self.handshake_failed = True
            self.server._event(self.id, "tls handshake failed: %s" % e)
            raise _Closed()
        self.tls = True
        self.server._event(self.id, "tls %s %s" % (tsock.version(), tsock.cipher()[0]))

    # --- the dialogue ---------------------------------------------------

    def reply_for(self, verb, line):
        sc = self.sc
        table = dict(self.server.replies)
        if self.tls:
            if "EHLO" in table and "EHLO" not in (sc.get("tls_replies") or {}):
                table["EHLO"] = without_starttls(table["EHLO"])
            table.update({k.upper(): v for k, v in (sc.get("tls_replies") or {}).items()})
        if verb in ("MAIL", "RSET", "EHLO", "HELO"):
            self.rcpts_in_txn = 0
        if verb == "RCPT":
            addr = _rcpt_address(line)
            limit = sc.get("rcpt_limit")
            self.rcpts_in_txn = getattr(self, "rcpts_in_txn", 0) + 1
            if limit is not None and self.rcpts_in_txn > limit:
                return wire("452 4.5.3 Error: too many recipients")
            grey = self.server.greylist(addr, self.id)
            if grey is not None:
                return wire(grey)
            per = {k.lower(): v for k, v in (sc.get("rcpt") or {}).items()}
            if addr is not None and addr.lower() in per:
                return wire(_fmt(per[addr.lower()], sc))
        if verb == "STARTTLS" and self.tls:
            return wire("503 5.5.1 Error: TLS already active")
        return wire(_fmt(table.get(verb, UNKNOWN_VERB_REPLY), sc))

    def close_by_server(self):
        self.server_closed = True
        raise _Closed()

    def after_starttls(self, then):
        """starttls_then: anything but a TLS handshake after the 220."""
        if then == "close":
            self.close_by_server()
        if then == "reset":
            # RST instead of FIN, as firewalls and IPS boxes do: linger 0.
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_by_server()
        # Wait for the client's first handshake bytes (its ClientHello),
        # note them without logging them as lines, then answer in clear.
        deadline = time.monotonic() + self.server.send_timeout
        while not self.buf and time.monotonic() < deadline:
            try:
                self.buf += self._recv()
            except _Closed:
                return
        self.server._event(self.id, "got %d handshake bytes; answered in clear" % len(self.buf))
        self.buf = b""
        self.send(wire(_fmt(then, self.sc)))

    def auth(self, line):
        """AUTH PLAIN / LOGIN checked against scenario["auth"]."""
        cred = self.sc["auth"]
        want = (str(cred["user"]), str(cred["password"]))
        parts = line.split()
        mech = parts[1].upper() if len(parts) > 1 else ""

        def b64(text):
            try:
                return base64.b64decode(text.strip(), validate=True).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                return None

        if mech == "PLAIN":
            resp = parts[2] if len(parts) > 2 else None
            if resp is None:
                self.send(b"334 \r\n")
                resp = self.readline()
            got = b64(resp)
            fields = got.split("\0") if got is not None else []
            ok = len(fields) == 3 and fields[0] in ("", want[0]) and tuple(fields[1:]) == want
        elif mech == "LOGIN":
            if len(parts) > 2:      # RFC 4954 initial response: the user name
                user = b64(parts[2])
            else:
                self.send(b"334 VXNlcm5hbWU6\r\n")
                user = b64(self.readline())
            self.send(b"334 UGFzc3dvcmQ6\r\n")
            ok = (user, b64(self.readline())) == want
        else:
            self.send(b"504 5.5.4 Unrecognized authentication type\r\n")
            return
        self.server._event(self.id, "auth %s %s" % (mech, "ok" if ok else "failed"))
        self.send(b"235 2.7.0 Authentication successful\r\n" if ok
                  else b"535 5.7.8 Error: authentication failed\r\n")

    def run(self):
        sc = self.sc
        self.sock.settimeout(POLL)
        if sc.get("implicit_tls"):
            self.handshake()
        if sc.get("never_reply"):
            while True:
                self.readline()
        banner = sc.get("banner", "220 {name} ESMTP fakesmtp")
        if banner is not None:
            self.pause("BANNER")
            data = wire(_fmt(banner, sc))
            self.send(data)
            if data.startswith(b"421"):
                self.sent_421 = True
        silent = {v.upper() for v in sc.get("silent") or []}
        tls_silent = {v.upper() for v in sc.get("tls_silent") or []}
        close_after = {v.upper() for v in sc.get("close_after") or []}
        close_on_421 = sc.get("close_on_421", True)
        while True:
            line = self.readline()
            verb = line.split(" ", 1)[0].split(":", 1)[0].upper()
            if verb in silent or (self.tls and verb in tls_silent):
                continue
            self.pause(verb)
            if verb == "AUTH" and sc.get("auth") and "AUTH" not in (sc.get("replies") or {}):
                self.auth(line)
                continue
            reply = self.reply_for(verb, line)
            if verb == "STARTTLS" and reply.startswith(b"220") and not self.tls:
                if not self.server.has_tls():
                    self.send(reply)
                    continue
                if sc.get("starttls_then") == "close":
                    # The 220 and the FIN leave in one segment, so the
                    # client sees the close before its handshake starts.
                    self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
                # Reply and injected bytes leave in one write: a client that
                # reads them together must not treat the tail as trusted.
                self.send(reply + wire(sc.get("inject"), terminate=False))
                if self.buf:
                    # Plaintext pipelined after STARTTLS would be the
                    # client's bug; it was received (and logged) but must
                    # not be answered inside TLS.
                    self.server._event(self.id, "discarded %d plaintext bytes after STARTTLS" % len(self.buf))
                    self.buf = b""
                if sc.get("starttls_then") is not None:
                    self.after_starttls(sc["starttls_then"])
                    continue
                self.handshake()
                continue
            self.send(reply)
            if reply.startswith(b"421"):
                self.sent_421 = True
            if verb == "QUIT" or verb in close_after or (close_on_421 and reply.startswith(b"421")):
                self.close_by_server()


def _fmt(value, sc):
    """Fill {name} in str replies; other forms are sent as they are."""
    if isinstance(value, str):
        return value.replace("{name}", sc.get("name", "fake.test"))
    if isinstance(value, (list, tuple)):
        return [_fmt(v, sc) for v in value]
    return value


def _rcpt_address(line):
    """The address inside RCPT TO:<...>, or None."""
    lt, gt = line.find("<"), line.find(">")
    if lt < 0 or gt < lt:
        return None
    return line[lt + 1 : gt]


class FakeSMTP:
    """A scripted SMTP server on host:port, one thread per connection.

    Attributes a test reads after the client is done (call wait_idle first):
      lines      every line received, all connections, in arrival order
      sessions   one list of received lines per connection
      conns      one record per connection: .received (its lines), .sent
                 (the chunks written), .server_closed, .sent_421, .tls,
                 .handshake_failed
      events     (conn_id, text) notes: connect, TLS, close, errors
      rcpt_attempts  {recipient (lower case): RCPT commands seen}, for
                 greylist_first
      port       the bound port (useful when created with port 0)
    """

    def __init__(self, host, port, scenario=None, log_path=None,
                 max_connections=16, idle_timeout=30.0, send_timeout=5.0):
        family = check_loopback(host)
        self.host = host
        self.scenario = dict(scenario or {})
        self.log_path = log_path
        self.idle_timeout = idle_timeout
        self.send_timeout = send_timeout
        self.lines = []
        self.sessions = []
        self.conns = []
        self.events = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._slots = threading.BoundedSemaphore(max_connections)
        self._threads = []
        self._active = 0
        self.max_active = 0  # the most connections open at once
        self._idle = threading.Condition(self._lock)
        self._ctx = None
        self._next_id = 0
        self.rcpt_attempts = {}

        grey = self.scenario.get("greylist_first", 0)
        if not (grey == "all" or (isinstance(grey, int) and not isinstance(grey, bool)
                                  and grey >= 0)):
            raise ValueError("greylist_first must be a count >= 0 or \"all\", not %r" % (grey,))

        sc = self.scenario
        name = sc.get("name", "fake.test")
        ehlo = ["250-" + name, "250-PIPELINING", "250-SIZE 10240000",
                "250-ENHANCEDSTATUSCODES", "250 8BITMIME"]
        if self.has_tls() and not sc.get("implicit_tls"):
            ehlo[-1] = "250-8BITMIME"
            ehlo.append("250 STARTTLS")
        self.replies = {k: _fmt(v, sc) for k, v in DEFAULT_REPLIES.items()}
        self.replies["EHLO"] = ehlo
        self.replies["STARTTLS"] = ("220 2.0.0 Ready to start TLS" if self.has_tls()
                                    else "454 4.7.0 TLS not available")
        self.replies.update({k.upper(): _fmt(v, sc) for k, v in (sc.get("replies") or {}).items()})

        if log_path:
            # Truncate: a log belongs to one server's lifetime.
            open(log_path, "w").close()

        self.sock = socket.socket(family, socket.SOCK_STREAM)
        # Successive test cases rebind the same address while old
        # connections sit in TIME_WAIT.
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.sock.bind((host, port))
            self.sock.listen(16)
        except OSError:
            self.sock.close()
            raise
        self.port = self.sock.getsockname()[1]
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True,
                                          name="fakesmtp-accept-%s:%d" % (host, self.port))

    # --- TLS ------------------------------------------------------------

    def has_tls(self):
        return bool(self.scenario.get("cert") and self.scenario.get("key"))

    def tls_context(self):
        with self._lock:
            if self._ctx is None:
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain(self.scenario["cert"], self.scenario["key"])
                self._ctx = ctx
            return self._ctx

    # --- greylisting ------------------------------------------------------

    def greylist(self, addr, conn_id=None):
        """Count one RCPT attempt for addr; the greylisting reply text if
        this attempt is one of the first greylist_first, else None."""
        first = self.scenario.get("greylist_first", 0)
        if not first or addr is None:
            return None
        key = addr.lower()
        with self._lock:
            n = self.rcpt_attempts.get(key, 0) + 1
            self.rcpt_attempts[key] = n
        if first != "all" and n > first:
            return None
        self._event(conn_id, "greylisted <%s> (attempt %d)" % (addr, n))
        text = self.scenario.get("greylist_reply", GREYLIST_REPLY)
        domain = (addr.rpartition("@")[2] or addr).lower()
        text = _fmt(text, self.scenario)
        if isinstance(text, str):
            text = text.replace("{rcpt}", addr).replace("{domain}", domain)
        return text

    # --- lifecycle --------------------------------------------------------

    def start(self):
        self._acceptor.start()
        return self

    def stop(self, join_timeout=3.0):
        """Stop accepting, end every connection thread, close the listener."""
        self._stop.set()
        if self._acceptor.is_alive():
            self._acceptor.join(join_timeout)
        for t in list(self._threads):
            t.join(join_timeout)
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def wait_idle(self, timeout=2.0):
        """Wait until no connection is open, so the log is complete.
        Returns False if connections were still open at the timeout."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._active:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    @property
    def connections(self):
        return len(self.sessions)

    def wait_connections(self, n, timeout=2.0):
        """Wait until n connections were accepted: one the client opened
        and closed at once (a connect-only check) may still sit in the
        accept queue when the client is done."""
        deadline = time.monotonic() + timeout
        while self.connections < n and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.connections >= n

    # --- internals --------------------------------------------------------

    def _accept_loop(self):
        sel = selectors.DefaultSelector()
        sel.register(self.sock, selectors.EVENT_READ)
        try:
            while not self._stop.is_set():
                if not sel.select(POLL):
                    continue
                try:
                    csock, peer = self.sock.accept()
                except OSError:
                    continue
                # Each reply is one write; without this, Nagle plus the
                # client's delayed ACK adds ~40 ms to back-to-back replies.
                csock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if not self._slots.acquire(blocking=False):
                    # Bounded threads: refuse rather than queue without limit.
                    try:
                        csock.sendall(b"421 4.7.0 fakesmtp: too many connections\r\n")
                    except OSError:
                        pass
                    csock.close()
                    continue
                with self._lock:
                    conn_id = self._next_id
                    self._next_id += 1
                    self._active += 1
                    self.max_active = max(self.max_active, self._active)
                    self._threads = [t for t in self._threads if t.is_alive()]
                conn = _Conn(self, csock, peer, conn_id)
                with self._lock:
                    self.sessions.append(conn.received)
                    self.conns.append(conn)
                t = threading.Thread(target=self._serve, args=(conn,), daemon=True,
                                     name="fakesmtp-conn-%d" % conn_id)
                with self._lock:
                    self._threads.append(t)
                t.start()
        finally:
            sel.close()

    def _serve(self, conn):
        self._event(conn.id, "connect from %s:%d" % conn.peer[:2])
        try:
            conn.run()
        except _Closed:
            pass
        except Exception as e:  # a scenario bug must not kill the server
            self._event(conn.id, "internal error: %r" % (e,))
        finally:
            if conn.tls:
                # Send close_notify like a real MTA, so clients do not see a
                # truncation; do not wait long for theirs.
                try:
                    conn.sock.settimeout(0.2)
                    conn.sock.unwrap()
                except (OSError, ssl.SSLError, ValueError):
                    pass
            try:
                conn.sock.close()
            except OSError:
                pass
            self._event(conn.id, "closed")
            conn.t_close = time.monotonic()
            self._slots.release()
            with self._idle:
                self._active -= 1
                self._idle.notify_all()

    def _event(self, conn_id, text):
        with self._lock:
            self.events.append((conn_id, text))

    def _log_line(self, conn_id, text):
        with self._lock:
            self.lines.append(text)
            if self.log_path:
                with open(self.log_path, "a", encoding="utf-8") as f:
                    f.write(text + "\n")


def _parse_listen(s):
    host, _, port = s.rpartition(":")
    return host.strip("[]"), int(port)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Scripted SMTP server for tests (127.0.0.0/8 and ::1 only).")
    ap.add_argument("--listen", action="append", required=True, metavar="HOST:PORT",
                    help="address to listen on ([::1]:PORT for IPv6); repeat for several")
    ap.add_argument("--scenario", help="JSON file with the scenario (see module doc)")
    ap.add_argument("--log", help="append received lines here (one file per --listen: "
                    "HOST:PORT is appended to the name when several are given)")
    ap.add_argument("--cert", help="PEM certificate (overrides the scenario's)")
    ap.add_argument("--key", help="PEM private key (overrides the scenario's)")
    args = ap.parse_args(argv)

    scenario = {}
    if args.scenario:
        with open(args.scenario, encoding="utf-8") as f:
            scenario = json.load(f)
    if args.cert:
        scenario["cert"] = args.cert
    if args.key:
        scenario["key"] = args.key

    done = threading.Event()
    # SIGTERM is how scripts stop us; turn it into a clean shutdown.
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())

    servers = []
    try:
        for spec in args.listen:
            host, port = _parse_listen(spec)
            log = args.log
            if log and len(args.listen) > 1:
                log = "%s.%s_%d" % (log, host, port)
            srv = FakeSMTP(host, port, scenario, log_path=log).start()
            servers.append(srv)
            print("listening on %s:%d" % (host, srv.port), flush=True)
        while not done.wait(0.5):
            pass
    finally:
        for srv in servers:
            srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
