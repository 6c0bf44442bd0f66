"""Shared machinery of smtpprobe's integration suites (test_probe.py,
test_hostile.py): assertions, the fake world (fakedns + fakesmtp on the
loopback network), running the binary, and the case runner.

What every case gets without asking, so no case can forget it:
  - every run of the binary: no raw control byte on stdout or stderr (C0
    but \\n, DEL, C1 as UTF-8 or raw 0x80-0x9f, bidi embeddings/overrides
    U+202A-U+202E, isolates U+2066-U+2069), the output is valid UTF-8, and
    with --json every string in the document is free of control
    characters too; no secret registered with env.forbid() appears
  - every fake SMTP server a case started: no line starting DATA or BDAT
    ever reached it, and every connection in which the probe said anything
    ends with QUIT, unless the server closed first or sent 421 (a case
    relaxes this per server with env.smtp(..., quit="any", why=...))
  - every thread and server a case started is stopped when it ends

Known bugs: a case wraps the assertion that fails because of a bug in the
C code in `with env.known_bug("what is wrong"):` (or passes quit_bug= to
env.smtp). The rest of the case still runs; if everything else passes,
the case prints "skip NAME: known bug: ..." and does not fail the suite.
When the bug is fixed, the case prints "ok NAME (known bug ... no longer
reproduces ...)": remove the marker then.
"""

import argparse
import contextlib
import json
import os
import re
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
# Importing the fakes must not leave __pycache__ in the source tree.
sys.dont_write_bytecode = True
from fakedns import FakeDNS  # noqa: E402
from fakesmtp import FakeSMTP  # noqa: E402
from schema import schema_problems  # noqa: E402


# --- assertions ------------------------------------------------------------

class CaseFailure(Exception):
    pass


class CaseSkip(Exception):
    """The case cannot run here (a missing tool, not a bug): printed as
    "skip NAME: why" and not counted as a failure."""


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


def rcpt_step(probe, role="target"):
    """The RCPT TO step of this role (target, control, catch_all)."""
    found = [s for s in field(probe, "steps")
             if s.get("stage") == "rcpt" and s.get("role") == role]
    check(found, "no %s RCPT step (roles: %s)" % (
        role, [s.get("role") for s in field(probe, "steps") if s.get("stage") == "rcpt"]))
    return found[-1]


def recipients(probe):
    """probes[].recipients as {role: entry}, checking one entry per role."""
    out = {}
    for r in field(probe, "recipients"):
        check(r.get("role") not in out, "two %s recipients" % r.get("role"))
        out[r.get("role")] = r
    return out


def after_rcpts(lines):
    """The client lines after its last RCPT TO (the transaction's end)."""
    idx = [i for i, l in enumerate(lines) if l.upper().startswith("RCPT ")]
    check(idx, "no RCPT TO in %s" % clip(lines, 300))
    return lines[idx[-1] + 1:]


def deciding(probe):
    """The step that decided the probe (deciding_step), or the last step."""
    steps = field(probe, "steps")
    check(steps, "probe has no steps")
    i = probe.get("deciding_step")
    if isinstance(i, int) and 0 <= i < len(steps):
        return steps[i]
    return steps[-1]


def in_order(seq, wanted, what):
    """wanted appears in seq as a subsequence (other items may interleave)."""
    it = iter(seq)
    check(all(any(x == w for x in it) for w in wanted),
          "%s %s do not contain %s in order" % (what, seq, wanted))


def verbs(lines):
    return [l.split(" ", 1)[0].split(":", 1)[0].upper() for l in lines]


DELIVERY = re.compile(r"(?i)(DATA|BDAT)\b")


def no_delivery(lines):
    """A promise of smtpprobe(1): never DATA, BDAT or anything that could deliver."""
    bad = [l for l in lines if DELIVERY.match(l)]
    check(not bad, "probe sent %s" % clip(bad))


