#!/usr/bin/python3
"""fakedns - a scripted authoritative DNS responder for smtpprobe's tests.

It answers from a zone held in a dict, over UDP and TCP on the same port,
and records every question so a test can assert what was (or was not)
asked. The wire format is encoded by hand (RFC 1035) to keep the tests free
of third-party packages.

Zone format (Python dict, or a JSON object for the CLI)::

    {
      "ok.example.test":   {"MX": [[10, "mx1.example.test"]]},
      "mx1.example.test":  {"A": ["127.0.0.2"], "AAAA": ["::1"]},
      "null.example.test": {"MX": [[0, "."]]},          # RFC 7505 null MX
      "www.example.test":  {"CNAME": "mx1.example.test"},
      "txt.example.test":  {"TXT": ["v=spf1 -all"]},
      "bad.example.test":  "SERVFAIL",     # also NXDOMAIN, REFUSED, FORMERR, NOTIMP
      "_25._tcp.mx1.example.test": {"TLSA": [[3, 1, 1, "ab12..."]], "AD": True},
      "slow.example.test": "DROP",         # never answered: the client times out
    }

Answers:
  name not in the zone                  -> NXDOMAIN (rcode 3)
  name in the zone, no record of qtype  -> NOERROR with no answer (NODATA)
  name with a CNAME (qtype not CNAME)   -> the CNAME, then the target's
                                           records of qtype if in the zone
  name set to an rcode string           -> that rcode, no answer
  name set to "DROP"                    -> no reply at all
  name set to a callable (Python only)  -> f(query_bytes, qname, qtype) returns
                                           the raw reply bytes, or None to drop;
                                           for malformed-answer tests (b"" is
                                           sent over UDP as a 0-byte datagram)
Every reply has AA and RA set and copies ID, opcode, RD and the question.
An entry with "AD": True answers with the AD bit set (as a validating
resolver does for signed data; through a CNAME, every name on the way must
have it): how DNSSEC-secure answers are played without signing anything.
"." is the root: {".": {"SOA": ..., "AD": True}} plays a validating resolver.
UDP replies larger than the client's limit (512, or its EDNS size) are sent
truncated with TC set, so the client retries over TCP.

Library use::

    with FakeDNS(zone, log_path="/tmp/dns.log") as dns:   # port 0 = any free
        ... dig @127.0.0.1 -p dns.port ...
        dns.queries   # [("ok.example.test", "MX", "udp"), ...]

CLI use (runs until SIGTERM or SIGINT)::

    fakedns.py --listen 127.0.0.1:5353 --zone zone.json [--log queries.log]
"""

import argparse
import errno
import ipaddress
import json
import selectors
import signal
import socket
import struct
import sys
import threading

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16,
         "AAAA": 28, "OPT": 41, "TLSA": 52, "ANY": 255}
TYPE_NAMES = {v: k for k, v in TYPES.items()}
RCODES = {"NOERROR": 0, "FORMERR": 1, "SERVFAIL": 2, "NXDOMAIN": 3, "NOTIMP": 4, "REFUSED": 5}
CLASS_IN = 1
POLL = 0.1


class FormatError(Exception):
    pass


def encode_name(name):
    """Plain (uncompressed) wire form of a domain name; "." is the root."""
    name = name.rstrip(".")
    out = b""
    if name:
        for label in name.split("."):
            raw = label.encode("ascii")
            if not 0 < len(raw) < 64:
                raise ValueError("bad label in %r" % name)
            out += bytes([len(raw)]) + raw
    return out + b"\0"


def decode_name(msg, off):
    """Read a (possibly compressed) name at off; return (name, offset after)."""
    labels, end, hops = [], None, 0
    while True:
        if off >= len(msg):
            raise FormatError("name runs past the end")
        n = msg[off]
        if n & 0xC0 == 0xC0:
            if off + 1 >= len(msg) or hops > 16:
                raise FormatError("bad compression pointer")
            if end is None:
                end = off + 2
            off = ((n & 0x3F) << 8) | msg[off + 1]
            hops += 1
            continue
        if n & 0xC0:
            raise FormatError("reserved label type")
        off += 1
        if n == 0:
            break
        labels.append(msg[off : off + n].decode("ascii", "backslashreplace"))
        off += n
    return ".".join(labels), (end if end is not None else off)


def _rdata(rtype, value):
    if rtype == "A":
        return socket.inet_pton(socket.AF_INET, value)
    if rtype == "AAAA":
        return socket.inet_pton(socket.AF_INET6, value)
    if rtype in ("CNAME", "NS", "PTR"):
        return encode_name(value)
    if rtype == "MX":
        pref, target = value
        return struct.pack("!H", int(pref)) + encode_name(target)
    if rtype == "TLSA":
        usage, selector, matching, data = value
        return bytes([usage, selector, matching]) + bytes.fromhex(data)
    if rtype == "SOA":
        mname, rname = value
        return encode_name(mname) + encode_name(rname) + struct.pack("!5I", 1, 3600, 600, 86400, 60)
    if rtype == "TXT":
        raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        # A TXT record is a sequence of <=255-octet character-strings.
        chunks = [raw[i : i + 255] for i in range(0, len(raw), 255)] or [b""]
        return b"".join(bytes([len(c)]) + c for c in chunks)
    raise ValueError("unsupported record type %s" % rtype)


