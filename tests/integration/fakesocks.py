#!/usr/bin/python3
"""fakesocks - a scripted SOCKS5 proxy (RFC 1928, RFC 1929) for
smtpprobe's integration tests.

It listens on 127.0.0.0/8 or ::1 only, and relays only to 127.0.0.0/8 or
::1: a CONNECT anywhere else is answered REP 0x02 (ruleset) whatever the
script says. Every byte a client sent during the handshake is kept
(conn.handshake), so a test can check what went on the wire (the method
offered, the password only inside the RFC 1929 request, an IP address and
never a name in CONNECT).

Library use::

    from fakesocks import FakeSocks
    px = FakeSocks("127.0.0.7", 0, {"auth": ("user", "pw")})
    px.start()
    ... smtpprobe --proxy socks5://user@127.0.0.7:%d ... % px.port
    px.stop()

Script keys (all optional):

  auth         (user, password): choose method 0x02 and check them
               (status 0 or 1); without it, choose 0x00
  method       a method byte to answer with instead (0xFF: none
               acceptable; 0x01: GSSAPI, which was not offered)
  auth_status  the RFC 1929 status to answer with (overrides the check)
  rep          the CONNECT reply's REP byte (default 0: relay)
  bind         (ip, port) to put in BND.ADDR/BND.PORT instead of the
               relay socket's own address
  source       the local address the relay connects from (default
               127.0.0.1): the address the SMTP server sees
  atyp         a reply ATYP to send (e.g. 9, which RFC 1928 lacks)
  garbage      bytes sent at once, instead of any SOCKS5 answer
  close_at     "greeting": close after reading the greeting;
               "auth": after reading the RFC 1929 request;
               "connect": after reading CONNECT; "mid_reply": after
               sending half of the CONNECT reply
  stall_at     "accept": never answer anything; "connect": answer the
               greeting (and auth) then never answer CONNECT
"""

import ipaddress
import socket
import struct
import threading


def _loopback(ip):
    a = ipaddress.ip_address(ip)
    return a == ipaddress.ip_address("::1") or (
        a.version == 4 and a in ipaddress.ip_network("127.0.0.0/8"))


class _Closed(Exception):
    pass


class Conn:
    def __init__(self, sock, peer):
        self.sock = sock
        self.peer = peer
        self.handshake = b""       # every byte read before the tunnel
        self.methods = None        # the methods the client offered
        self.user = self.password = None
        self.atyp = None           # CONNECT's ATYP
        self.dest = None           # (ip, port) asked for
        self.rep = None            # REP sent
        self.relayed = False


