#!/usr/bin/python3
"""Self-test of the integration harness: fakesmtp.py, fakedns.py and
fakesocks.py, checked with Python's own smtplib/ssl, a hand-built DNS
client and a hand-built SOCKS5 client. It needs no
smtpprobe binary, so the harness can be trusted before the probe exists.

    tests/integration/test_fakes.py

Prints "ok NAME" / "FAIL NAME: why" and ends with "N passed, M failed".
"""

import base64
import json
import os
import shutil
import signal
import smtplib
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# Importing the fakes must not leave __pycache__ in the source tree.
sys.dont_write_bytecode = True
from fakedns import FakeDNS, encode_name  # noqa: E402
from fakesmtp import FakeSMTP  # noqa: E402
from fakesocks import FakeSocks  # noqa: E402
from harness import (CaseFailure, base64_cores, check, eq, json_string_problems,  # noqa: E402
                     make_pki, output_problems)

ADDR = "127.0.0.2"
NAMES = ["mx1.example.test", "mx2.example.test"]
ZONE = {
    "ok.example.test": {"MX": [[10, "mx1.example.test"], [20, "mx2.example.test"]]},
    "mx1.example.test": {"A": ["127.0.0.2"], "AAAA": ["::1"]},
    "null.example.test": {"MX": [[0, "."]]},
    "alias.example.test": {"CNAME": "mx1.example.test"},
    "big.example.test": {"TXT": ["t" * 200] * 5},
    "fail.example.test": "SERVFAIL",
    "drop.example.test": "DROP",
}

CASES = []


def case(fn):
    CASES.append((fn.__name__, fn))
    return fn


# --- a tiny DNS client -------------------------------------------------------

def dns_query(port, name, qtype, tcp=False, qid=0x1234, rd=True, timeout=1.0):
    """Send one question; return the parsed reply dict, or None on timeout."""
    types = {"A": 1, "CNAME": 5, "MX": 15, "TXT": 16, "AAAA": 28}
    q = struct.pack("!6H", qid, 0x0100 if rd else 0, 1, 0, 0, 0)
    q += encode_name(name) + struct.pack("!HH", types[qtype], 1)
    if tcp:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        s.sendall(struct.pack("!H", len(q)) + q)
        data = b""
        try:
            while len(data) < 2 or len(data) < 2 + struct.unpack("!H", data[:2])[0]:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        finally:
            s.close()
        msg = data[2:]
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(timeout)
        try:
            s.sendto(q, ("127.0.0.1", port))
            msg = s.recv(65535)
        except socket.timeout:
            return None
        finally:
            s.close()
    qid_r, flags, qd, an, ns, ar = struct.unpack("!6H", msg[:12])
    # The question must be echoed byte for byte (0x20 spelling included).
    question = msg[12:12 + len(q) - 12]
    return {"id": qid_r, "aa": bool(flags & 0x400), "tc": bool(flags & 0x200),
            "rd": bool(flags & 0x100), "ra": bool(flags & 0x80), "qr": bool(flags & 0x8000),
            "rcode": flags & 0xF, "an": an, "question_echoed": question == q[12:], "raw": msg}


# --- SMTP ----------------------------------------------------------------------

@case
def smtp_starttls_dialogue_and_log(env):
    sc = {"name": "mx1.example.test", "cert": env.cert, "key": env.key,
          "rcpt": {"alice@ok.example.test": "250 2.1.5 Ok"},
          "replies": {"RCPT": "550 5.1.1 <x>: Recipient address rejected: User unknown"}}
    log = os.path.join(env.tmp, "a.log")
    with FakeSMTP(ADDR, 0, sc, log_path=log) as srv:
        c = smtplib.SMTP(ADDR, srv.port, local_hostname="probe.test", timeout=5)
        code, caps = c.ehlo()
        eq(code, 250, "EHLO code")
        check(b"PIPELINING" in caps and b"STARTTLS" in caps, "EHLO lacks PIPELINING/STARTTLS: %r" % caps)
        ctx = ssl.create_default_context(cafile=env.ca)
        c._host = "mx1.example.test"  # the name to verify, not the IP we dialled
        eq(c.starttls(context=ctx)[0], 220, "STARTTLS code")
        eq(c.sock.version(), "TLSv1.3", "TLS version")
        code, caps = c.ehlo()
        check(b"STARTTLS" not in caps, "STARTTLS still offered inside TLS")
        eq(c.mail("")[0], 250, "MAIL code")
        eq(c.rcpt("alice@ok.example.test")[0], 250, "known RCPT code")
        code, text = c.rcpt("bob@ok.example.test")
        eq((code, text[:5]), (550, b"5.1.1"), "unknown RCPT reply")
        eq(c.rset()[0], 250, "RSET code")
        c.quit()
        check(srv.wait_idle(), "connection still open")
    # smtplib spells most verbs in lower case; the log keeps the wire spelling.
    want = ["ehlo probe.test", "STARTTLS", "ehlo probe.test", "mail FROM:<>",
            "rcpt TO:<alice@ok.example.test>", "rcpt TO:<bob@ok.example.test>", "rset", "quit"]
    eq(srv.lines, want, "in-memory log")
    with open(log) as f:
        eq(f.read().splitlines(), want, "log file")


