#!/usr/bin/python3
"""Integration test for smtpprobe: drives the real binary against scripted
DNS and SMTP servers on the loopback network and checks exit statuses and
JSON fields against /work/shared/SPEC.md.

    tests/integration/test_probe.py --binary build/smtpprobe [-k NAME] [-v]

Prints "ok NAME" or "FAIL NAME: why" per case and ends with
"N passed, M failed"; exits 0 only when every case passed.

Layout of the fake world (all on 127.0.0.0/8, nothing else is contacted):
  fakedns          127.0.0.1:<free port>, UDP+TCP, zone ZONE below
  fake SMTP hosts  127.0.0.2 ... 127.0.0.11, all on one common free port P
                   (the probe gets --port P); each case starts the servers it
                   needs and stops them when it ends
  implicit TLS     127.0.0.3:465 (the tests run as root); when another run
                   holds that, the first free 127.0.4.x:465, and mx3's A
                   record follows
  TLS              a throwaway CA and one server certificate whose SANs name
                   every mail host in ZONE, made with the openssl CLI

To add a case: write a function taking `env`, decorate it with @case("name"),
start servers with env.smtp(...), run the probe with env.run(...), and
assert with check()/eq(); see the existing cases.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# Importing the fakes must not leave __pycache__ in the source tree.
sys.dont_write_bytecode = True
from fakedns import FakeDNS  # noqa: E402
from fakesmtp import FakeSMTP  # noqa: E402

TIMEOUT = 3                     # --timeout given to the probe, seconds
RUN_LIMIT = 5 * TIMEOUT         # a probe run longer than this is killed: a hang
HELO = "probe.example.test"     # --helo, so the probe never asks the system
                                # resolver for this machine's own name

# The zone every case shares. mxN.example.test lives on 127.0.0.N (mx1 on
# 127.0.0.2, there being no mx2); names not here are NXDOMAIN.
ZONE = {
    "ok.example.test": {"MX": [[10, "mx1.example.test"]]},
    "mx1.example.test": {"A": ["127.0.0.2"]},
    "tls.example.test": {"MX": [[10, "mx3.example.test"]]},
    "mx3.example.test": {"A": ["127.0.0.3"]},
    "grey.example.test": {"MX": [[10, "mx4.example.test"]]},
    "mx4.example.test": {"A": ["127.0.0.4"]},
    "banner.example.test": {"MX": [[10, "mx5.example.test"]]},
    "mx5.example.test": {"A": ["127.0.0.5"]},
    "inject.example.test": {"MX": [[10, "mx6.example.test"]]},
    "mx6.example.test": {"A": ["127.0.0.6"]},
    "plain.example.test": {"MX": [[10, "mx7.example.test"]]},
    "mx7.example.test": {"A": ["127.0.0.7"]},
    "evil.example.test": {"MX": [[10, "mx8.example.test"]]},
    "mx8.example.test": {"A": ["127.0.0.8"]},
    "refused.example.test": {"MX": [[10, "mx9.example.test"]]},
    "mx9.example.test": {"A": ["127.0.0.9"]},
    "blackhole.example.test": {"MX": [[10, "mx10.example.test"]]},
    "mx10.example.test": {"A": ["127.0.0.10"]},
    # No MX, an A record: RFC 5321 5.1 implicit MX.
    "amx.example.test": {"A": ["127.0.0.11"]},
    "null.example.test": {"MX": [[0, "."]]},
    "servfail.example.test": "SERVFAIL",
    "drop.example.test": "DROP",
    # First MX refuses / greylists, the second accepts: the verdict must
    # come from the second (SPEC: a connection failure or 4xx moves on).
    "failover.example.test": {"MX": [[10, "mx9.example.test"], [20, "mx1.example.test"]]},
    "greyfirst.example.test": {"MX": [[10, "mx4.example.test"], [20, "mx1.example.test"]]},
    # Neither MX nor address: nothing to deliver to.
    "noaddr.example.test": {"TXT": ["v=spf1 -all"]},
    # MX whose target does not exist.
    "ghostmx.example.test": {"MX": [[10, "ghost.example.test"]]},
}
# Every name with an address gets a SAN, so any mail host verifies.
# mx1 comes first and becomes the CN.
CERT_NAMES = sorted((n for n, v in ZONE.items() if isinstance(v, dict) and "A" in v),
                    key=lambda n: (n != "mx1.example.test", n))
# Loopback addresses the cases bind on the common port P.
SMTP_ADDRS = ["127.0.0.%d" % i for i in range(2, 12)]


# --- assertions ------------------------------------------------------------

class CaseFailure(Exception):
    pass


def clip(value, n=160):
    """Printable, bounded rendering of untrusted text for a FAIL line: the
    probe's own output may hold the very control bytes a case hunts for."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "backslashreplace")
    s = str(value)
    s = "".join(c if c.isprintable() and ord(c) < 0x7F else ascii(c)[1:-1] for c in s)
    return s if len(s) <= n else s[:n] + "..."