class FakeSocks:
    def __init__(self, host, port, script=None):
        if not _loopback(host):
            raise ValueError("fakesocks listens on loopback only, not %s" % host)
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.script = dict(script or {})
        self.sock = socket.socket(fam, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.host = host
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self._stop = threading.Event()
        self._threads = []
        self._socks = []
        self._lock = threading.Lock()

    # --- lifecycle ---

    def start(self):
        t = threading.Thread(target=self._accept_loop, daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def stop(self):
        self._stop.set()
        with self._lock:
            socks = list(self._socks)
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        for t in self._threads:
            t.join(3.0)
        self.sock.close()

    def wait_idle(self, timeout=3.0):
        for t in list(self._threads[1:]):
            t.join(timeout)
        return not any(t.is_alive() for t in self._threads[1:])

    def _accept_loop(self):
        while not self._stop.is_set():
            try:
                s, peer = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            s.settimeout(0.2)
            c = Conn(s, peer)
            with self._lock:
                self.conns.append(c)
                self._socks.append(s)
            t = threading.Thread(target=self._serve, args=(c,), daemon=True)
            t.start()
            self._threads.append(t)

    # --- I/O ---

    def _read(self, c, n):
        data = b""
        while len(data) < n:
            if self._stop.is_set():
                raise _Closed()
            try:
                chunk = c.sock.recv(n - len(data))
            except socket.timeout:
                continue
            except OSError:
                raise _Closed()
            if not chunk:
                raise _Closed()
            data += chunk
        c.handshake += data
        return data

    def _stall(self):
        while not self._stop.wait(0.1):
            pass
        raise _Closed()

    def _serve(self, c):
        try:
            self._handshake(c)
        except _Closed:
            pass
        finally:
            try:
                c.sock.close()
            except OSError:
                pass

    def _handshake(self, c):
        sc = self.script
        if sc.get("stall_at") == "accept":
            self._stall()
        if "garbage" in sc:
            c.sock.sendall(sc["garbage"])
            self._read(c, 1)  # until the client goes
            return
        ver, n = self._read(c, 2)
        c.methods = list(self._read(c, n))
        if sc.get("close_at") == "greeting":
            return
        if "method" in sc:
            method = sc["method"]
        else:
            method = 0x02 if "auth" in sc else 0x00
            if method not in c.methods:
                method = 0xFF
        c.sock.sendall(bytes([5, method]))
        if method == 0xFF or method not in (0x00, 0x02):
            self._read(c, 1)  # the client must close now
            return
        if method == 0x02:
            ver, ulen = self._read(c, 2)
            c.user = self._read(c, ulen).decode("utf-8", "replace")
            (plen,) = self._read(c, 1)
            c.password = self._read(c, plen).decode("utf-8", "replace")
            if sc.get("close_at") == "auth":
                return
            want = sc.get("auth", (None, None))
            status = sc.get("auth_status",
                            0 if (c.user, c.password) == tuple(want) else 1)
            c.sock.sendall(bytes([1, status]))
            if status != 0:
                self._read(c, 1)
                return
        ver, cmd, rsv, atyp = self._read(c, 4)
        c.atyp = atyp
        if atyp == 1:
            ip = socket.inet_ntop(socket.AF_INET, self._read(c, 4))
        elif atyp == 4:
            ip = socket.inet_ntop(socket.AF_INET6, self._read(c, 16))
        else:
            (ln,) = self._read(c, 1) if atyp == 3 else (0,)
            ip = self._read(c, ln).decode("ascii", "replace")
        (port,) = struct.unpack("!H", self._read(c, 2))
        c.dest = (ip, port)
        if sc.get("close_at") == "connect":
            return
        if sc.get("stall_at") == "connect":
            self._stall()
        rep = sc.get("rep", 0)
        if atyp not in (1, 4) or not _loopback(ip):
            rep = 2  # never relay outside the loopback network
        out = None
        if rep == 0:
            fam = socket.AF_INET6 if atyp == 4 else socket.AF_INET
            out = socket.socket(fam, socket.SOCK_STREAM)
            with self._lock:
                self._socks.append(out)
            if fam == socket.AF_INET:
                out.bind((sc.get("source", "127.0.0.1"), 0))
            out.settimeout(2.0)
            try:
                out.connect((ip, port))
            except OSError:
                rep = 5
                out.close()
                out = None
        c.rep = rep
        if out is not None:
            bip, bport = sc.get("bind", out.getsockname()[:2])
        else:
            bip, bport = sc.get("bind", ("0.0.0.0", 0))
        if ":" in bip:
            bnd = bytes([4]) + socket.inet_pton(socket.AF_INET6, bip)
        else:
            bnd = bytes([1]) + socket.inet_pton(socket.AF_INET, bip)
        if "atyp" in sc:
            bnd = bytes([sc["atyp"]]) + bnd[1:]
        reply = bytes([5, rep, 0]) + bnd + struct.pack("!H", bport)
        if sc.get("close_at") == "mid_reply":
            c.sock.sendall(reply[:len(reply) // 2])
            return
        c.sock.sendall(reply)
        if out is None:
            self._read(c, 1)
            return
        c.relayed = True
        self._relay(c.sock, out)

    def _relay(self, a, b):
        a.settimeout(0.2)
        b.settimeout(0.2)
        done = threading.Event()

        def pump(src, dst):
            try:
                while not done.is_set() and not self._stop.is_set():
                    try:
                        data = src.recv(65536)
                    except socket.timeout:
                        continue
                    if not data:
                        break
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                done.set()
                for s in (dst,):
                    try:
                        s.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass

        t = threading.Thread(target=pump, args=(b, a), daemon=True)
        t.start()
        pump(a, b)
        t.join(3.0)
        b.close()