@case
def smtp_implicit_tls(env):
    sc = {"name": "mx1.example.test", "cert": env.cert, "key": env.key, "implicit_tls": True}
    with FakeSMTP(ADDR, 0, sc) as srv:
        ctx = ssl.create_default_context(cafile=env.ca)
        c = NamedSMTP_SSL(ADDR, srv.port, local_hostname="probe.test", timeout=5, context=ctx)
        code, caps = c.ehlo()
        check(b"STARTTLS" not in caps, "STARTTLS offered on an implicit-TLS port")
        c.quit()
        srv.wait_idle()
    eq(srv.lines, ["ehlo probe.test", "quit"], "log")


class NamedSMTP_SSL(smtplib.SMTP_SSL):
    """SMTP_SSL that verifies the certificate against mx1.example.test
    while dialling the loopback address."""

    def _get_socket(self, host, port, timeout):
        sock = socket.create_connection((host, port), timeout)
        return self.context.wrap_socket(sock, server_hostname="mx1.example.test")


def raw_client(port, timeout=2.0):
    s = socket.create_connection((ADDR, port), timeout=timeout)
    return s


def recv_until(s, needle, limit=2.0):
    data, end = b"", time.monotonic() + limit
    while needle not in data and time.monotonic() < end:
        try:
            chunk = s.recv(4096)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
    return data


@case
def smtp_starttls_injection_in_one_write(env):
    sc = {"cert": env.cert, "key": env.key, "inject": "250 injected\r\n"}
    with FakeSMTP(ADDR, 0, sc) as srv:
        s = raw_client(srv.port)
        recv_until(s, b"\r\n")
        s.sendall(b"STARTTLS\r\n")
        data = recv_until(s, b"250 injected\r\n")
        eq(data, b"220 2.0.0 Ready to start TLS\r\n250 injected\r\n", "bytes after STARTTLS")
        s.close()
        check(srv.wait_idle(), "server kept the connection")
    eq(srv.lines, ["STARTTLS"], "log")


@case
def smtp_banner_variants_and_silence(env):
    # A multiline banner, a silent verb, and a raw-bytes reply.
    sc = {"banner": ["220-first", "220 second"], "silent": ["NOOP"],
          "replies": {"HELO": b"250 raw\xff\r\n"}}
    with FakeSMTP(ADDR, 0, sc) as srv:
        s = raw_client(srv.port, timeout=0.5)
        eq(recv_until(s, b"220 second\r\n"), b"220-first\r\n220 second\r\n", "banner")
        s.sendall(b"NOOP\r\n")
        eq(recv_until(s, b"\n", 0.5), b"", "reply to a silent verb")
        s.sendall(b"HELO x\r\nFOO bar\r\n")
        data = recv_until(s, b"502", 1.0)
        check(data.startswith(b"250 raw\xff\r\n502 "), "HELO/unknown replies: %r" % data)
        s.sendall(b"BDAT 3 LAST\r\n\x1b\xff\r\n")
        time.sleep(0.2)
        s.close()
        srv.wait_idle()
    # backslashreplace: invalid UTF-8 is escaped, valid control bytes are kept.
    eq(srv.lines, ["NOOP", "HELO x", "FOO bar", "BDAT 3 LAST", "\x1b\\xff"], "log (backslashreplace)")