def match_lines(lines, expected, what="server log"):
    """lines starts with expected; an item is an exact string or a regex."""
    check(len(lines) >= len(expected), "%s is %s, want it to start %s"
          % (what, clip(lines, 300), [getattr(e, "pattern", e) for e in expected]))
    for i, (got, want) in enumerate(zip(lines, expected)):
        ok = want.fullmatch(got) if hasattr(want, "fullmatch") else got == want
        check(ok, "%s line %d is %s, want %s" % (what, i + 1, clip(repr(got)),
                                                  clip(repr(getattr(want, "pattern", want)))))


def ends_with_quit(rest):
    check(rest and set(verbs(rest)) <= {"RSET", "QUIT"} and verbs(rest)[-1] == "QUIT",
          "after the last step the probe sent %s, want RSET and/or QUIT ending in QUIT" % clip(rest))


# MAIL FROM with the null sender; ESMTP parameters may follow.
MAIL_NULL = re.compile(r"MAIL FROM:<>( .*)?")


# --- output hygiene ----------------------------------------------------------

def _dangerous_cp(cp):
    return ((cp < 0x20 and cp != 0x0A) or cp == 0x7F or 0x80 <= cp <= 0x9F
            or 0x202A <= cp <= 0x202E or 0x2066 <= cp <= 0x2069)


def output_problems(data):
    """What is wrong with bytes printed to a terminal: raw control bytes
    (see the module doc) and invalid UTF-8. [] when clean."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        bad = [i for i, b in enumerate(data) if (b < 0x20 and b != 0x0A) or 0x7F <= b <= 0x9F]
        where = bad[0] if bad else e.start
        return ["invalid UTF-8 at byte %d%s near %s"
                % (e.start, " and %d raw control bytes" % len(bad) if bad else "",
                   clip(data[max(0, where - 30): where + 10]))]
    for i, c in enumerate(text):
        if _dangerous_cp(ord(c)):
            return ["raw U+%04X at char %d near %s"
                    % (ord(c), i, clip(text[max(0, i - 30): i + 10]))]
    return []


def json_string_problems(doc):
    """Control characters inside the JSON document's strings (escaped as
    \\u001b on the wire, but raw again for every consumer that prints them)."""
    found = []

    def walk(v, path):
        if found:
            return
        if isinstance(v, str):
            for c in v:
                if _dangerous_cp(ord(c)) or c == "\n":
                    found.append("JSON string %s holds U+%04X: %s" % (path, ord(c), clip(v)))
                    return
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(k, path + ".<key>")
                walk(x, "%s.%s" % (path, k))
        elif isinstance(v, list):
            for i, x in enumerate(v):
                walk(x, "%s.%d" % (path, i))

    walk(doc, "$")
    return found


def base64_cores(secret):
    """The base64 text that must appear wherever `secret` is base64-encoded
    inside a longer string, whatever precedes or follows it: for each of
    the three alignments (0, 1, 2 bytes before it), the characters that
    depend on the secret's bytes only."""
    import base64 as b64
    secret = secret.encode() if isinstance(secret, str) else secret
    cores = []
    for k in range(3):
        enc = b64.b64encode(b"\0" * k + secret).decode()
        start = -(-8 * k // 6)                 # ceil: chars touched by the prefix
        end = 8 * (k + len(secret)) // 6       # floor: chars complete before the suffix
        cores.append(enc[start:end])
    return cores


# --- PKI -------------------------------------------------------------------

def openssl(d, *args):
    p = subprocess.run(["openssl", *args], cwd=d, capture_output=True, text=True)
    check(p.returncode == 0, "setup: openssl %s failed: %s" % (args[0], clip(p.stderr, 400)))
    return p


EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]