def _rr(owner_wire, rtype, value, ttl):
    rdata = _rdata(rtype, value)
    return owner_wire + struct.pack("!HHIH", TYPES[rtype], CLASS_IN, ttl, len(rdata)) + rdata


def _as_list(v):
    # A single CNAME is naturally written as a string; everything else is a list.
    return [v] if isinstance(v, (str, tuple)) else list(v)


def loopback_family(host):
    """Only 127.0.0.0/8 and ::1: a test responder must never be reachable
    from outside the machine. Returns the address family."""
    ip = ipaddress.ip_address(host)
    if ip == ipaddress.ip_address("::1"):
        return socket.AF_INET6
    if ip.version == 4 and ip in ipaddress.ip_network("127.0.0.0/8"):
        return socket.AF_INET
    raise ValueError("fakedns listens on 127.0.0.0/8 and ::1 only, not %s" % host)


class FakeDNS:
    """Authoritative responder for a zone dict on host:port (UDP and TCP)."""

    def __init__(self, zone, host="127.0.0.1", port=0, log_path=None, tcp=True, ttl=60):
        family = loopback_family(host)
        self.zone = {k.lower().rstrip("."): v for k, v in zone.items()}
        self.host = host
        self.ttl = ttl
        self.log_path = log_path
        self.queries = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = []
        if log_path:
            open(log_path, "w").close()

        # Port 0: the kernel picks a free UDP port, whose TCP twin may be
        # taken; then another pair is tried.
        for attempt in range(20 if port == 0 and tcp else 1):
            self.udp = socket.socket(family, socket.SOCK_DGRAM)
            self.tcp = None
            try:
                self.udp.bind((host, port))
                self.port = self.udp.getsockname()[1]
                if tcp:
                    self.tcp = socket.socket(family, socket.SOCK_STREAM)
                    self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    self.tcp.bind((host, self.port))
                    self.tcp.listen(8)
                break
            except OSError as e:
                self._close_sockets()
                if port != 0 or e.errno != errno.EADDRINUSE or attempt == 19:
                    raise
        self._loop = threading.Thread(target=self._serve, daemon=True,
                                      name="fakedns-%s:%d" % (host, self.port))

    # --- lifecycle --------------------------------------------------------

    def start(self):
        self._loop.start()
        return self

    def stop(self, join_timeout=3.0):
        self._stop.set()
        if self._loop.is_alive():
            self._loop.join(join_timeout)
        for t in list(self._threads):
            t.join(join_timeout)
        self._close_sockets()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def clear(self):
        """Forget the queries seen so far (between test cases)."""
        with self._lock:
            self.queries.clear()
            if self.log_path:
                open(self.log_path, "w").close()

    def _close_sockets(self):
        for s in (self.udp, self.tcp):
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass

    # --- answering --------------------------------------------------------

    def answer(self, query, proto="udp"):
        """The reply bytes for one query message, or None for no reply."""
        if len(query) < 12:
            return None  # not even a header: nothing to echo an ID into
        qid, flags, qd, an, ns, ar = struct.unpack("!6H", query[:12])
        if flags & 0x8000:
            return None  # a response, not a query: never answer those
        opcode = (flags >> 11) & 0xF
        rd = flags & 0x0100

        def header(rcode, ancount=0, qdcount=1, tc=0, ad=0):
            f = 0x8000 | (opcode << 11) | 0x0400 | (tc and 0x0200) | rd | 0x0080 | (ad and 0x0020) | rcode
            return struct.pack("!6H", qid, f, qdcount, ancount, 0, 0)

        if opcode != 0:
            return header(RCODES["NOTIMP"], qdcount=0)
        if qd != 1:
            return header(RCODES["FORMERR"], qdcount=0)
        try:
            qname, off = decode_name(query, 12)
            if off + 4 > len(query):
                raise FormatError("short question")
            qtype, qclass = struct.unpack("!HH", query[off : off + 4])
        except FormatError:
            return header(RCODES["FORMERR"], qdcount=0)
        question = query[12 : off + 4]
        limit = self._udp_limit(query, off + 4, an, ns, ar) if proto == "udp" else 65535

        tname = TYPE_NAMES.get(qtype, str(qtype))
        self._log(qname, tname, proto)

        key = qname.lower().rstrip(".") or "."
        entry = self.zone.get(key)
        if callable(entry):
            return entry(query, qname, qtype)
        if entry is None:
            return header(RCODES["NXDOMAIN"]) + question
        if isinstance(entry, str):
            if entry.upper() == "DROP":
                return None
            return header(RCODES[entry.upper()]) + question

        # Owner of the first records is a pointer to the question name, so the
        # answer keeps the client's spelling (0x20 case randomisation).
        answers = []
        owner_wire, name, hops = b"\xc0\x0c", qname, 0
        ad = 1
        while entry is not None and not isinstance(entry, str) and not callable(entry):
            ad = ad and bool(entry.get("AD"))
            for rtype, values in entry.items():
                rtype = rtype.upper()
                if rtype == "AD":
                    continue
                if rtype == tname or (tname == "ANY" and rtype != "CNAME"):
                    for v in _as_list(values):
                        answers.append(_rr(owner_wire, rtype, v, self.ttl))
            if "CNAME" not in {k.upper() for k in entry} or tname in ("CNAME", "ANY") or hops >= 8:
                break
            target = _as_list({k.upper(): v for k, v in entry.items()}["CNAME"])[0]
            answers.append(_rr(owner_wire, "CNAME", target, self.ttl))
            name, owner_wire, hops = target, encode_name(target), hops + 1
            entry = self.zone.get(name.lower().rstrip("."))

        reply = header(0, len(answers), ad=ad) + question + b"".join(answers)
        if len(reply) > limit:
            return header(0, 0, tc=1) + question
        return reply

    @staticmethod
    def _udp_limit(query, off, an, ns, ar):
        """512, or the payload size the client announced in an EDNS OPT."""
        try:
            for _ in range(an + ns + ar):
                _, off = decode_name(query, off)
                rtype, rclass, _ttl, rdlen = struct.unpack("!HHIH", query[off : off + 10])
                if rtype == TYPES["OPT"]:
                    return max(512, min(rclass, 4096))
                off += 10 + rdlen
        except (FormatError, struct.error):
            pass
        return 512

    def _log(self, qname, tname, proto):
        with self._lock:
            self.queries.append((qname.lower(), tname, proto))
            if self.log_path:
                with open(self.log_path, "a", encoding="utf-8") as f:
                    f.write("%s %s %s\n" % (qname, tname, proto))

    # --- network loop -----------------------------------------------------

    def _serve(self):
        sel = selectors.DefaultSelector()
        sel.register(self.udp, selectors.EVENT_READ, "udp")
        if self.tcp is not None:
            sel.register(self.tcp, selectors.EVENT_READ, "tcp")
        try:
            while not self._stop.is_set():
                for key, _ in sel.select(POLL):
                    if key.data == "udp":
                        self._udp_once()
                    else:
                        self._tcp_accept()
        finally:
            sel.close()

    def _udp_once(self):
        try:
            data, peer = self.udp.recvfrom(65535)
        except OSError:
            return
        try:
            reply = self.answer(data, "udp")
        except Exception as e:  # a zone typo must not kill the responder
            print("fakedns: internal error: %r" % (e,), file=sys.stderr)
            return
        if reply is not None:  # b"" from a callable: a 0-byte datagram
            try:
                self.udp.sendto(reply, peer)
            except OSError:
                pass

    def _tcp_accept(self):
        try:
            conn, _ = self.tcp.accept()
        except OSError:
            return
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            if len(self._threads) >= 16:
                conn.close()  # bounded: a test never needs more
                return
            t = threading.Thread(target=self._tcp_conn, args=(conn,), daemon=True)
            self._threads.append(t)
        t.start()

    def _tcp_conn(self, conn):
        """RFC 1035 4.2.2: each message is preceded by a two-octet length."""
        conn.settimeout(POLL)
        buf, idle = b"", 0.0
        try:
            while not self._stop.is_set() and idle < 10:
                try:
                    data = conn.recv(4096)
                except socket.timeout:
                    idle += POLL
                    continue
                if not data:
                    return
                idle = 0.0
                buf += data
                while len(buf) >= 2:
                    (n,) = struct.unpack("!H", buf[:2])
                    if len(buf) < 2 + n:
                        break
                    msg, buf = buf[2 : 2 + n], buf[2 + n :]
                    try:
                        reply = self.answer(msg, "tcp")
                    except Exception as e:
                        print("fakedns: internal error: %r" % (e,), file=sys.stderr)
                        return
                    if reply:
                        conn.settimeout(5)
                        conn.sendall(struct.pack("!H", len(reply)) + reply)
                        conn.settimeout(POLL)
        except OSError:
            pass
        finally:
            conn.close()


def main(argv=None):
    ap = argparse.ArgumentParser(description="Scripted authoritative DNS responder (127.0.0.0/8 and ::1 only).")
    ap.add_argument("--listen", default="127.0.0.1:0", metavar="HOST:PORT",
                    help="[::1]:PORT for IPv6")
    ap.add_argument("--zone", required=True, help="JSON file with the zone (see module doc)")
    ap.add_argument("--log", help="write one line per question here")
    ap.add_argument("--no-tcp", action="store_true", help="UDP only")
    args = ap.parse_args(argv)
    with open(args.zone, encoding="utf-8") as f:
        zone = json.load(f)
    host, _, port = args.listen.rpartition(":")
    host = host.strip("[]")

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    dns = FakeDNS(zone, host, int(port), log_path=args.log, tcp=not args.no_tcp).start()
    print("listening on %s:%d" % (host, dns.port), flush=True)
    try:
        while not done.wait(0.5):
            pass
    finally:
        dns.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