@case
def smtp_never_reply_and_delay(env):
    with FakeSMTP(ADDR, 0, {"never_reply": True}) as srv:
        s = raw_client(srv.port, timeout=0.3)
        s.sendall(b"EHLO x\r\n")
        eq(recv_until(s, b"\n", 0.6), b"", "bytes from a never-reply server")
        s.close()
        srv.wait_idle()
        eq(srv.lines, ["EHLO x"], "log")
    with FakeSMTP(ADDR, 0, {"delays": {"banner": 0.4}, "trickle": 0.001}) as srv:
        t0 = time.monotonic()
        s = raw_client(srv.port)
        data = recv_until(s, b"\r\n")
        took = time.monotonic() - t0
        check(0.35 < took < 2.0, "banner came after %.2f s, want ~0.4" % took)
        check(data.startswith(b"220 "), "banner %r" % data)
        s.close()


@case
def smtp_survives_abrupt_clients(env):
    sc = {"cert": env.cert, "key": env.key}
    with FakeSMTP(ADDR, 0, sc) as srv:
        # Half a line, then gone.
        s = raw_client(srv.port)
        s.sendall(b"EHLO hal")
        s.close()
        # Gone in the middle of the TLS handshake.
        s = raw_client(srv.port)
        recv_until(s, b"\r\n")
        s.sendall(b"STARTTLS\r\n")
        recv_until(s, b"\r\n")
        s.sendall(b"\x16\x03\x01\x00")
        s.close()
        # Reset (RST) instead of FIN.
        s = raw_client(srv.port)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.sendall(b"MAIL FROM:<>\r\n")
        s.close()
        check(srv.wait_idle(), "a dead client's thread is still running")
        c = smtplib.SMTP(ADDR, srv.port, timeout=5)
        eq(c.noop()[0], 250, "NOOP after abrupt clients")
        c.quit()
        srv.wait_idle()
        check(srv.lines[-2:] == ["noop", "quit"], "log tail %r" % srv.lines[-2:])
        check(any("tls handshake failed" in e for _, e in srv.events), "handshake failure not noted")


@case
def smtp_stop_ends_everything(env):
    before = set(threading.enumerate())
    srv = FakeSMTP(ADDR, 0, {"never_reply": True}).start()
    port = srv.port
    held = [raw_client(port) for _ in range(3)]
    time.sleep(0.2)
    t0 = time.monotonic()
    srv.stop()
    check(time.monotonic() - t0 < 1.5, "stop() took %.1f s" % (time.monotonic() - t0))
    left = [t.name for t in set(threading.enumerate()) - before]
    eq(left, [], "threads left after stop()")
    for h in held:
        h.close()
    try:
        raw_client(port).close()
        raise CaseFailure("still accepting after stop()")
    except ConnectionRefusedError:
        pass


@case
def smtp_connection_bound(env):
    with FakeSMTP(ADDR, 0, {"never_reply": True}, max_connections=2) as srv:
        held = [raw_client(srv.port) for _ in range(2)]
        time.sleep(0.2)
        extra = raw_client(srv.port)
        data = recv_until(extra, b"\r\n", 1.0)
        check(data.startswith(b"421 "), "third connection got %r, want 421" % data)
        for h in held + [extra]:
            h.close()


@case
def smtp_loopback_only(env):
    for bad in ("0.0.0.0", "::", "::2", "fe80::1", "::ffff:127.0.0.1", "192.0.2.1"):
        try:
            FakeSMTP(bad, 0, {})
            raise CaseFailure("fakesmtp bound to %s, outside 127.0.0.0/8 and ::1" % bad)
        except ValueError:
            pass
        try:
            FakeDNS({}, bad, 0)
            raise CaseFailure("fakedns bound to %s, outside 127.0.0.0/8 and ::1" % bad)
        except ValueError:
            pass