def check(cond, msg):
    if not cond:
        raise CaseFailure(msg)


def eq(actual, expected, what):
    check(actual == expected, "%s is %s, want %s" % (what, clip(repr(actual)), clip(repr(expected))))


def one_of(actual, allowed, what):
    check(actual in allowed, "%s is %s, want one of %s" % (what, clip(repr(actual)), sorted(allowed)))


def field(obj, path):
    """obj["a"]["b"][0]... for path "a.b.0", failing the case when absent."""
    cur = obj
    for part in path.split("."):
        try:
            cur = cur[int(part)] if isinstance(cur, list) else cur[part]
        except (KeyError, IndexError, ValueError, TypeError):
            raise CaseFailure("JSON has no %s" % path)
    return cur


def probe_at(doc, address, port=None):
    """The probes[] entry for one address (and port)."""
    found = [p for p in field(doc, "probes")
             if p.get("address") == address and (port is None or p.get("port") == port)]
    check(found, "no probe of %s in probes[] (have %s)"
          % (address, [(p.get("address"), p.get("port")) for p in doc.get("probes", [])]))
    return found[0]


def stages(probe):
    return [s.get("stage") for s in field(probe, "steps")]


def last_step(probe, stage):
    found = [s for s in field(probe, "steps") if s.get("stage") == stage]
    check(found, "no %s step (stages: %s)" % (stage, stages(probe)))
    return found[-1]


def in_order(seq, wanted, what):
    """wanted appears in seq as a subsequence (other items may interleave)."""
    it = iter(seq)
    check(all(any(x == w for x in it) for w in wanted),
          "%s %s do not contain %s in order" % (what, seq, wanted))


def verbs(lines):
    return [l.split(" ", 1)[0].split(":", 1)[0].upper() for l in lines]


def no_delivery(lines):
    """SPEC promise: never DATA, BDAT or anything that could deliver."""
    bad = [l for l in lines if verbs([l])[0] in ("DATA", "BDAT")]
    check(not bad, "probe sent %s" % clip(bad))


def match_lines(lines, expected, what="server log"):
    """lines starts with expected; an item is an exact string or a regex."""
    check(len(lines) >= len(expected), "%s is %s, want it to start %s"
          % (what, clip(lines, 300), [getattr(e, "pattern", e) for e in expected]))
    for i, (got, want) in enumerate(zip(lines, expected)):
        ok = want.fullmatch(got) if hasattr(want, "fullmatch") else got == want
        check(ok, "%s line %d is %s, want %s" % (what, i + 1, clip(repr(got)),
                                                  clip(repr(getattr(want, "pattern", want)))))


# MAIL FROM with the null sender; ESMTP parameters may follow.
MAIL_NULL = re.compile(r"MAIL FROM:<>( .*)?")


# --- the environment -------------------------------------------------------