def server_ext(d, names, fname="server.ext"):
    path = os.path.join(d, fname)
    with open(path, "w") as f:
        f.write("subjectAltName=%s\n" % ",".join("DNS:" + n for n in names))
        f.write("basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
    return path


def make_pki(d, names):
    """A throwaway CA and one server certificate for `names` (SANs) in
    directory d, with the openssl CLI; returns (ca.pem, server.pem, server.key)."""
    openssl(d, "req", "-x509", *EC, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=smtpprobe test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl(d, "req", "-new", *EC, "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=%s" % names[0])
    server_ext(d, names)
    openssl(d, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-set_serial", "0x%s" % os.urandom(8).hex(), "-days", "2",
            "-extfile", "server.ext", "-out", "server.pem")
    return tuple(os.path.join(d, n) for n in ("ca.pem", "server.pem", "server.key"))


def make_leaf(d, stem, names, cn=None, ca=("ca.pem", "ca.key"), days=2, dates=None, utf8=False):
    """Another server certificate in d: signed by the CA in d (ca=None:
    self-signed), for SANs `names`, subject CN `cn` (default names[0]).
    dates=("20200101000000Z", "20200201000000Z") sets an explicit validity
    through `openssl ca` (OpenSSL 3.0's x509 cannot). Returns (pem, key)."""
    key, csr, pem = stem + ".key", stem + ".csr", stem + ".pem"
    subj = ["-subj", "/CN=%s" % (cn if cn is not None else names[0])]
    if utf8:
        subj = ["-utf8"] + subj
    ext = server_ext(d, names, stem + ".ext")
    if ca is None:
        openssl(d, "req", "-x509", *EC, "-keyout", key, "-out", pem, "-days", str(days), *subj,
                "-addext", "subjectAltName=%s" % ",".join("DNS:" + n for n in names),
                "-addext", "basicConstraints=critical,CA:FALSE")
        return os.path.join(d, pem), os.path.join(d, key)
    openssl(d, "req", "-new", *EC, "-keyout", key, "-out", csr, *subj)
    if dates is None:
        openssl(d, "x509", "-req", "-in", csr, "-CA", ca[0], "-CAkey", ca[1],
                "-set_serial", "0x%s" % os.urandom(8).hex(), "-days", str(days),
                "-extfile", ext, "-out", pem)
    else:
        db = os.path.join(d, stem + ".db")
        os.makedirs(db, exist_ok=True)
        open(os.path.join(db, "index.txt"), "w").close()
        with open(os.path.join(db, "serial"), "w") as f:
            f.write(os.urandom(8).hex() + "\n")
        cnf = os.path.join(d, stem + ".cnf")
        with open(cnf, "w") as f:
            f.write("[ca]\ndefault_ca = c\n[c]\ndatabase = {db}/index.txt\n"
                    "new_certs_dir = {db}\nserial = {db}/serial\ndefault_md = sha256\n"
                    "policy = p\nunique_subject = no\n[p]\ncommonName = supplied\n"
                    .format(db=db))
        openssl(d, "ca", "-batch", "-notext", "-config", cnf, "-cert", ca[0], "-keyfile", ca[1],
                "-in", csr, "-out", pem, "-startdate", dates[0], "-enddate", dates[1],
                "-extfile", ext)
    return os.path.join(d, pem), os.path.join(d, key)


# --- running the binary ------------------------------------------------------

class Run:
    """One finished run of the binary."""

    def __init__(self, cmd, rc, out, err, elapsed, maxrss_kb=None, mode=""):
        self.cmd, self.rc, self.out, self.err, self.elapsed = cmd, rc, out, err, elapsed
        self.maxrss_kb = maxrss_kb
        self.mode = mode
        self._doc = None

    @property
    def text(self):
        return (self.out + self.err).decode("utf-8", "backslashreplace")

    @property
    def out_text(self):
        return self.out.decode("utf-8", "backslashreplace")

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

    def docs_or_none(self):
        """--batch: one parsed document per stdout line (None for a line
        that does not parse)."""
        out = []
        for line in self.out.split(b"\n"):
            if not line:
                continue
            try:
                out.append(json.loads(line.decode("utf-8")))
            except (UnicodeDecodeError, ValueError):
                out.append(None)
        return out

    @property
    def docs(self):
        docs = self.docs_or_none()
        check(all(d is not None for d in docs), "a stdout line is not JSON: %s" % clip(self.out))
        return docs

    def expect_exit(self, want):
        check(self.rc == want, "%sexit %s, want %d; stderr: %s"
              % (self.mode + " mode: " if self.mode else "", self.rc, want,
                 clip(self.last_err_line() or "(empty)")))

    def last_err_line(self):
        lines = self.err.decode("utf-8", "backslashreplace").strip().splitlines()
        return lines[-1] if lines else ""

    def problems(self, secrets=()):
        """Output hygiene (see the module doc); [] when clean."""
        found = []
        for name, data in (("stdout", self.out), ("stderr", self.err)):
            found += ["%s: %s" % (name, p) for p in output_problems(data)]
            for secret, what in secrets:
                at = data.find(secret)
                if at >= 0:
                    found.append("%s holds %s at byte %d" % (name, what, at))
        if "--batch" in self.cmd:
            # NDJSON: every line one document, each held to the same rules.
            for i, doc in enumerate(self.docs_or_none()):
                if doc is None:
                    found.append("stdout line %d is not a JSON document" % (i + 1))
                    continue
                found += ["line %d: %s" % (i + 1, p) for p in json_string_problems(doc)]
                found += ["line %d: %s" % (i + 1, p) for p in schema_problems(doc)]
        elif "--json" in self.cmd:
            try:
                doc = json.loads(self.out.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                doc = None  # the case's own .doc reports that
            found += json_string_problems(doc)
            # Every JSON document conforms to doc/smtpprobe.schema.json.
            if doc is not None:
                found += schema_problems(doc)
        return ["%s mode: %s" % (self.mode, p) if self.mode else p for p in found]


def vm_hwm_kb(pid):
    """Peak resident memory so far of a live process (Linux), or None."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def spawn(cmd, env, stdin=None, limit=30.0, sample_memory=False):
    """Run cmd with stdout and stderr on pipes; returns (rc, out, err,
    elapsed, peak_kb), rc None when killed at `limit` seconds. peak_kb
    (sample_memory only) is the highest VmHWM seen while it ran, sampled
    every 20 ms: only meaningful for a run that lasts."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    if stdin is not None:
        try:
            p.stdin.write(stdin)
        except OSError:
            pass
        p.stdin.close()
    ofd, efd = p.stdout.fileno(), p.stderr.fileno()
    bufs = {ofd: [], efd: []}
    sel = selectors.DefaultSelector()
    for fd in (ofd, efd):
        sel.register(fd, selectors.EVENT_READ)
    killed = False
    peak = None
    try:
        while sel.get_map():
            left = limit - (time.monotonic() - t0)
            if left <= 0:
                p.kill()
                killed = True
                left = 5.0
            if sample_memory:
                hwm = vm_hwm_kb(p.pid)
                if hwm is not None:
                    peak = max(peak or 0, hwm)
            for key, _ in sel.select(min(left, 0.02 if sample_memory else 1.0)):
                chunk = os.read(key.fd, 65536)
                if chunk:
                    bufs[key.fd].append(chunk)
                else:
                    sel.unregister(key.fd)
    finally:
        sel.close()
    try:
        p.wait(max(0.1, limit - (time.monotonic() - t0)))
    except subprocess.TimeoutExpired:
        p.kill()
        killed = True
        p.wait()
    p.stdout.close()
    p.stderr.close()
    elapsed = time.monotonic() - t0
    return (None if killed else p.returncode, b"".join(bufs[ofd]),
            b"".join(bufs[efd]), elapsed, peak)


# mode name -> (flags, json_out)
MODES = {"json": ([], True), "human": ([], False), "v": (["-v"], False)}


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


# --- the fake world ------------------------------------------------------------

class Env:
    """Everything the cases share: PKI, ports, fakedns, and the per-case
    servers (stopped, and their logs checked, when the case ends).

      zone          fakedns zone (see fakedns's doc)
      cert_names    SANs of the default server certificate (first = CN)
      smtp_addrs    IPv4 loopback addresses the cases listen on, all on one
                    common free port (self.port)
      v6            also keep self.port free on ::1
      implicit_host a name in the zone whose A record is rewritten to the
                    address found free for port 465 (see take_465)
      timeout       --timeout given to the probe
    """

    def __init__(self, binary, tmp, zone, cert_names, smtp_addrs, timeout, helo,
                 implicit_host=None, v6=False):
        self.binary = os.path.abspath(binary)
        self.tmp = tmp
        self.zone = dict(zone)
        self.cert_names = cert_names
        self.smtp_addrs = smtp_addrs
        self.timeout = timeout
        self.helo = helo
        self.implicit_host = implicit_host
        self.v6 = v6
        self.runs = []        # this case's runs, for -v output on failure
        self.servers = []     # this case's fake SMTP servers
        self.secrets = []     # (bytes, what) that must never be printed
        self.bugs = []        # (reason, observed) known bugs seen in this case
        self.stale = []       # known-bug markers that did not trigger
        self._cleanup = []    # this case's stop callables
        self.dns = None
        self._reserve = None
        self._reserve465 = None
        self.port = None
        self.implicit_addr = None

    @property
    def run_limit(self):
        """A probe run longer than this is killed: a hang."""
        return 5 * self.timeout

    # setup / teardown of the whole run

    def setup(self):
        self.make_pki()
        self.port = self.pick_smtp_port()
        zone = dict(self.zone)
        if self.implicit_host:
            self.implicit_addr = self.pick_implicit_addr()
            zone[self.implicit_host] = {"A": [self.implicit_addr]}
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
        self.ca, self.cert, self.key = make_pki(self.tmp, self.cert_names)

    def pick_smtp_port(self):
        """A port free on every loopback address the cases use. A socket
        stays bound to 127.0.0.1:P (never listening) for the whole run, so
        the kernel does not hand P out as an ephemeral port meanwhile."""
        addrs = [(socket.AF_INET, a) for a in self.smtp_addrs]
        if self.v6:
            addrs.append((socket.AF_INET6, "::1"))
        for _ in range(50):
            r = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            r.bind(("127.0.0.1", 0))
            port = r.getsockname()[1]
            try:
                for fam, a in addrs:
                    s = socket.socket(fam, socket.SOCK_STREAM)
                    try:
                        s.bind((a, port))
                    finally:
                        s.close()
            except OSError:
                r.close()
                continue
            self._reserve = r
            return port
        raise CaseFailure("setup: no port free on all of %s" % [a for _, a in addrs])

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

    def free_465(self, avoid=()):
        """Any loopback address where port 465 is free right now (for a
        case that probes it with -s ADDR and needs no DNS name)."""
        for i in range(1, 200):
            addr = "127.0.5.%d" % i
            if addr in avoid:
                continue
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.bind((addr, 465))
                return addr
            except OSError:
                continue
            finally:
                s.close()
        raise CaseFailure("setup: port 465 is taken on every candidate address")

    # per case

    def begin_case(self):
        self.runs = []
        self.servers = []
        self.secrets = []
        self.bugs = []
        self.stale = []
        self.dns.clear()

    def end_case(self):
        while self._cleanup:
            self._cleanup.pop()()

    def defer(self, stop):
        self._cleanup.append(stop)

    @contextlib.contextmanager
    def known_bug(self, reason, racy=False):
        """A failure inside the block is a known bug of the C code: noted,
        and the case goes on (see the module doc). racy: the bug is a race
        that may not show in every run, so its absence proves nothing."""
        try:
            yield
        except CaseFailure as e:
            self.bugs.append((reason, str(e)))
        else:
            self.stale.append(("racy known bug %r did not show this time" if racy else
                               "known bug %r no longer reproduces: remove the marker") % reason)

    def forbid(self, secret, what):
        """Fail any run whose stdout or stderr holds `secret`."""
        self.secrets.append((secret.encode() if isinstance(secret, str) else secret, what))

    def scenario(self, name, tls=True, **kw):
        """A fakesmtp scenario for mail host `name` (see fakesmtp's doc)."""
        sc = {"name": name}
        if tls:
            sc.update(cert=self.cert, key=self.key)
        sc.update(kw)
        return sc

    def smtp(self, addr, scenario, port=None, quit="required", why=None, quit_bug=None):
        """Start a fake SMTP server for this case. quit="any" (with `why`)
        lifts the rule that the probe ends every dialogue with QUIT, for
        cases where closing at once is right (a dead or hostile stream);
        quit_bug marks a violation of that rule as a known bug."""
        check(quit in ("required", "any"), "bad quit rule %r" % quit)
        check(quit == "required" or why, "quit=%r needs a why" % quit)
        port = self.port if port is None else port
        log = os.path.join(self.tmp, "smtp-%s-%d.log" % (addr, port))
        try:
            srv = FakeSMTP(addr, port, scenario, log_path=log)
        except OSError as e:
            raise CaseFailure("setup: cannot listen on %s:%d: %s" % (addr, port, e))
        srv.quit_rule, srv.quit_why, srv.quit_bug = quit, why, quit_bug
        srv.start()
        self.defer(srv.stop)
        self.servers.append(srv)
        return srv

    def stuck(self, addr):
        s = StuckListener(addr, self.port)
        self.defer(s.stop)
        return s

    def log(self, srv):
        """The lines srv received, once the probe's connections are closed."""
        check(srv.wait_idle(2.0), "%s: the probe left a connection open" % srv.host)
        return list(srv.lines)

    def verify_servers(self):
        """The rules every case's servers obey (see the module doc)."""
        for srv in self.servers:
            srv.wait_idle(2.0)
            srv.stop()
            for i, c in enumerate(srv.conns):
                bad = [l for l in c.received if DELIVERY.match(l)]
                check(not bad, "%s connection %d: the probe sent %s" % (srv.host, i + 1, clip(bad)))
            for i, c in enumerate(srv.conns):
                lines = c.received
                if not lines or verbs(lines)[-1] == "QUIT" or c.server_closed or c.sent_421:
                    continue
                if srv.quit_rule == "any":
                    continue
                events = [e for cid, e in srv.events if cid == i]
                msg = ("%s connection %d: the probe's last line is %s, not QUIT (the server "
                       "neither closed first nor sent 421; its events: %s)"
                       % (srv.host, i + 1, clip(repr(lines[-1])), clip(events)))
                if srv.quit_bug:
                    self.bugs.append((srv.quit_bug, msg))
                else:
                    raise CaseFailure(msg)
            if srv.quit_bug and not any(r == srv.quit_bug for r, _ in self.bugs):
                self.stale.append("known bug %r no longer reproduces: remove the marker"
                                  % srv.quit_bug)

    def command(self, args, json_out=True, port=None, network=True, timeout=None):
        cmd = [self.binary]
        if network:
            cmd += ["--dns-server", "127.0.0.1:%d" % self.dns.port,
                    "--ca-file", self.ca]
            if port is not False:
                cmd += ["--port", str(self.port if port is None else port)]
            cmd += ["--timeout", str(timeout or self.timeout), "--helo", self.helo]
        if json_out:
            cmd.append("--json")
        return cmd + list(args)

    def run(self, *args, json_out=True, port=None, extra_env=None, stdin=None, network=True,
            clean=True, timeout=None, mode="", measure_memory=False):
        """Run the binary with the fake world's options (network=False: none
        of them, for offline modes such as --explain; port=False: no --port)
        and args. clean=False: the caller checks r.problems() itself.
        measure_memory: r.maxrss_kb is the probe's peak resident memory
        (VmHWM), sampled while it runs, so the case must make it last (a
        silent host); the rusage Python gets from wait4 is no use: it counts
        Python's own memory from before the exec."""
        cmd = self.command(args, json_out, port, network, timeout)
        env = dict(os.environ)
        env.pop("SMTPPROBE_PASSWORD", None)
        env.pop("NO_COLOR", None)
        env.update(extra_env or {})
        limit = 5 * (timeout or self.timeout)
        rc, out, err, elapsed, rss = spawn(cmd, env, stdin, limit, measure_memory)
        if measure_memory:
            check(rss is not None, "could not read the probe's VmHWM from /proc")
        r = Run(cmd, rc, out, err, elapsed, rss, mode)
        self.runs.append(r)
        check(rc is not None, "%sprobe still running after %d s; killed"
              % (mode + " mode: " if mode else "", limit))
        if clean:
            probs = r.problems(self.secrets)
            check(not probs, "; ".join(probs))
        return r

    def run_modes(self, *args, status, modes=("json", "human", "v"), **kw):
        """Run once per output mode (--json, the summary, -v), each with the
        same exit status (status=None: the caller checks); returns {mode: Run}."""
        runs = {}
        for m in modes:
            flags, as_json = MODES[m]
            r = self.run(*flags, *args, json_out=as_json, mode=m, **kw)
            if status is not None:
                r.expect_exit(status)
            runs[m] = r
        return runs


# --- the runner ----------------------------------------------------------------

def show_runs(env):
    for r in env.runs:
        print("    $ %s" % " ".join(clip(a, 80) for a in r.cmd))
        print("    exit %s after %.2f s" % (r.rc, r.elapsed))
        for name, data in (("out", r.out), ("err", r.err)):
            for line in data.decode("utf-8", "backslashreplace").splitlines()[:60]:
                print("    %s| %s" % (name, clip(line, 400)))


def make_registry():
    """(CASES, case): a list and the @case("name") decorator filling it."""
    cases = []

    def case(name):
        def register(fn):
            cases.append((name, fn))
            return fn
        return register

    return cases, case


def main(cases, make_env, description, argv=None):
    """Parse the command line, run the cases, print "ok NAME", "FAIL NAME:
    why" or "skip NAME: known bug: ..." per case and "N passed, M failed"
    last; exit status 0 only when nothing failed (known bugs do not)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--binary", default="build/smtpprobe", help="smtpprobe to test")
    ap.add_argument("-k", dest="only", action="append", default=[],
                    help="run only cases whose name contains this (repeatable)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="after a FAIL or skip, show the probe's command lines and output")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args(argv)

    selected = [(n, f) for n, f in cases if not args.only or any(k in n for k in args.only)]
    if args.list:
        for n, _ in selected:
            print(n)
        return 0

    passed = failed = skipped = 0
    if not os.access(args.binary, os.X_OK):
        print("FAIL setup: %s is not an executable file" % args.binary)
        print("0 passed, 1 failed")
        return 1

    threads_before = set(threading.enumerate())
    tmp = tempfile.mkdtemp(prefix="smtpprobe-it-")
    env = make_env(args.binary, tmp)
    started = time.monotonic()
    try:
        try:
            env.setup()
        except (CaseFailure, OSError) as e:  # OSError: no openssl, no ports
            print("FAIL setup: %s" % e)
            failed += 1
            selected = []
        for name, fn in selected:
            env.begin_case()
            why = skip = None
            t0 = time.monotonic()
            try:
                fn(env)
            except CaseFailure as e:
                why = str(e)
            except CaseSkip as e:
                skip = str(e)
            except Exception as e:  # a bug in the case itself still reports
                why = "error in the test: %s" % clip("".join(
                    traceback.format_exception_only(type(e), e)).strip(), 300)
            try:
                env.verify_servers()
            except CaseFailure as e:
                why = why or str(e)
            except Exception as e:
                why = why or "error in the test: %r" % (e,)
            finally:
                try:
                    env.end_case()
                except Exception as e:
                    why = why or "cleanup failed: %r" % (e,)
            took = time.monotonic() - t0
            if why is not None:
                failed += 1
                print("FAIL %s: %s" % (name, why), flush=True)
            elif skip is not None:
                skipped += 1
                print("skip %s: %s" % (name, skip), flush=True)
            elif env.bugs:
                skipped += 1
                seen = {}
                for reason, what in env.bugs:
                    seen.setdefault(reason, []).append(what)
                for reason, whats in seen.items():
                    more = " (and %d more like it)" % (len(whats) - 1) if len(whats) > 1 else ""
                    print("skip %s: known bug: %s [observed: %s%s]" % (name, reason, whats[0], more),
                          flush=True)
            else:
                passed += 1
                note = "".join(" (%s)" % r for r in env.stale)
                print("ok %s%s" % (name, note), flush=True)
            if args.verbose and (why is not None or env.bugs):
                show_runs(env)
            if took > 3 * env.timeout + 5:
                print("# %s took %.1f s" % (name, took), flush=True)
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
    if skipped:
        print("# %d skipped (listed above)" % skipped)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1