@case
def smtp_and_dns_on_ipv6_loopback(env):
    with FakeSMTP("::1", 0, {"name": "v6.test"}) as srv:
        c = smtplib.SMTP("::1", srv.port, local_hostname="probe.test", timeout=5)
        eq(c.ehlo()[0], 250, "EHLO over IPv6")
        c.quit()
        check(srv.wait_idle(), "connection still open")
    eq(srv.lines, ["ehlo probe.test", "quit"], "log")
    with FakeDNS(ZONE, "::1", 0) as dns:
        q = struct.pack("!6H", 7, 0x0100, 1, 0, 0, 0) + encode_name("ok.example.test") + struct.pack("!HH", 15, 1)
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.settimeout(1.0)
        try:
            s.sendto(q, ("::1", dns.port))
            eq(struct.unpack("!6H", s.recv(4096)[:12])[3], 2, "MX answers over IPv6")
        finally:
            s.close()


def tls_client(env, srv):
    c = smtplib.SMTP(ADDR, srv.port, local_hostname="probe.test", timeout=5)
    c.ehlo()
    c._host = "mx1.example.test"
    c.starttls(context=ssl.create_default_context(cafile=env.ca))
    return c


@case
def smtp_auth_plain_and_login(env):
    sc = {"name": "mx1.example.test", "cert": env.cert, "key": env.key,
          "auth": {"user": "alice", "password": "s3cret"},
          "tls_replies": {"EHLO": ["250-mx1.example.test", "250 AUTH PLAIN LOGIN"]}}
    with FakeSMTP(ADDR, 0, sc) as srv:
        for mech in ("PLAIN", "LOGIN"):
            c = tls_client(env, srv)
            c.ehlo()
            c.user, c.password = "alice", "s3cret"
            eq(c.auth(mech, getattr(c, "auth_" + mech.lower()))[0], 235, "AUTH %s good" % mech)
            c.quit()
            c = tls_client(env, srv)
            c.ehlo()
            c.user, c.password = "alice", "wrong"
            try:
                c.auth(mech, getattr(c, "auth_" + mech.lower()))
                raise CaseFailure("AUTH %s with a wrong password succeeded" % mech)
            except smtplib.SMTPAuthenticationError as e:
                eq((e.smtp_code, e.smtp_error[:5]), (535, b"5.7.8"), "AUTH %s bad" % mech)
            c.quit()
        check(srv.wait_idle(), "connection still open")
    plain = [l for l in srv.lines if l.upper().startswith("AUTH PLAIN ")]
    eq(base64.b64decode(plain[0].split()[2]), b"\0alice\0s3cret", "logged AUTH PLAIN")
    eq(sum(1 for _, e in srv.events if e.startswith("auth ") and e.endswith(" ok")), 2, "successful AUTHs")


@case
def smtp_tls_silent_and_starttls_then(env):
    base = {"name": "mx1.example.test", "cert": env.cert, "key": env.key}
    with FakeSMTP(ADDR, 0, dict(base, tls_silent=["EHLO"])) as srv:
        c = tls_client(env, srv)
        c.sock.settimeout(0.5)
        try:
            c.ehlo()
            raise CaseFailure("EHLO answered inside TLS despite tls_silent")
        except (socket.timeout, smtplib.SMTPServerDisconnected):
            pass
        c.close()
        srv.wait_idle()
    with FakeSMTP(ADDR, 0, dict(base, starttls_then="close")) as srv:
        s = raw_client(srv.port)
        recv_until(s, b"\r\n")
        s.sendall(b"STARTTLS\r\n")
        eq(recv_until(s, b"never"), b"220 2.0.0 Ready to start TLS\r\n", "bytes before the close")
        s.close()
        check(srv.wait_idle() and srv.conns[0].server_closed, "not closed by the server")
    with FakeSMTP(ADDR, 0, dict(base, starttls_then="reset")) as srv:
        s = raw_client(srv.port)
        recv_until(s, b"\r\n")
        s.sendall(b"STARTTLS\r\n")
        time.sleep(0.3)
        try:
            data = s.recv(4096)
            data += s.recv(4096)
            raise CaseFailure("no reset after 220 with starttls_then=reset (got %r)" % data)
        except ConnectionResetError:
            pass
        s.close()
        check(srv.wait_idle() and srv.conns[0].server_closed, "not reset by the server")
    with FakeSMTP(ADDR, 0, dict(base, starttls_then="220 in clear again")) as srv:
        s = raw_client(srv.port)
        recv_until(s, b"\r\n")
        s.sendall(b"STARTTLS\r\n")
        recv_until(s, b"\r\n")
        s.sendall(b"\x16\x03\x01\x00\x05hello")
        eq(recv_until(s, b"again\r\n"), b"220 in clear again\r\n", "clear-text answer to a ClientHello")
        s.sendall(b"EHLO fallback\r\n")
        check(recv_until(s, b"\r\n").startswith(b"250"), "no clear-text dialogue after starttls_then")
        s.close()
        srv.wait_idle()
    eq(srv.lines, ["STARTTLS", "EHLO fallback"], "log (the handshake bytes are not lines)")