def make_pki(d, names):
    """A throwaway CA and one server certificate for `names` (SANs) in
    directory d, with the openssl CLI; returns (ca.pem, server.pem, server.key)."""
    def ssl_cmd(*args):
        p = subprocess.run(["openssl", *args], cwd=d, capture_output=True, text=True)
        check(p.returncode == 0, "setup: openssl %s failed: %s" % (args[0], clip(p.stderr)))

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    ssl_cmd("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=smtpprobe test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    ssl_cmd("req", "-new", *ec, "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=%s" % names[0])
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("subjectAltName=%s\n" % ",".join("DNS:" + n for n in names))
        f.write("basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
    ssl_cmd("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-set_serial", "0x%s" % os.urandom(8).hex(), "-days", "2",
            "-extfile", "server.ext", "-out", "server.pem")
    return tuple(os.path.join(d, n) for n in ("ca.pem", "server.pem", "server.key"))


class Run:
    """One finished run of the binary."""

    def __init__(self, cmd, rc, out, err, elapsed):
        self.cmd, self.rc, self.out, self.err, self.elapsed = cmd, rc, out, err, elapsed
        self._doc = None

    @property
    def text(self):
        return (self.out + self.err).decode("utf-8", "backslashreplace")

    def json_object(self):
        """stdout parsed as exactly one JSON object."""
        try:
            doc = json.loads(self.out.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise CaseFailure("stdout is not one JSON document (%s): %s" % (e, clip(self.out)))
        check(isinstance(doc, dict), "JSON document is not an object: %s" % clip(self.out))
        return doc

    @property
    def doc(self):
        """The probe report; checks the fields every report must have."""
        if self._doc is None:
            self._doc = self.json_object()
            # Every JSON run: the verdict's exit_status is the real one.
            eq(field(self._doc, "verdict.exit_status"), self.rc, "verdict.exit_status")
        return self._doc

    def expect_exit(self, want):
        check(self.rc == want, "exit %s, want %d; stderr: %s"
              % (self.rc, want, clip(self.last_err_line() or "(empty)")))

    def last_err_line(self):
        lines = self.err.decode("utf-8", "backslashreplace").strip().splitlines()
        return lines[-1] if lines else ""


class StuckListener:
    """A listener whose accept queue is full, so Linux drops new SYNs and a
    connect to it times out (instead of being refused)."""

    def __init__(self, host, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.fillers = []
        try:
            self.sock.bind((host, port))
            # Backlog 0: the queue holds one connection that is never accepted.
            self.sock.listen(0)
            for _ in range(2):
                c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                c.setblocking(False)
                c.connect_ex((host, port))
                self.fillers.append(c)
            # Prove it: a fresh connect must not complete.
            t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            t.settimeout(0.3)
            try:
                t.connect((host, port))
                raise CaseFailure("setup: could not fill the accept queue of %s:%d" % (host, port))
            except socket.timeout:
                pass
            finally:
                t.close()
        except BaseException:
            self.stop()
            raise

    def stop(self):
        for s in self.fillers + [self.sock]:
            s.close()


class Env:
    """Everything the cases share: PKI, ports, fakedns, and the per-case
    servers (stopped by end_case)."""

    def __init__(self, binary, tmp):
        self.binary = os.path.abspath(binary)
        self.tmp = tmp
        self.runs = []        # this case's runs, for -v output on failure
        self._cleanup = []    # this case's stop callables
        self.dns = None
        self._reserve = None
        self._reserve465 = None
        self.port = None
        self.implicit_addr = None

    # setup / teardown of the whole run

    def setup(self):
        self.make_pki()
        self.port = self.pick_smtp_port()
        self.implicit_addr = self.pick_implicit_addr()
        zone = dict(ZONE, **{"mx3.example.test": {"A": [self.implicit_addr]}})
        for _ in range(20):
            try:
                self.dns = FakeDNS(zone, "127.0.0.1", 0, log_path=os.path.join(self.tmp, "dns.log"))
                break
            except OSError:  # the UDP port was free but its TCP twin was not
                continue
        check(self.dns is not None, "setup: no free port for fakedns")
        self.dns.start()

    def close(self):
        self.end_case()
        if self.dns:
            self.dns.stop()
        for r in (self._reserve, self._reserve465):
            if r:
                r.close()

    def make_pki(self):
        self.ca, self.cert, self.key = make_pki(self.tmp, CERT_NAMES)

    def pick_smtp_port(self):
        """A port free on every loopback address the cases use. A socket
        stays bound to 127.0.0.1:P (never listening) for the whole run, so
        the kernel does not hand P out as an ephemeral port meanwhile."""
        for _ in range(50):
            r = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            r.bind(("127.0.0.1", 0))
            port = r.getsockname()[1]
            try:
                for a in SMTP_ADDRS:
                    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    try:
                        s.bind((a, port))
                    finally:
                        s.close()
            except OSError:
                r.close()
                continue
            self._reserve = r
            return port
        raise CaseFailure("setup: no port free on all of %s" % SMTP_ADDRS)

    def pick_implicit_addr(self):
        """An address where port 465 is free, held (bound, not listening)
        until the case that needs it: test runs may overlap on one machine."""
        for addr in ["127.0.0.3"] + ["127.0.4.%d" % i for i in range(1, 100)]:
            r = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                r.bind((addr, 465))
            except OSError:
                r.close()
                continue
            self._reserve465 = r
            return addr
        raise CaseFailure("setup: port 465 is taken on every candidate address")

    def take_465(self):
        """Release the hold on implicit_addr:465 so a server can listen there."""
        if self._reserve465:
            self._reserve465.close()
            self._reserve465 = None
        return self.implicit_addr

    # per case

    def begin_case(self):
        self.runs = []
        self.dns.clear()

    def end_case(self):
        while self._cleanup:
            self._cleanup.pop()()

    def defer(self, stop):
        self._cleanup.append(stop)

    def scenario(self, name, tls=True, **kw):
        """A fakesmtp scenario for mail host `name` (see fakesmtp's doc)."""
        sc = {"name": name}
        if tls:
            sc.update(cert=self.cert, key=self.key)
        sc.update(kw)
        return sc

    def smtp(self, addr, scenario, port=None):
        port = self.port if port is None else port
        log = os.path.join(self.tmp, "smtp-%s-%d.log" % (addr, port))
        try:
            srv = FakeSMTP(addr, port, scenario, log_path=log)
        except OSError as e:
            raise CaseFailure("setup: cannot listen on %s:%d: %s" % (addr, port, e))
        srv.start()
        self.defer(srv.stop)
        return srv

    def stuck(self, addr):
        s = StuckListener(addr, self.port)
        self.defer(s.stop)
        return s

    def log(self, srv):
        """The lines srv received, once the probe's connections are closed."""
        check(srv.wait_idle(2.0), "%s: the probe left a connection open" % srv.host)
        return list(srv.lines)

    def run(self, *args, json_out=True, port=None, extra_env=None, stdin=None, network=True):
        """Run the binary with the fake world's options (network=False: none
        of them, for offline modes such as --explain) and args."""
        cmd = [self.binary]
        if network:
            cmd += ["--dns-server", "127.0.0.1:%d" % self.dns.port,
                    "--ca-file", self.ca,
                    "--port", str(self.port if port is None else port),
                    "--timeout", str(TIMEOUT),
                    "--helo", HELO]
        if json_out:
            cmd.append("--json")
        cmd += list(args)
        env = dict(os.environ)
        env.pop("SMTPPROBE_PASSWORD", None)
        env.update(extra_env or {})
        t0 = time.monotonic()
        try:
            p = subprocess.run(cmd, input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
                               capture_output=True, timeout=RUN_LIMIT, env=env)
        except subprocess.TimeoutExpired as e:
            self.runs.append(Run(cmd, None, e.stdout or b"", e.stderr or b"", RUN_LIMIT))
            raise CaseFailure("probe still running after %d s; killed" % RUN_LIMIT)
        r = Run(cmd, p.returncode, p.stdout, p.stderr, time.monotonic() - t0)
        self.runs.append(r)
        return r


# --- the cases -------------------------------------------------------------

CASES = []


def case(name):
    def register(fn):
        CASES.append((name, fn))
        return fn
    return register


def ok_host(env):
    """mx1.example.test: PIPELINING + STARTTLS, alice exists, bob does not."""
    unknown = "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table"
    return env.scenario("mx1.example.test",
                        rcpt={"alice@ok.example.test": "250 2.1.5 Ok",
                              "bob@ok.example.test": unknown.format(rcpt="bob@ok.example.test")},
                        replies={"RCPT": unknown.format(rcpt="someone")})


def assert_accepted_tls(p, mode="starttls"):
    eq(p.get("outcome"), "accepted", "probe outcome")
    eq(field(p, "tls.mode"), mode, "tls.mode")
    eq(field(p, "tls.verified"), True, "tls.verified")
    eq(field(p, "tls.version"), "TLSv1.3", "tls.version")


def ends_with_quit(rest):
    check(rest and set(verbs(rest)) <= {"RSET", "QUIT"} and verbs(rest)[-1] == "QUIT",
          "after the last step the probe sent %s, want RSET and/or QUIT ending in QUIT" % clip(rest))


@case("a_accepted")
def _(env):
    srv = env.smtp("127.0.0.2", ok_host(env))
    r = env.run("alice@ok.example.test")
    r.expect_exit(0)
    doc = r.doc
    eq(field(doc, "target"), "alice@ok.example.test", "target")
    eq(field(doc, "domain"), "ok.example.test", "domain")
    eq(field(doc, "dns.status"), "ok", "dns.status")
    eq(field(doc, "dns.implicit_mx"), False, "dns.implicit_mx")
    eq(field(doc, "dns.mx.0.host"), "mx1.example.test", "dns.mx[0].host")
    eq(field(doc, "dns.mx.0.preference"), 10, "dns.mx[0].preference")
    eq(field(doc, "verdict.outcome"), "accepted", "verdict.outcome")
    p = probe_at(doc, "127.0.0.2", env.port)
    eq(p.get("host"), "mx1.example.test", "probe host")
    assert_accepted_tls(p)
    in_order(stages(p), ["banner", "ehlo", "starttls", "ehlo", "mail", "rcpt"], "stages")
    rcpt = last_step(p, "rcpt")
    eq(field(rcpt, "reply.code"), 250, "rcpt reply.code")
    eq(rcpt.get("category"), "success", "rcpt category")
    lines = env.log(srv)
    eq(srv.connections, 1, "connections to mx1")
    match_lines(lines, ["EHLO " + HELO, "STARTTLS", "EHLO " + HELO, MAIL_NULL,
                        "RCPT TO:<alice@ok.example.test>"])
    ends_with_quit(lines[5:])
    no_delivery(lines)


@case("b_rejected_unknown_user")
def _(env):
    srv = env.smtp("127.0.0.2", ok_host(env))
    r = env.run("bob@ok.example.test")
    r.expect_exit(77)
    doc = r.doc
    eq(field(doc, "verdict.outcome"), "rejected", "verdict.outcome")
    p = probe_at(doc, "127.0.0.2")
    eq(p.get("outcome"), "rejected", "probe outcome")
    rcpt = last_step(p, "rcpt")
    eq(field(rcpt, "reply.code"), 550, "rcpt reply.code")
    eq(field(rcpt, "reply.enhanced"), "5.1.1", "rcpt reply.enhanced")
    eq(rcpt.get("category"), "mailbox_unknown", "rcpt category")
    lines = env.log(srv)
    check("RCPT TO:<bob@ok.example.test>" in lines, "no RCPT for bob in %s" % clip(lines, 300))
    no_delivery(lines)


@case("c_greylisted")
def _(env):
    grey = ("450 4.2.0 <carol@grey.example.test>: Recipient address rejected: Greylisted, "
            "see http://postgrey.schweikert.ch/help/grey.example.test.html")
    srv = env.smtp("127.0.0.4", env.scenario("mx4.example.test", replies={"RCPT": grey}))
    r = env.run("carol@grey.example.test")
    r.expect_exit(75)
    doc = r.doc
    eq(field(doc, "verdict.outcome"), "tempfail", "verdict.outcome")
    p = probe_at(doc, "127.0.0.4")
    eq(p.get("outcome"), "tempfail", "probe outcome")
    rcpt = last_step(p, "rcpt")
    eq(field(rcpt, "reply.code"), 450, "rcpt reply.code")
    eq(field(rcpt, "reply.enhanced"), "4.2.0", "rcpt reply.enhanced")
    eq(rcpt.get("category"), "greylisted", "rcpt category")
    no_delivery(env.log(srv))


@case("d_connection_refused")
def _(env):
    # Nothing listens on 127.0.0.9:P, so the kernel answers RST.
    r = env.run("nobody@refused.example.test")
    r.expect_exit(69)
    doc = r.doc
    eq(field(doc, "verdict.outcome"), "unreachable", "verdict.outcome")
    p = probe_at(doc, "127.0.0.9")
    eq(p.get("outcome"), "refused", "probe outcome")
    eq(last_step(p, "connect").get("category"), "network", "connect category")


@case("e_connect_timeout")
def _(env):
    env.stuck("127.0.0.10")
    r = env.run("nobody@blackhole.example.test")
    r.expect_exit(69)
    doc = r.doc
    eq(field(doc, "verdict.outcome"), "unreachable", "verdict.outcome")
    p = probe_at(doc, "127.0.0.10")
    eq(p.get("outcome"), "timeout", "probe outcome")
    eq(last_step(p, "connect").get("category"), "network", "connect category")
    check(r.elapsed < 2 * TIMEOUT, "run took %.1f s, want < %d s (2 x --timeout)" % (r.elapsed, 2 * TIMEOUT))


@case("f_nxdomain")
def _(env):
    r = env.run("x@nxdomain.example.test")
    r.expect_exit(68)
    doc = r.doc
    eq(field(doc, "dns.status"), "nxdomain", "dns.status")
    eq(field(doc, "verdict.outcome"), "no_mail_host", "verdict.outcome")
    check(("nxdomain.example.test", "MX") in [q[:2] for q in env.dns.queries],
          "no MX query for nxdomain.example.test (queries: %s)" % env.dns.queries)
    contacted = [p for p in doc.get("probes", []) if p.get("outcome") != "skipped"]
    check(not contacted, "probes after NXDOMAIN: %s" % clip(contacted))


@case("g_null_mx")
def _(env):
    r = env.run("x@null.example.test")
    r.expect_exit(68)
    doc = r.doc
    eq(field(doc, "dns.status"), "null_mx", "dns.status")
    eq(field(doc, "verdict.outcome"), "no_mail_host", "verdict.outcome")
    contacted = [p for p in doc.get("probes", []) if p.get("outcome") != "skipped"]
    check(not contacted, "probes after a null MX: %s" % clip(contacted))


@case("h_implicit_mx")
def _(env):
    srv = env.smtp("127.0.0.11", env.scenario("amx.example.test"))
    r = env.run("dave@amx.example.test")
    r.expect_exit(0)
    doc = r.doc
    eq(field(doc, "dns.implicit_mx"), True, "dns.implicit_mx")
    eq(field(doc, "verdict.outcome"), "accepted", "verdict.outcome")
    p = probe_at(doc, "127.0.0.11")
    eq(p.get("host"), "amx.example.test", "probe host")
    assert_accepted_tls(p)
    check("RCPT TO:<dave@amx.example.test>" in env.log(srv), "the server saw no RCPT for dave")


@case("i_servfail")
def _(env):
    r = env.run("x@servfail.example.test")
    r.expect_exit(75)
    doc = r.doc
    eq(field(doc, "dns.status"), "servfail", "dns.status")
    eq(field(doc, "verdict.outcome"), "dns_error", "verdict.outcome")


@case("j_banner_554")
def _(env):
    srv = env.smtp("127.0.0.5", env.scenario("mx5.example.test",
                                             banner="554 mx5.example.test No SMTP service here"))
    r = env.run("x@banner.example.test")
    r.expect_exit(77)
    doc = r.doc
    eq(field(doc, "verdict.outcome"), "rejected", "verdict.outcome")
    p = probe_at(doc, "127.0.0.5")
    eq(p.get("outcome"), "rejected", "probe outcome")
    banner = last_step(p, "banner")
    eq(field(banner, "reply.code"), 554, "banner reply.code")
    one_of(banner.get("category"), {"service_unavailable", "policy"}, "banner category")
    # RFC 5321 3.1: after a 554 greeting the client sends only QUIT.
    eq(env.log(srv), ["QUIT"], "server log")


@case("k_starttls_injection")
def _(env):
    srv = env.smtp("127.0.0.6", env.scenario("mx6.example.test", inject="250 injected\r\n"))
    r = env.run("x@inject.example.test")
    r.expect_exit(76)
    doc = r.doc
    eq(field(doc, "verdict.outcome"), "protocol_error", "verdict.outcome")
    p = probe_at(doc, "127.0.0.6")
    eq(p.get("outcome"), "protocol_error", "probe outcome")
    lines = env.log(srv)
    match_lines(lines, ["EHLO " + HELO, "STARTTLS"])
    check(not {"MAIL", "RCPT"} & set(verbs(lines)), "dialogue went on after injection: %s" % clip(lines))


@case("l_starttls_required_not_offered")
def _(env):
    srv = env.smtp("127.0.0.7", env.scenario("mx7.example.test", tls=False))
    r = env.run("--starttls", "require", "x@plain.example.test")
    r.expect_exit(69)
    doc = r.doc
    one_of(field(doc, "verdict.outcome"), {"tls_error", "unreachable"}, "verdict.outcome")
    p = probe_at(doc, "127.0.0.7")
    eq(p.get("outcome"), "tls_error", "probe outcome")
    lines = env.log(srv)
    # Never a silent downgrade: no envelope in clear.
    check(not {"MAIL", "RCPT"} & set(verbs(lines)), "sent the envelope without TLS: %s" % clip(lines))


@case("m_implicit_tls_465")
def _(env):
    addr = env.take_465()
    srv = env.smtp(addr, env.scenario("mx3.example.test", implicit_tls=True), port=465)
    r = env.run("erin@tls.example.test", port=465)
    r.expect_exit(0)
    doc = r.doc
    eq(field(doc, "verdict.outcome"), "accepted", "verdict.outcome")
    p = probe_at(doc, addr, 465)
    assert_accepted_tls(p, mode="implicit")
    lines = env.log(srv)
    match_lines(lines, ["EHLO " + HELO, MAIL_NULL, "RCPT TO:<erin@tls.example.test>"])
    no_delivery(lines)


@case("n_verbose_transcript")
def _(env):
    srv = env.smtp("127.0.0.2", ok_host(env))
    r = env.run("-v", "alice@ok.example.test", json_out=False)
    r.expect_exit(0)
    out = r.text.splitlines()
    for needle in ("S: 220 mx1.example.test ESMTP fakesmtp",
                   "C: RCPT TO:<alice@ok.example.test>",
                   "[+0."):
        check(any(needle in l for l in out), "transcript has no line with %r" % needle)
    sent_data = [l for l in out if re.search(r"C:.*\b(DATA|BDAT)\b", l)]
    check(not sent_data, "transcript shows %s" % clip(sent_data))
    no_delivery(env.log(srv))


HOSTILE_BYTES = {b"\x1b": "ESC", b"\xe2\x80\xae": "U+202E", b"\x07": "BEL"}


@case("o_hostile_banner_escaped")
def _(env):
    banner = "220 mx8.example.test \x1b[2J\x1b]0;owned\x07 ESMTP \u202egnp.exe"
    env.smtp("127.0.0.8", env.scenario("mx8.example.test", banner=banner))
    modes = {"human": ([], False), "-v": (["-v"], False), "--json": ([], True)}
    for mode, (flags, as_json) in modes.items():
        env.dns.clear()
        r = env.run(*flags, "x@evil.example.test", json_out=as_json)
        r.expect_exit(0)
        if as_json:
            eq(field(r.doc, "verdict.outcome"), "accepted", "verdict.outcome")
        for stream, data in (("stdout", r.out), ("stderr", r.err)):
            for raw, name in HOSTILE_BYTES.items():
                at = data.find(raw)
                check(at < 0, "%s mode: raw %s on %s near %s"
                      % (mode, name, stream, clip(data[max(0, at - 30): at + 10])))


@case("p_domain_target")
def _(env):
    srv = env.smtp("127.0.0.2", ok_host(env))
    r = env.run("ok.example.test")
    r.expect_exit(0)
    doc = r.doc
    eq(field(doc, "verdict.outcome"), "accepted", "verdict.outcome")
    p = probe_at(doc, "127.0.0.2")
    eq(p.get("outcome"), "accepted", "probe outcome")
    check("rcpt" not in stages(p), "a DOMAIN probe has a rcpt step")
    lines = env.log(srv)
    match_lines(lines, ["EHLO " + HELO, "STARTTLS", "EHLO " + HELO, MAIL_NULL])
    check("RCPT" not in verbs(lines), "the probe sent RCPT for a DOMAIN: %s" % clip(lines))
    ends_with_quit(lines[4:])


def bad_input_case(name, args, status, one_line=True):
    """Rejected before any network use: status, an error on stderr (one
    line, unless a usage error may add a hint such as "Try --help"), no DNS."""
    @case(name)
    def _(env):
        r = env.run(*args, extra_env={"SMTPPROBE_PASSWORD": "not-a-real-password"})
        r.expect_exit(status)
        err = [l for l in r.err.decode("utf-8", "backslashreplace").splitlines() if l.strip()]
        if one_line:
            eq(len(err), 1, "number of stderr lines (%s)" % clip(err))
        else:
            check(err, "no error message on stderr")
        check(not env.dns.queries, "DNS was queried: %s" % env.dns.queries)


bad_input_case("q1_address_with_space", ["a b@example.test"], 65)
bad_input_case("q2_address_empty_domain", ["x@"], 65)
bad_input_case("q3_local_part_65_octets", ["a" * 65 + "@ok.example.test"], 65)
bad_input_case("q4_auth_with_starttls_never",
               ["--auth", "u", "--starttls", "never", "alice@ok.example.test"], 64, one_line=False)


# Beyond the brief's list: rules SPEC.md states outright.

@case("r_dns_timeout")
def _(env):
    r = env.run("x@drop.example.test")
    r.expect_exit(75)
    eq(field(r.doc, "dns.status"), "timeout", "dns.status")


@case("s_failover_after_refused")
def _(env):
    srv = env.smtp("127.0.0.2", env.scenario("mx1.example.test"))
    r = env.run("alice@failover.example.test")
    r.expect_exit(0)
    doc = r.doc
    eq(field(doc, "verdict.outcome"), "accepted", "verdict.outcome")
    eq(probe_at(doc, "127.0.0.9").get("outcome"), "refused", "mx9 probe outcome")
    eq(probe_at(doc, "127.0.0.2").get("outcome"), "accepted", "mx1 probe outcome")
    check("RCPT TO:<alice@failover.example.test>" in env.log(srv), "mx1 saw no RCPT")


@case("t_failover_after_4xx")
def _(env):
    grey = "450 4.2.0 <carol@greyfirst.example.test>: Recipient address rejected: Greylisted"
    env.smtp("127.0.0.4", env.scenario("mx4.example.test", replies={"RCPT": grey}))
    env.smtp("127.0.0.2", env.scenario("mx1.example.test"))
    r = env.run("carol@greyfirst.example.test")
    r.expect_exit(0)
    doc = r.doc
    eq(field(doc, "verdict.outcome"), "accepted", "verdict.outcome")
    eq(probe_at(doc, "127.0.0.4").get("outcome"), "tempfail", "mx4 probe outcome")
    eq(probe_at(doc, "127.0.0.2").get("outcome"), "accepted", "mx1 probe outcome")


@case("u_no_mx_no_address")
def _(env):
    r = env.run("x@noaddr.example.test")
    r.expect_exit(68)
    eq(field(r.doc, "verdict.outcome"), "no_mail_host", "verdict.outcome")


@case("v_mx_target_without_address")
def _(env):
    r = env.run("x@ghostmx.example.test")
    r.expect_exit(68)
    eq(field(r.doc, "verdict.outcome"), "no_mail_host", "verdict.outcome")


@case("w_explain_offline")
def _(env):
    r = env.run("--explain", "550 5.1.1 <bob@ok.example.test>: User unknown", network=False)
    r.expect_exit(0)
    doc = r.json_object()
    eq(doc.get("code"), 550, "code")
    eq(doc.get("enhanced"), "5.1.1", "enhanced")
    eq(doc.get("class"), "permanent", "class")
    eq(doc.get("category"), "mailbox_unknown", "category")
    check(not env.dns.queries, "--explain queried DNS: %s" % env.dns.queries)


# --- runner ----------------------------------------------------------------

def show_runs(env):
    for r in env.runs:
        print("    $ %s" % " ".join(clip(a, 80) for a in r.cmd))
        print("    exit %s after %.2f s" % (r.rc, r.elapsed))
        for name, data in (("out", r.out), ("err", r.err)):
            for line in data.decode("utf-8", "backslashreplace").splitlines()[:60]:
                print("    %s| %s" % (name, clip(line, 400)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", default="build/smtpprobe", help="smtpprobe to test")
    ap.add_argument("-k", dest="only", action="append", default=[],
                    help="run only cases whose name contains this (repeatable)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="after a FAIL, show the probe's command line and output")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args(argv)

    cases = [(n, f) for n, f in CASES if not args.only or any(k in n for k in args.only)]
    if args.list:
        for n, _ in cases:
            print(n)
        return 0

    passed = failed = 0
    if not os.access(args.binary, os.X_OK):
        print("FAIL setup: %s is not an executable file" % args.binary)
        print("0 passed, 1 failed")
        return 1

    threads_before = set(threading.enumerate())
    tmp = tempfile.mkdtemp(prefix="smtpprobe-it-")
    env = Env(args.binary, tmp)
    started = time.monotonic()
    try:
        try:
            env.setup()
        except (CaseFailure, OSError) as e:  # OSError: no openssl, no ports
            print("FAIL setup: %s" % e)
            failed += 1
            cases = []
        for name, fn in cases:
            env.begin_case()
            why = None
            try:
                fn(env)
            except CaseFailure as e:
                why = str(e)
            except Exception as e:  # a bug in the case itself still reports
                why = "error in the test: %s" % clip("".join(
                    traceback.format_exception_only(type(e), e)).strip(), 300)
            finally:
                try:
                    env.end_case()
                except Exception as e:
                    why = why or "cleanup failed: %r" % (e,)
            if why is None:
                passed += 1
                print("ok %s" % name, flush=True)
            else:
                failed += 1
                print("FAIL %s: %s" % (name, why), flush=True)
                if args.verbose:
                    show_runs(env)
    finally:
        env.close()
        if args.keep:
            print("# kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    # Every thread this run started must be gone: a leak here means a fake
    # server that does not stop, which would hang or poison later runs.
    left = [t.name for t in set(threading.enumerate()) - threads_before if t.is_alive()]
    if left:
        failed += 1
        print("FAIL cleanup: threads still running: %s" % ", ".join(left))
    print("# %.1f s" % (time.monotonic() - started))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