@case
def smtp_stream_reply_close_on_421_and_conn_facts(env):
    def endless():
        i = 0
        while True:
            i += 1
            yield b"250-line %d\r\n" % i
    sc = {"replies": {"EHLO": endless, "MAIL": "421 4.3.2 bye"}, "close_on_421": False}
    with FakeSMTP(ADDR, 0, sc) as srv:
        s = raw_client(srv.port)
        recv_until(s, b"\r\n")
        s.sendall(b"EHLO x\r\n")
        data = recv_until(s, b"250-line 5000\r\n")
        check(b"250-line 5000\r\n" in data, "endless reply stopped early")
        s.close()   # the server's writes now fail: its thread must end
        check(srv.wait_idle(3.0), "a streaming reply kept its thread after the client left")
        s = raw_client(srv.port)
        recv_until(s, b"\r\n")
        s.sendall(b"MAIL FROM:<>\r\n")
        eq(recv_until(s, b"\r\n"), b"421 4.3.2 bye\r\n", "MAIL reply")
        s.sendall(b"QUIT\r\n")
        eq(recv_until(s, b"\r\n"), b"221 2.0.0 Bye\r\n", "QUIT reply after 421 with close_on_421 false")
        s.close()
        srv.wait_idle()
        c0, c1 = srv.conns
        check(not c0.server_closed and not c0.sent_421, "first connection facts")
        check(c1.sent_421 and c1.server_closed, "second connection facts (421 sent, closed after QUIT)")
        eq(c1.sent[0], b"220 fake.test ESMTP fakesmtp\r\n", "first bytes sent")
    with FakeSMTP(ADDR, 0, {"banner": "421 4.3.2 busy"}) as srv:
        s = raw_client(srv.port)
        recv_until(s, b"\r\n")
        s.close()
        srv.wait_idle()
        check(srv.conns[0].sent_421, "a 421 banner is noted")


@case
def smtp_greylist_first(env):
    grey = ("450 4.2.0 <{0}>: Recipient address rejected: Greylisted, "
            "see http://postgrey.schweikert.ch/help/ok.example.test.html")
    sc = {"greylist_first": 1,
          "rcpt": {"bob@ok.example.test": "550 5.1.1 <bob@ok.example.test>: User unknown"}}
    with FakeSMTP(ADDR, 0, sc) as srv:
        c = smtplib.SMTP(ADDR, srv.port, local_hostname="probe.test", timeout=5)
        c.ehlo()
        c.mail("")
        code, text = c.rcpt("alice@ok.example.test")
        eq((code, text.decode()), (450, grey.format("alice@ok.example.test")[4:]),
           "first RCPT for alice")
        # Counted per recipient: bob's first attempt is greylisted too.
        code, text = c.rcpt("Bob@OK.example.test")
        eq((code, text.decode()), (450, grey.format("Bob@OK.example.test")[4:]),
           "first RCPT for bob")
        # Within the same connection, the second attempt passes.
        eq(c.rcpt("alice@ok.example.test")[0], 250, "second RCPT for alice")
        c.quit()
        # Counted across connections; then the normal (per-recipient) reply.
        c = smtplib.SMTP(ADDR, srv.port, local_hostname="probe.test", timeout=5)
        c.ehlo()
        c.mail("")
        eq(c.rcpt("bob@ok.example.test")[:2],
           (550, b"5.1.1 <bob@ok.example.test>: User unknown"), "second RCPT for bob")
        eq(c.rcpt("alice@ok.example.test")[0], 250, "third RCPT for alice")
        eq(c.rcpt("carol@ok.example.test")[0], 450, "first RCPT for carol")
        c.quit()
        check(srv.wait_idle(), "connection still open")
        eq(srv.rcpt_attempts, {"alice@ok.example.test": 3, "bob@ok.example.test": 2,
                               "carol@ok.example.test": 1}, "rcpt_attempts")
        eq(sorted(e for _, e in srv.events if e.startswith("greylisted")),
           ["greylisted <Bob@OK.example.test> (attempt 1)",
            "greylisted <alice@ok.example.test> (attempt 1)",
            "greylisted <carol@ok.example.test> (attempt 1)"], "greylisting events")
    # "all": never lets through; a custom reply with {rcpt} and {name}.
    sc = {"name": "mx9.test", "greylist_first": "all",
          "greylist_reply": "451 4.7.1 {name}: <{rcpt}> try again later"}
    with FakeSMTP(ADDR, 0, sc) as srv:
        for _ in range(3):
            c = smtplib.SMTP(ADDR, srv.port, local_hostname="probe.test", timeout=5)
            c.ehlo()
            c.mail("")
            eq(c.rcpt("alice@ok.example.test"),
               (451, b"4.7.1 mx9.test: <alice@ok.example.test> try again later"), "RCPT with all")
            c.quit()
        check(srv.wait_idle(), "connection still open")
        eq(srv.rcpt_attempts, {"alice@ok.example.test": 3}, "rcpt_attempts with all")
    # Off by default; a bad count is refused at construction.
    with FakeSMTP(ADDR, 0, {}) as srv:
        c = smtplib.SMTP(ADDR, srv.port, timeout=5)
        c.ehlo()
        c.mail("")
        eq(c.rcpt("alice@ok.example.test")[0], 250, "RCPT without greylist_first")
        c.quit()
        srv.wait_idle()
    for bad in (-1, "some", 1.5, True):
        try:
            FakeSMTP(ADDR, 0, {"greylist_first": bad})
            raise CaseFailure("greylist_first=%r accepted" % (bad,))
        except ValueError:
            pass


# --- the harness's own detectors ------------------------------------------------

@case
def harness_output_detectors(env):
    clean = "ok: caf\u00e9 \\x1b escaped \u2603 \\u{202E}\n".encode()
    eq(output_problems(clean), [], "problems in clean output")
    for bad in (b"\x1b[2J", b"a\rb", b"\x07", b"\x7f", b"\x08", b"\t", b"\xc2\x9b",
                "\u202e".encode(), "\u2066".encode(), "\u202a".encode(), b"\xff", b"\x9b"):
        check(output_problems(b"x " + bad + b" y"), "raw %r not detected" % bad)
    eq(json_string_problems({"a": ["fine", {"b": "\\x1b"}]}), [], "clean JSON strings")
    check(json_string_problems({"a": ["fine", {"b": "esc \x1b"}]}), "ESC in a JSON string not detected")
    check(json_string_problems({"k\u202e": 1}), "U+202E in a JSON key not detected")


@case
def harness_base64_cores(env):
    import random
    rnd = random.Random(7)
    for n in range(8, 30):
        secret = bytes(rnd.randrange(256) for _ in range(n))
        cores = base64_cores(secret)
        check(all(len(c) >= (8 * n // 6) - 3 for c in cores), "cores too short: %r" % cores)
        for pre in range(0, 7):
            for post in range(0, 4):
                blob = base64.b64encode(os.urandom(pre) + secret + os.urandom(post)).decode()
                check(any(c in blob for c in cores),
                      "no core of a %d-byte secret in base64 with %d bytes before, %d after" % (n, pre, post))


# --- SOCKS5 ----------------------------------------------------------------------

def socks5(port, dest, dport, methods=(0,), cred=None, proxy="127.0.0.7"):
    """A hand-built SOCKS5 client (RFC 1928, 1929): (method chosen, auth
    status or None, REP or None, the socket). dest is an IPv4 literal."""
    s = socket.create_connection((proxy, port), timeout=2)
    s.sendall(bytes([5, len(methods)] + list(methods)))
    ver, method = s.recv(2)
    status = rep = None
    if method == 2 and cred:
        u, p = (x.encode() for x in cred)
        s.sendall(bytes([1, len(u)]) + u + bytes([len(p)]) + p)
        status = s.recv(2)[1]
        if status != 0:
            return method, status, None, s
    if method in (0, 2):
        s.sendall(bytes([5, 1, 0, 1]) + socket.inet_aton(dest) + struct.pack("!H", dport))
        head = s.recv(10)
        rep = head[1] if len(head) > 1 else None
    return method, status, rep, s


@case
def socks_relay_and_refusals(env):
    with FakeSMTP(ADDR, 0, {"name": "mx1.example.test"}) as smtp:
        px = FakeSocks("127.0.0.7", 0, {"source": "127.0.0.9"}).start()
        try:
            m, st, rep, s = socks5(px.port, ADDR, smtp.port)
            eq((m, st, rep), (0, None, 0), "no-auth CONNECT (method, status, REP)")
            s.settimeout(2)
            check(s.recv(100).startswith(b"220 mx1.example.test"), "no banner through the relay")
            s.sendall(b"QUIT\r\n")
            check(s.recv(100).startswith(b"221"), "no 221 through the relay")
            s.close()
            check(smtp.wait_idle(2.0), "the relayed connection stayed open")
            eq(smtp.conns[0].peer[0], "127.0.0.9", "the address the SMTP server saw")
            # Never outside the loopback network, whatever the script says.
            m, st, rep, s = socks5(px.port, "192.0.2.1", 25)
            s.close()
            eq(rep, 2, "REP for a destination outside 127.0.0.0/8")
            eq(px.conns[-1].dest, ("192.0.2.1", 25), "the destination asked for")
        finally:
            px.stop()
    px = FakeSocks("127.0.0.7", 0, {"auth": ("u", "pw"), "rep": 5}).start()
    try:
        m, st, rep, s = socks5(px.port, ADDR, 25, methods=(2,), cred=("u", "pw"))
        s.close()
        eq((m, st, rep), (2, 0, 5), "RFC 1929 login, then the scripted REP")
        m, st, rep, s = socks5(px.port, ADDR, 25, methods=(2,), cred=("u", "bad"))
        s.close()
        eq((m, st), (2, 1), "a wrong password: status 1")
        m, st, rep, s = socks5(px.port, ADDR, 25, methods=(0,))
        s.close()
        eq(m, 0xFF, "no acceptable method without a login")
    finally:
        px.stop()
    try:
        FakeSocks("192.0.2.1", 0)
        raise CaseFailure("fakesocks listened outside the loopback network")
    except ValueError:
        pass


# --- DNS -------------------------------------------------------------------------

@case
def dns_answers(env):
    with FakeDNS(ZONE) as dns:
        r = dns_query(dns.port, "ok.example.test", "MX", qid=0xBEEF)
        eq((r["id"], r["qr"], r["aa"], r["ra"], r["rd"], r["rcode"], r["an"]),
           (0xBEEF, True, True, True, True, 0, 2), "MX reply header")
        check(r["question_echoed"], "question not echoed")
        check(b"\x03mx2\x07example\x04test\x00" in r["raw"], "mx2 target missing")
        r = dns_query(dns.port, "oK.ExAmPle.TEST", "MX", rd=False)
        check(r["question_echoed"] and not r["rd"] and r["an"] == 2, "case-randomised query: %r" % r)
        r = dns_query(dns.port, "null.example.test", "MX")
        check(r["an"] == 1 and r["raw"].endswith(b"\x00\x00\x00"), "null MX rdata: %r" % r["raw"][-8:])
        r = dns_query(dns.port, "mx1.example.test", "AAAA")
        check(r["an"] == 1 and r["raw"].endswith(socket.inet_pton(socket.AF_INET6, "::1")), "AAAA")
        r = dns_query(dns.port, "alias.example.test", "A")
        eq(r["an"], 2, "CNAME chain answer count")
        check(r["raw"].endswith(bytes([127, 0, 0, 2])), "CNAME not chased to its A")
        eq(dns_query(dns.port, "mx1.example.test", "MX")[("rcode")], 0, "NODATA rcode")
        eq(dns_query(dns.port, "mx1.example.test", "MX")["an"], 0, "NODATA answers")
        eq(dns_query(dns.port, "nope.example.test", "MX")["rcode"], 3, "NXDOMAIN rcode")
        eq(dns_query(dns.port, "fail.example.test", "MX")["rcode"], 2, "SERVFAIL rcode")
        eq(dns_query(dns.port, "drop.example.test", "MX", timeout=0.4), None, "DROP reply")
        eq(dns_query(dns.port, "ok.example.test", "MX", tcp=True)["an"], 2, "MX over TCP")
        r = dns_query(dns.port, "big.example.test", "TXT")
        check(r["tc"] and r["an"] == 0, "large UDP answer not truncated: %r" % {k: r[k] for k in ("tc", "an")})
        eq(dns_query(dns.port, "big.example.test", "TXT", tcp=True)["an"], 5, "large answer over TCP")
        eq(dns.queries[0], ("ok.example.test", "MX", "udp"), "first logged query")
        eq(len(dns.queries), 13, "queries logged")
        dns.clear()
        eq(dns.queries, [], "queries after clear()")


@case
def dns_with_dig(env):
    if not shutil.which("dig"):
        return  # optional cross-check; the hand-built client covers the rest
    with FakeDNS(ZONE) as dns:
        p = subprocess.run(["dig", "+norecurse", "+time=1", "+tries=1", "@127.0.0.1", "-p",
                            str(dns.port), "ok.example.test", "MX", "+short"],
                           capture_output=True, text=True, timeout=10)
        eq(sorted(p.stdout.split("\n")), ["", "10 mx1.example.test.", "20 mx2.example.test."],
           "dig +short")


# --- the CLIs ------------------------------------------------------------------

def start_cli(argv):
    p = subprocess.Popen([sys.executable, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    check(line.startswith("listening on "), "CLI said %r" % line)
    return p, int(line.rsplit(":", 1)[1])


def sigterm(p):
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        raise CaseFailure("CLI ignored SIGTERM")
    eq(rc, 0, "CLI exit status after SIGTERM")


@case
def cli_fakedns_and_fakesmtp(env):
    zone = os.path.join(env.tmp, "zone.json")
    scen = os.path.join(env.tmp, "sc.json")
    log = os.path.join(env.tmp, "cli.log")
    with open(zone, "w") as f:
        json.dump(ZONE, f)
    with open(scen, "w") as f:
        json.dump({"banner": "220 cli.test ESMTP", "replies": {"RCPT": "450 4.2.0 Greylisted"}}, f)
    dns, dport = start_cli([os.path.join(HERE, "fakedns.py"), "--listen", "127.0.0.1:0", "--zone", zone])
    try:
        eq(dns_query(dport, "ok.example.test", "MX")["an"], 2, "CLI MX answer")
    finally:
        sigterm(dns)
    smtp, sport = start_cli([os.path.join(HERE, "fakesmtp.py"), "--listen", ADDR + ":0",
                             "--scenario", scen, "--log", log])
    try:
        c = smtplib.SMTP(ADDR, sport, timeout=5)
        c.ehlo("cli")
        c.mail("")
        eq(c.rcpt("x@y.test")[0], 450, "CLI RCPT reply")
        c.quit()
        time.sleep(0.2)
    finally:
        sigterm(smtp)
    with open(log) as f:
        eq(f.read().splitlines(), ["ehlo cli", "mail FROM:<>", "rcpt TO:<x@y.test>", "quit"], "CLI log")


class Env:
    pass


def main():
    env = Env()
    env.tmp = tempfile.mkdtemp(prefix="fakes-selftest-")
    passed = failed = 0
    before = set(threading.enumerate())
    try:
        env.ca, env.cert, env.key = make_pki(env.tmp, NAMES)
        for name, fn in CASES:
            try:
                fn(env)
                passed += 1
                print("ok %s" % name, flush=True)
            except Exception as e:
                failed += 1
                print("FAIL %s: %s" % (name, e if isinstance(e, CaseFailure) else repr(e)), flush=True)
    finally:
        shutil.rmtree(env.tmp, ignore_errors=True)
    time.sleep(0.3)  # let stopped servers' threads finish unwinding
    left = [t.name for t in set(threading.enumerate()) - before if t.is_alive()]
    if left:
        failed += 1
        print("FAIL cleanup: threads still running: %s" % ", ".join(left))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
