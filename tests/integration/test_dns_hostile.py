#!/usr/bin/python3
"""Hostile and broken DNS: smtpprobe against rows 27-33 of
tests/hostile-inputs.md (plus row 40, the non-ASCII local part), with a
scripted resolver and SMTP server on the loopback network.

    tests/integration/test_dns_hostile.py --binary build/smtpprobe [-k NAME] [-v]

Prints "ok NAME", "FAIL NAME: why" or "skip NAME: known bug: ..." per case
and ends with "N passed, M failed"; exits 0 only when no case failed (a
known bug of the C code is a skip, not a failure).

Every case, through harness.py, also checks: no raw control byte, invalid
UTF-8 or bidi control on stdout/stderr of any run, none inside the JSON
strings either; no DATA/BDAT ever reached the fake server; every dialogue
ends with QUIT. Each case runs one variant per kind of bad answer, and a
failing variant names itself; every run's exit status, dns.status and wall
time are checked, the fast ones in all three output modes (--json,
summary, -v), the ones that wait for a DNS timeout in --json only.

The fake world (nothing outside 127.0.0.0/8 is contacted):
  fakedns          127.0.0.1:<free port>, UDP+TCP, zone ZONE below; names
                   bound to a Python function answer with hand-built bytes
                   (illegal labels, bad pointers, wrong IDs, 0 bytes);
                   its query log tells what the probe asked
  mx.dnsh.test     127.0.0.2 on a free port P (the probe gets --port P),
                   accepts every recipient
  RFC 1918         addresses are probed only inside a fresh network
                   namespace (unshare -n) holding nothing but lo, where a
                   connect to 10.x fails at once instead of leaving the
                   machine; the variant is skipped where unshare fails
"""

import base64
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
from fakedns import FakeDNS, decode_name, encode_name  # noqa: E402
from harness import (  # noqa: E402
    MODES, CaseFailure, CaseSkip, Env, Run, check, clip, deciding, eq, field,
    main as harness_main, make_registry, match_lines, probe_at, spawn, stages, verbs)

TIMEOUT = 2                     # --timeout: a DNS query, a connect, a reply
FAST = 2 * TIMEOUT              # a run that waits for no timeout ends before this
SLOW = 3 * TIMEOUT              # a run that waits for one DNS timeout ends before this
HELO = "probe.dnsh.test"
MX, MX_NAME = "127.0.0.2", "mx.dnsh.test"

# --- hand-built DNS messages (RFC 1035 4.1) ------------------------------------------

T_A, T_MX = 1, 15


def question_end(query):
    _, off = decode_name(query, 12)
    return off + 4


def reply(query, answers=b"", ancount=0, rcode=0, qid=None, question=None, tc=False):
    """A response to `query`: its ID, RD and question unless told otherwise."""
    qid0, qflags = struct.unpack("!HH", query[:4])
    flags = 0x8000 | 0x0400 | (qflags & 0x0100) | 0x0080 | rcode | (0x0200 if tc else 0)
    if question is None:
        question = query[12:question_end(query)]
    return (struct.pack("!6H", qid0 if qid is None else qid, flags, 1, ancount, 0, 0)
            + question + answers)


def raw_name(*labels):
    """Wire name from raw label bytes: anything goes, spaces and ESC included."""
    return b"".join(bytes([len(l)]) + l for l in labels) + b"\0"


def mx_rr(pref, target_wire, rdlength=None):
    """An MX record owned by the question name (pointer to offset 12)."""
    rdata = struct.pack("!H", pref) + target_wire
    n = len(rdata) if rdlength is None else rdlength
    return b"\xc0\x0c" + struct.pack("!HHIH", T_MX, 1, 60, n) + rdata


def answer_mx(*records):
    """A zone entry answering MX queries with raw (pref, target_wire) records."""
    def f(query, qname, qtype):
        if qtype != T_MX:
            return reply(query)  # NODATA
        return reply(query, b"".join(mx_rr(p, t) for p, t in records), len(records))
    return f


def answer_raw(make):
    """A zone entry answering every query with make(query) (None: no reply)."""
    return lambda query, qname, qtype: make(query)


GOOD_TARGET = encode_name(MX_NAME)

# Row 29: exchange names no host can have.
BAD_LABELS = {
    "space": b"bad host",
    "esc": b"mx\x1b[31m",
    "backslash": b"back\\slash",
}
# How the note must show each (escaped once: c-ares's RFC 1035 presentation
# "\\027" escaped by the probe's sanitiser, or decoded and shown as \x1b).
BAD_SHOWN = {
    "space": r'"bad host\.dnsh\.test"',
    "esc": r'"mx(\\\\027|\\x1b)\[31m\.dnsh\.test"',
    "backslash": r'"back(\\\\){1,2}slash\.dnsh\.test"',
}


def self_pointer_rr(query):
    """An MX record whose exchange name is a compression pointer to itself."""
    at = question_end(query) + 2 + 10 + 2   # owner pointer, fixed fields, preference
    return (b"\xc0\x0c" + struct.pack("!HHIH", T_MX, 1, 60, 4) + struct.pack("!H", 10)
            + struct.pack("!H", 0xC000 | at))


# Row 29: answers that do not parse. c-ares 1.18 calls the first two
# EBADRESP, the other three EBADNAME (see the known bug in the case).
GARBAGE = {
    # RDLENGTH says 200, the message ends after 16
    "rdlength_past_end": lambda q: reply(q, mx_rr(10, GOOD_TARGET, rdlength=200), 1),
    # the record is cut in the middle of its exchange name
    "cut_mid_record": lambda q: reply(q, mx_rr(10, GOOD_TARGET)[:-6], 1),
    # the exchange is a pointer far past the end of the message
    "pointer_past_end": lambda q: reply(q, mx_rr(10, b"\xc3\xff"), 1),
    # the exchange is a pointer to itself, for ever
    "pointer_loop": lambda q: reply(q, self_pointer_rr(q), 1),
    # ANCOUNT 3, one record present
    "ancount_lies": lambda q: reply(q, mx_rr(10, GOOD_TARGET), 3),
}


# Row 31: 300 MX records, preferences 100..399 in a shuffled order on the
# wire; only the lowest (m100) has an address. And 300 with one preference.
MANY = 300
_prefs = list(range(100, 100 + MANY))
random.Random(31).shuffle(_prefs)
MANY_MX = [[p, "m%03d.many.dnsh.test" % p] for p in _prefs]
TIES_MX = [[10, "t%03d.ties.dnsh.test" % i] for i in range(MANY)]
CAP = 16                        # bounds.h MX_HOSTS_CAP

ZONE = {
    "dnsh.test": {"MX": [[10, MX_NAME]]},
    MX_NAME: {"A": [MX]},
    # Row 27
    "nodata.dnsh.test": {"A": [MX]},                 # no MX: implicit MX
    "empty.dnsh.test": {"TXT": ["v=spf1 -all"]},     # no MX, no address
    "servfail.dnsh.test": "SERVFAIL",
    "drop.dnsh.test": "DROP",
    # Row 28
    "null.dnsh.test": {"MX": [[0, "."]]},
    "nullmixed.dnsh.test": {"MX": [[0, "."], [10, MX_NAME]]},
    # Row 29
    **{"bad-%s.dnsh.test" % k: answer_mx((10, raw_name(v, b"dnsh", b"test")))
       for k, v in BAD_LABELS.items()},
    "bad-mixed.dnsh.test": answer_mx((10, raw_name(BAD_LABELS["esc"], b"dnsh", b"test")),
                                     (20, GOOD_TARGET)),
    **{"garbage-%s.dnsh.test" % k.replace("_", "-"): answer_raw(f) for k, f in GARBAGE.items()},
    # Row 30
    "cname.dnsh.test": {"MX": [[10, "alias.dnsh.test"]]},
    "alias.dnsh.test": {"CNAME": MX_NAME},
    "literal.dnsh.test": {"MX": [[10, "127.0.0.2"], [20, MX_NAME]]},
    "dangling.dnsh.test": {"MX": [[10, "ghost.dnsh.test"], [20, MX_NAME]]},
    "private.dnsh.test": {"MX": [[10, "lo.dnsh.test"], [20, "any.dnsh.test"], [30, MX_NAME]]},
    "lo.dnsh.test": {"A": ["127.0.0.1"]},
    "any.dnsh.test": {"A": ["0.0.0.0"]},
    # Row 31
    "many.dnsh.test": {"MX": MANY_MX},
    "m100.many.dnsh.test": {"A": [MX]},
    "ties.dnsh.test": {"MX": TIES_MX},
    # Row 32 (the truncated answer has its own UDP-only resolver)
    "zero.dnsh.test": answer_raw(lambda q: b""),
    "wrongid.dnsh.test": answer_raw(
        lambda q: reply(q, mx_rr(10, GOOD_TARGET), 1, qid=struct.unpack("!H", q[:2])[0] ^ 0x5A5A)),
    "wrongname.dnsh.test": answer_raw(
        lambda q: reply(q, mx_rr(10, GOOD_TARGET), 1,
                        question=encode_name("other.dnsh.test") + struct.pack("!HH", T_MX, 1))),
    "wrongtype.dnsh.test": answer_raw(
        lambda q: reply(q, mx_rr(10, GOOD_TARGET), 1,
                        question=q[12:question_end(q) - 4] + struct.pack("!HH", T_A, 1))),
    # Row 33: a one-label exchange, which a resolver with search domains or
    # HOSTALIASES would rewrite.
    "search.dnsh.test": {"MX": [[10, "mxalias"]]},
    "mxalias": {"A": [MX]},
    # Row 40
    "ok.example.test": {"MX": [[10, MX_NAME]]},
}
# The names a probe may connect to under TLS.
CERT_NAMES = [MX_NAME, "nodata.dnsh.test", "alias.dnsh.test", "m100.many.dnsh.test", "mxalias"]
UTF8_RCPT = "j\u00f6s\u00e9@ok.example.test"


def make_env(binary, tmp):
    return Env(binary, tmp, ZONE, CERT_NAMES, [MX], TIMEOUT, HELO)


CASES, case = make_registry()


# --- helpers -----------------------------------------------------------------------

def mx(env, **kw):
    return env.smtp(MX, env.scenario(MX_NAME, **kw))


def variants(table, run_one):
    """run_one(name, arg) per row of table; a failing variant names itself."""
    for name, arg in table:
        try:
            run_one(name, arg)
        except CaseFailure as e:
            raise CaseFailure("[%s] %s" % (name, e))


def runs(env, *args, status, slow=False, **kw):
    """The probe in --json, summary and -v (--json only when slow: a run
    that waits for a timeout); each with exit `status` and within FAST (or
    SLOW). Returns {mode: Run}; "json" is always there."""
    modes = ("json",) if slow else ("json", "human", "v")
    out = env.run_modes(*args, status=status, modes=modes, **kw)
    for m, r in out.items():
        within(r, SLOW if slow else FAST)
    return out


def within(r, limit, at_least=None):
    check(r.elapsed < limit, "%s run took %.1f s, want < %.1f s" % (r.mode or "json", r.elapsed, limit))
    if at_least is not None:
        check(r.elapsed >= at_least, "run took %.2f s, want >= %.1f s: it did not wait for the "
              "timeout it reports" % (r.elapsed, at_least))


def policy_question(name, qtype):
    """A question asked beside the mail host lookups: the TLS policy's
    (the root SOA: does the resolver validate?; the hosts' TLSA names; the
    domain's MTA-STS and TLS-RPT records and the policy host's address)
    and the sender's identity's (the HELO name's addresses, the egress
    address's PTR and the PTR name's address)."""
    return ((name, qtype) == ("", "SOA") or qtype in ("TLSA", "PTR")
            or name.startswith(("_mta-sts.", "_smtp._tls.", "mta-sts."))
            or (name == HELO and qtype in ("A", "AAAA"))
            or name.endswith((".zen.spamhaus.org", ".b.barracudacentral.org", ".bl.spamcop.net")))


def asked(env, policy=False):
    """The questions fakedns saw, as (name, type), in order; the TLS
    policy's own only when policy is true."""
    return [(n, t) for n, t, _ in env.dns.queries if policy or not policy_question(n, t)]


def only_mx_asked(env, domain):
    """No fallback: the domain's MX was asked, nothing else at all (no A or
    AAAA for the domain itself, no other name)."""
    q = asked(env)
    check(q and set(q) == {(domain, "MX")},
          "questions asked: %s, want only %s MX (no fallback to A/AAAA)" % (clip(q, 300), domain))


def notes(run):
    """The probe's own notes in a -v transcript ("[+0.012s] -- * DNS ...")."""
    return [m.group(1) for m in (re.match(r"\[\+\d+\.\d+s\] .*?\* (.*)$", l)
                                 for l in run.out_text.splitlines()) if m]


def dns_notes(run):
    return [n for n in notes(run) if n.startswith("DNS ")]


def findings(doc, kind):
    """The findings of this kind (objects)."""
    found = field(doc, "findings")
    check(isinstance(found, list), "findings is not a list: %s" % clip(found))
    return [f for f in found if f.get("kind") == kind]


def dns_finding(doc, kind, host=None):
    """The finding of this kind about mail host `host` (its "host" field),
    with words rendered."""
    got = [f for f in findings(doc, kind) if host is None or f.get("host") == host]
    check(got, "no %s finding about %s: %s"
          % (kind, host, clip([(f.get("kind"), f.get("host")) for f in field(doc, "findings")], 400)))
    check(got[0].get("text") and got[0].get("remediation"),
          "the %s finding has no words: %s" % (kind, clip(got[0])))
    return got[0]


def mx_entry(doc, host):
    found = [m for m in field(doc, "dns.mx") if m.get("host") == host]
    check(found, "dns.mx has no %s (hosts: %s)" % (host, [m.get("host") for m in field(doc, "dns.mx")]))
    return found[0]


def no_contact(doc):
    contacted = [p for p in doc.get("probes", []) if p.get("outcome") != "skipped"]
    check(not contacted, "probes made: %s" % clip(contacted))


def dns_verdict(r, status, dns_status, outcome, error=None):
    """A run decided in DNS: exit status, dns.status, verdict, no probe."""
    r.expect_exit(status)
    doc = r.doc
    eq(field(doc, "dns.status"), dns_status, "dns.status")
    eq(field(doc, "verdict.outcome"), outcome, "verdict.outcome")
    eq(field(doc, "dns.implicit_mx"), False, "dns.implicit_mx")
    if error is not None:
        eq(field(doc, "dns.error"), error, "dns.error")
    no_contact(doc)
    return doc


def accepted_at(doc, host):
    p = probe_at(doc, MX)
    eq(p.get("host"), host, "host of the probe of %s" % MX)
    eq(p.get("outcome"), "accepted", "probe outcome")
    eq(field(doc, "verdict.outcome"), "accepted", "verdict.outcome")
    return p


def rcpt_seen(env, srv, rcpt):
    check(srv.wait_idle(2.0), "%s: the probe left a connection open" % srv.host)
    check(srv.conns, "%s had no connection" % srv.host)
    for i, c in enumerate(srv.conns):
        check("RCPT TO:<%s>" % rcpt in c.received,
              "connection %d saw no RCPT for %s: %s" % (i + 1, rcpt, clip(c.received)))


def cmd_with(env, dns_port, args):
    """The probe's arguments for a resolver other than env.dns (network=False
    in env.run, so the harness adds none of its own)."""
    return ["--dns-server", "127.0.0.1:%d" % dns_port, "--ca-file", env.ca, "--port", str(env.port),
            "--timeout", str(TIMEOUT), "--helo", HELO] + list(args)


# --- 27. NODATA, NXDOMAIN, SERVFAIL, timeout -------------------------------------------

@case("dns_27_nodata_nxdomain_servfail_timeout")
def _(env):
    def nodata(name, _):
        env.dns.clear()
        srv = mx(env)
        rcpt = "u@nodata.dnsh.test"
        rs = runs(env, rcpt, status=0)
        doc = rs["json"].doc
        eq(field(doc, "dns.status"), "ok", "dns.status")
        eq(field(doc, "dns.implicit_mx"), True, "dns.implicit_mx")
        eq([m.get("host") for m in field(doc, "dns.mx")], ["nodata.dnsh.test"], "dns.mx hosts")
        eq(field(doc, "dns.mx.0.implicit"), True, "dns.mx[0].implicit")
        eq(field(doc, "dns.mx.0.addresses"), [MX], "dns.mx[0].addresses")
        accepted_at(doc, "nodata.dnsh.test")
        check(("nodata.dnsh.test", "A") in asked(env), "no A query for the implicit MX: %s" % asked(env))
        check(any("implicit MX" in n for n in dns_notes(rs["v"])),
              "-v has no note about the implicit MX: %s" % clip(dns_notes(rs["v"])))
        rcpt_seen(env, srv, rcpt)
        srv.stop()

    def nodata_no_address(name, _):
        # No MX and no A/AAAA either: nothing to deliver to (68, nodata).
        env.dns.clear()
        rs = runs(env, "u@empty.dnsh.test", status=68)
        doc = rs["json"].doc
        eq(field(doc, "dns.status"), "nodata", "dns.status")
        eq(field(doc, "verdict.outcome"), "no_mail_host", "verdict.outcome")
        no_contact(doc)

    def decided_in_dns(domain, status, dns_status, outcome, error, slow=False):
        def one(name, _):
            env.dns.clear()
            rs = runs(env, "u@" + domain, status=status, slow=slow)
            r = rs["json"]
            dns_verdict(r, status, dns_status, outcome, error)
            only_mx_asked(env, domain)
            if slow:
                # The MX query's own bound (c-ares: two tries), not the
                # harness's kill: about one --timeout, well under SLOW.
                within(r, SLOW, at_least=TIMEOUT / 2)
        return one

    variants([
        ("nodata_implicit_mx", nodata),
        ("nodata_no_address", nodata_no_address),
        ("nxdomain", decided_in_dns("nxdomain.dnsh.test", 68, "nxdomain", "no_mail_host", "nxdomain")),
        ("servfail", decided_in_dns("servfail.dnsh.test", 75, "servfail", "dns_error", "servfail")),
        ("timeout", decided_in_dns("drop.dnsh.test", 75, "timeout", "dns_error", "dns_timeout",
                                   slow=True)),
    ], lambda name, f: f(name, None))


# --- 28. null MX ---------------------------------------------------------------------------

@case("dns_28_null_mx")
def _(env):
    # Alone: the domain takes no mail; nothing else is asked or probed.
    rs = runs(env, "u@null.dnsh.test", status=68)
    doc = dns_verdict(rs["json"], 68, "null_mx", "no_mail_host", "null_mx")
    eq(field(doc, "dns.mx"), [], "dns.mx")
    check("null MX" in doc["verdict"].get("summary", ""),
          "verdict.summary does not say null MX: %s" % clip(doc["verdict"].get("summary")))
    only_mx_asked(env, "null.dnsh.test")
    check(any("null MX" in n for n in dns_notes(rs["v"])), "-v has no note about the null MX")

    # Beside a real MX: a misconfiguration; the real host is still probed.
    env.dns.clear()
    srv = mx(env)
    rcpt = "u@nullmixed.dnsh.test"
    rs = runs(env, rcpt, status=0)
    doc = rs["json"].doc
    eq(field(doc, "dns.status"), "ok", "dns.status")
    eq(field(doc, "dns.null_mx_mixed"), True, "dns.null_mx_mixed")
    eq(field(doc, "dns.mx_total"), 2, "dns.mx_total")
    eq([m.get("host") for m in field(doc, "dns.mx")], [MX_NAME], "dns.mx hosts (no \".\")")
    dns_finding(doc, "null_mx_mixed")
    accepted_at(doc, MX_NAME)
    rcpt_seen(env, srv, rcpt)
    check(not [n for n, t in asked(env) if n in ("", ".") or t not in ("MX", "A", "AAAA")],
          "the null MX's \".\" was looked up: %s" % asked(env))
    check("null MX" in rs["human"].out_text, "the summary does not mention the null MX")
    check(any("null MX" in n for n in dns_notes(rs["v"])), "-v has no note about the null MX")


# --- 29. illegal exchange names, answers that do not parse --------------------------------

@case("dns_29_malformed_answers")
def _(env):
    def illegal(name, label):
        env.dns.clear()
        domain = "bad-%s.dnsh.test" % name
        rs = runs(env, "u@" + domain, status=75)
        doc = dns_verdict(rs["json"], 75, "error", "dns_error", "dns_malformed")
        eq(field(doc, "dns.malformed"), True, "dns.malformed")
        eq(field(doc, "dns.mx"), [], "dns.mx")
        eq(field(doc, "dns.mx_total"), 1, "dns.mx_total")
        # Not "no MX": no implicit-MX lookup of the domain, no lookup of
        # the bad name either.
        only_mx_asked(env, domain)
        check("malformed" in doc["verdict"].get("summary", "").lower(),
              "verdict.summary does not say malformed: %s" % clip(doc["verdict"].get("summary")))
        bad = [n for n in dns_notes(rs["v"]) if "not a valid host name" in n]
        check(len(bad) == 1, "-v has no note about the invalid exchange name: %s"
              % clip(dns_notes(rs["v"]), 300))
        check("malformed" in rs["human"].out_text, "the summary does not say malformed")
        check(re.search(BAD_SHOWN[name], bad[0]),
              "the note shows the name as %s, want it escaped once (%s)"
              % (clip(bad[0]), BAD_SHOWN[name]))

    def mixed(name, _):
        # A bad exchange beside a good one: the good one is probed, the
        # answer still reported malformed.
        env.dns.clear()
        srv = mx(env)
        rcpt = "u@bad-mixed.dnsh.test"
        rs = runs(env, rcpt, status=0)
        doc = rs["json"].doc
        eq(field(doc, "dns.status"), "ok", "dns.status")
        eq(field(doc, "dns.malformed"), True, "dns.malformed")
        eq([m.get("host") for m in field(doc, "dns.mx")], [MX_NAME], "dns.mx hosts")
        accepted_at(doc, MX_NAME)
        rcpt_seen(env, srv, rcpt)
        check(any("not a valid host name" in n for n in dns_notes(rs["v"])),
              "-v has no note about the invalid exchange name")
        srv.stop()

    def garbage(name, _):
        env.dns.clear()
        domain = "garbage-%s.dnsh.test" % name.replace("_", "-")
        rs = runs(env, "u@" + domain, status=75)
        doc = rs["json"].doc
        dns_verdict(rs["json"], 75, "error", "dns_error")
        only_mx_asked(env, domain)
        eq(field(doc, "dns.mx"), [], "dns.mx")
        eq(field(doc, "dns.error"), "dns_malformed", "dns.error")
        eq(field(doc, "dns.malformed"), True, "dns.malformed")
        check(any("malformed" in n for n in dns_notes(rs["v"])),
              "-v has no note saying malformed: %s" % clip(dns_notes(rs["v"])))

    variants([(k, v) for k, v in BAD_LABELS.items()], illegal)
    variants([("mixed", None)], mixed)
    variants([(k, None) for k in GARBAGE], garbage)


# --- 30. CNAME, IP literal, dangling, private addresses --------------------------------

# Run inside a fresh network namespace: nothing but lo, so a connect to
# an RFC 1918 address fails at once (ENETUNREACH) instead of leaving.
NETNS_CHILD = "--netns-child"
NETNS_ZONE = {
    "rfc1918.dnsh.test": {"MX": [[10, "lan.dnsh.test"], [20, "public.dnsh.test"]]},
    "lan.dnsh.test": {"A": ["10.1.2.3", "172.16.5.6", "192.168.7.8"]},
    "public.dnsh.test": {"A": ["198.51.100.7"]},
}


def netns_child(spec_path):
    """In the namespace: lo up, fakedns on 127.0.0.1:53, run the probe,
    print {rc, out, err, elapsed, queries} as JSON."""
    with open(spec_path) as f:
        spec = json.load(f)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    dns = FakeDNS(spec["zone"], "127.0.0.1", 53)
    dns.start()
    try:
        rc, out, err, elapsed, _ = spawn(spec["cmd"], dict(os.environ), None, spec["limit"])
    finally:
        dns.stop()
    json.dump({"rc": rc, "out": base64.b64encode(out).decode(), "err": base64.b64encode(err).decode(),
               "elapsed": elapsed, "queries": dns.queries}, sys.stdout)
    return 0


def run_in_netns(env, args):
    """The probe (--json) against NETNS_ZONE inside `unshare -n`; a harness
    Run with the usual hygiene checks, or CaseSkip when no namespace."""
    # util-linux and iproute2 are installed by scripts/install-deps.sh: a
    # missing tool is a broken setup, not a reason to skip.
    if not (shutil.which("unshare") and shutil.which("ip")):
        raise CaseFailure("setup: the RFC 1918 variant needs unshare and ip")
    # -n as root; -rn (a user namespace mapping us to root) otherwise.
    for unshare in (["unshare", "-n"], ["unshare", "-rn"]):
        t = subprocess.run(unshare + ["ip", "link", "set", "lo", "up"], capture_output=True)
        if t.returncode == 0:
            break
    else:
        raise CaseSkip("RFC 1918 variant: unshare -n fails here (%s)" % clip(t.stderr.strip()))
    cmd = [env.binary, "--dns-server", "127.0.0.1:53", "--ca-file", env.ca, "--port", str(env.port),
           "--timeout", str(TIMEOUT), "--helo", HELO, "--json"] + list(args)
    fd, spec_path = tempfile.mkstemp(dir=env.tmp, suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump({"zone": NETNS_ZONE, "cmd": cmd, "limit": 5 * TIMEOUT}, f)
    rc, out, err, _, _ = spawn(unshare + [sys.executable, os.path.abspath(__file__),
                                NETNS_CHILD, spec_path], dict(os.environ), None, 5 * TIMEOUT + 10)
    check(rc == 0, "the namespace runner failed (exit %s): %s" % (rc, clip(err, 400)))
    res = json.loads(out.decode())
    r = Run(cmd, res["rc"], base64.b64decode(res["out"]), base64.b64decode(res["err"]),
            res["elapsed"], mode="netns")
    r.queries = [(n, t) for n, t, _ in res["queries"]]
    env.runs.append(r)
    check(r.rc is not None, "probe still running after %d s; killed" % (5 * TIMEOUT))
    probs = r.problems(env.secrets)
    check(not probs, "; ".join(probs))
    return r


@case("dns_30_mx_target_warnings")
def _(env):
    def cname(name, _):
        srv = mx(env)
        rcpt = "u@cname.dnsh.test"
        rs = runs(env, rcpt, status=0)
        doc = rs["json"].doc
        m = mx_entry(doc, "alias.dnsh.test")
        eq(m.get("cname"), MX_NAME, "dns.mx[alias].cname")
        dns_finding(doc, "mx_cname", "alias.dnsh.test")
        accepted_at(doc, "alias.dnsh.test")
        rcpt_seen(env, srv, rcpt)
        check("CNAME" in rs["human"].out_text, "the summary does not show the CNAME")
        srv.stop()

    def literal(name, _):
        srv = mx(env)
        rcpt = "u@literal.dnsh.test"
        rs = runs(env, rcpt, status=0)
        doc = rs["json"].doc
        m = mx_entry(doc, "127.0.0.2")
        eq(m.get("ip_literal"), True, "dns.mx[127.0.0.2].ip_literal")
        eq(m.get("addresses"), [], "dns.mx[127.0.0.2].addresses (a literal is not a host)")
        dns_finding(doc, "mx_ip_literal", "127.0.0.2")
        accepted_at(doc, MX_NAME)
        # The literal itself was neither looked up nor connected to: the
        # one connection is the one to mx.dnsh.test.
        check(not [q for q in asked(env) if q[0] == "127.0.0.2"], "the literal was looked up: %s" % asked(env))
        eq([p.get("host") for p in field(doc, "probes")], [MX_NAME], "probed hosts")
        rcpt_seen(env, srv, rcpt)
        srv.stop()

    def dangling(name, _):
        srv = mx(env)
        rcpt = "u@dangling.dnsh.test"
        rs = runs(env, rcpt, status=0)
        doc = rs["json"].doc
        m = mx_entry(doc, "ghost.dnsh.test")
        eq(m.get("dangling"), True, "dns.mx[ghost].dangling")
        eq(m.get("address_error"), "no_address", "dns.mx[ghost].address_error")
        eq(m.get("addresses"), [], "dns.mx[ghost].addresses")
        dns_finding(doc, "mx_dangling", "ghost.dnsh.test")
        accepted_at(doc, MX_NAME)
        eq(mx_entry(doc, MX_NAME).get("dangling"), False, "dns.mx[mx].dangling")
        rcpt_seen(env, srv, rcpt)
        srv.stop()

    def private(name, _):
        # 127.0.0.1 and 0.0.0.0: both refuse on P (the harness holds
        # 127.0.0.1:P bound, never listening); mx.dnsh.test accepts.
        srv = mx(env)
        rcpt = "u@private.dnsh.test"
        rs = runs(env, rcpt, status=0)
        doc = rs["json"].doc
        for host, addr in (("lo.dnsh.test", "127.0.0.1"), ("any.dnsh.test", "0.0.0.0")):
            m = mx_entry(doc, host)
            eq(m.get("addresses"), [addr], "dns.mx[%s].addresses" % host)
            eq(m.get("private_address"), True, "dns.mx[%s].private_address" % host)
            dns_finding(doc, "mx_private_address", host)
        accepted_at(doc, MX_NAME)
        rcpt_seen(env, srv, rcpt)
        srv.stop()

    def rfc1918(name, _):
        r = run_in_netns(env, ["u@rfc1918.dnsh.test"])
        r.expect_exit(69)
        within(r, FAST)
        doc = r.doc
        eq(field(doc, "dns.status"), "ok", "dns.status")
        lan, pub = mx_entry(doc, "lan.dnsh.test"), mx_entry(doc, "public.dnsh.test")
        eq(sorted(lan.get("addresses") or []), ["10.1.2.3", "172.16.5.6", "192.168.7.8"],
           "dns.mx[lan].addresses")
        eq(lan.get("private_address"), True, "dns.mx[lan].private_address")
        eq(pub.get("private_address"), False, "dns.mx[public].private_address (198.51.100.7)")
        dns_finding(doc, "mx_private_address", "lan.dnsh.test")
        check(not [f for f in findings(doc, "mx_private_address")
                   if f.get("host") == "public.dnsh.test"],
              "an mx_private_address finding is about public.dnsh.test")
        eq(field(doc, "verdict.outcome"), "unreachable", "verdict.outcome")

    variants([("cname", cname), ("ip_literal", literal), ("dangling", dangling),
              ("loopback_and_unspecified", private), ("rfc1918_in_netns", rfc1918)],
             lambda name, f: f(name, None))


# --- 31. hundreds of MX records -----------------------------------------------------------

@case("dns_31_hundreds_of_mx")
def _(env):
    srv = mx(env)
    rcpt = "u@many.dnsh.test"
    rs = runs(env, rcpt, status=0)
    doc = rs["json"].doc
    eq(field(doc, "dns.status"), "ok", "dns.status")
    eq(field(doc, "dns.mx_total"), MANY, "dns.mx_total")
    eq(field(doc, "dns.mx_capped"), True, "dns.mx_capped")
    got = [(m.get("preference"), m.get("host")) for m in field(doc, "dns.mx")]
    want = [(p, "m%03d.many.dnsh.test" % p) for p in range(100, 100 + CAP)]
    eq(got, want, "dns.mx (the %d lowest preferences, sorted)" % CAP)
    accepted_at(doc, "m100.many.dnsh.test")
    rcpt_seen(env, srv, rcpt)
    # The answer does not fit in 512 octets: asked again over TCP.
    check(("many.dnsh.test", "MX", "tcp") in env.dns.queries,
          "the MX answer was never asked over TCP: %s" % clip(env.dns.queries, 300))
    kept = {h for _, h in want}
    looked_up = {n for n, t in asked(env) if t in ("A", "AAAA")}
    check(looked_up <= kept, "addresses looked up for hosts beyond the cap: %s"
          % clip(sorted(looked_up - kept)))
    check(any("cap" in n for n in dns_notes(rs["v"]) if n.startswith("DNS MX many")),
          "-v has no note saying the cap cut MX records: %s" % clip(dns_notes(rs["v"]), 300))
    check(re.search(r"%d MX records.*%d" % (MANY, CAP), rs["human"].out_text),
          "the summary does not say %d MX records were cut to %d" % (MANY, CAP))
    srv.stop()

    # All 300 with one preference: capped, and the 16 kept in a random
    # order. P(the same order in 5 runs | uniform shuffle) = (1/16!)^4.
    orders = []
    for i in range(5):
        env.dns.clear()
        r = env.run("u@ties.dnsh.test")
        r.expect_exit(68)   # none of the t### hosts has an address
        within(r, FAST)
        doc = r.doc
        eq(field(doc, "dns.mx_total"), MANY, "dns.mx_total")
        eq(field(doc, "dns.mx_capped"), True, "dns.mx_capped")
        hosts = [m.get("host") for m in field(doc, "dns.mx")]
        eq(len(hosts), CAP, "len(dns.mx)")
        eq({m.get("preference") for m in field(doc, "dns.mx")}, {10}, "preferences")
        eq(len(set(hosts)), CAP, "distinct hosts in dns.mx")
        orders.append(tuple(hosts))
    check(len(set(orders)) > 1, "5 runs gave the %d equal-preference hosts the same order: %s"
          % (CAP, clip(orders[0], 300)))


# --- 32. truncated, empty, mismatched replies ---------------------------------------------

@case("dns_32_bad_replies")
def _(env):
    def timed_out(name, domain):
        env.dns.clear()
        r = runs(env, "u@" + domain, status=75, slow=True)["json"]
        # c-ares drops these replies as not answering its query, and waits.
        dns_verdict(r, 75, "timeout", "dns_error", "dns_timeout")
        within(r, SLOW, at_least=TIMEOUT / 2)
        only_mx_asked(env, domain)

    def truncated(name, _):
        # TC set, and no TCP on the resolver's port to ask again.
        dns = FakeDNS({"trunc.dnsh.test": {"MX": MANY_MX}}, "127.0.0.1", 0, tcp=False)
        dns.start()
        env.defer(dns.stop)
        rs = {}
        for m in ("json", "human", "v"):
            flags, as_json = MODES[m]
            r = env.run(*cmd_with(env, dns.port, flags + ["u@trunc.dnsh.test"]),
                        json_out=as_json, network=False, mode=m)
            r.expect_exit(75)
            within(r, SLOW)
            rs[m] = r
        doc = rs["json"].doc
        st = field(doc, "dns.status")
        check(st in ("timeout", "error"), "dns.status %s, want timeout or error" % clip(st))
        dns_verdict(rs["json"], 75, st, "dns_error")
        check(any(n.startswith("DNS MX trunc.dnsh.test") for n in dns_notes(rs["v"])),
              "-v has no note about the failed MX query: %s" % clip(dns_notes(rs["v"])))
        mail_q = {q[:2] for q in dns.queries if not policy_question(*q[:2])}
        check(mail_q == {("trunc.dnsh.test", "MX")},
              "questions asked: %s" % clip(dns.queries, 300))

    variants([("truncated_no_tcp", None)], truncated)
    variants([("zero_byte_reply", "zero.dnsh.test"),
              ("wrong_query_id", "wrongid.dnsh.test"),
              ("question_name_differs", "wrongname.dnsh.test"),
              ("question_type_differs", "wrongtype.dnsh.test")], timed_out)


# --- 33. no search domains, no HOSTALIASES ---------------------------------------------------

@case("dns_33_no_search_no_hostaliases")
def _(env):
    aliases = os.path.join(env.tmp, "hostaliases")
    with open(aliases, "w") as f:
        f.write("mxalias %s\nsearch %s\n" % (MX_NAME, MX_NAME))
    hostile_env = {
        "HOSTALIASES": aliases,
        # c-ares (and glibc) take search domains and ndots from these when
        # set: what /etc/resolv.conf's "search" line would do, here.
        "LOCALDOMAIN": "searchdomain.dnsh.test",
        "RES_OPTIONS": "ndots:9 attempts:1",
    }
    srv = mx(env)
    rcpt = "u@search.dnsh.test"
    doc = runs(env, rcpt, status=0, extra_env=hostile_env)["json"].doc
    accepted_at(doc, "mxalias")
    eq(field(doc, "dns.mx.0.host"), "mxalias", "dns.mx[0].host")
    names = {n for n, _ in asked(env)}
    eq(names, {"search.dnsh.test", "mxalias"}, "names asked in 3 runs")
    eq(set(asked(env)), {("search.dnsh.test", "MX"), ("mxalias", "A"), ("mxalias", "AAAA")},
       "questions asked")
    # The TLSA name is built from the host as the MX names it, unexpanded.
    eq({q for q in asked(env, policy=True) if q[1] == "TLSA"},
       {("_%d._tcp.mxalias" % env.port, "TLSA")}, "TLSA questions asked")
    rcpt_seen(env, srv, rcpt)

    # A host given with -s is user input too: looked up as given.
    env.dns.clear()
    r = env.run("-s", "mxalias", rcpt, extra_env=hostile_env)
    r.expect_exit(0)
    within(r, FAST)
    accepted_at(r.doc, "mxalias")
    eq(set(asked(env)), {("mxalias", "A"), ("mxalias", "AAAA")}, "questions asked with -s mxalias")


# --- 40. non-ASCII local part ---------------------------------------------------------------

@case("input_40_utf8_local_part")
def _(env):
    # No SMTPUTF8 offered: the address never goes on the wire.
    srv = mx(env)
    rs = runs(env, UTF8_RCPT, status=77)
    doc = rs["json"].doc
    eq(field(doc, "target"), UTF8_RCPT, "target")
    eq(field(doc, "verdict.outcome"), "rejected", "verdict.outcome")
    p = probe_at(doc, MX)
    eq(p.get("outcome"), "rejected", "probe outcome")
    step = deciding(p)
    eq(step.get("error"), "smtputf8_unavailable", "deciding step's error (steps %s)" % stages(p))
    eq(step.get("category"), "protocol", "deciding step's category")
    check("SMTPUTF8" in (step.get("explanation") or ""),
          "the deciding step does not explain SMTPUTF8: %s" % clip(step.get("explanation")))
    check("smtputf8_missing" in (p.get("notes") or []), "probe notes %s lack smtputf8_missing"
          % clip(p.get("notes")))
    check("SMTPUTF8" not in (p.get("capabilities") or []), "capabilities claim SMTPUTF8")
    check("SMTPUTF8" in rs["human"].out_text, "the summary does not explain SMTPUTF8")
    check(srv.wait_idle(2.0), "the probe left a connection open")
    eq(len(srv.conns), 3, "connections (one per mode)")
    for i, c in enumerate(srv.conns):
        check(not {"MAIL", "RCPT"} & set(verbs(c.received)),
              "connection %d: MAIL/RCPT sent without SMTPUTF8: %s" % (i + 1, clip(c.received)))
        check(all(l.isascii() for l in c.received),
              "connection %d: non-ASCII sent: %s" % (i + 1, clip(c.received)))
        eq(c.received[-1:], ["QUIT"], "connection %d's last line" % (i + 1))
    srv.stop()

    # SMTPUTF8 offered: MAIL carries the parameter, the RCPT goes, accepted.
    ehlo = ["250-" + MX_NAME, "250-PIPELINING", "250-8BITMIME", "250-SMTPUTF8",
            "250-ENHANCEDSTATUSCODES", "250 STARTTLS"]
    srv = mx(env, replies={"EHLO": ehlo})
    rs = runs(env, UTF8_RCPT, status=0)
    doc = rs["json"].doc
    p = accepted_at(doc, MX_NAME)
    check("SMTPUTF8" in (p.get("capabilities") or []), "capabilities %s lack SMTPUTF8"
          % clip(p.get("capabilities")))
    check(srv.wait_idle(2.0), "the probe left a connection open")
    for i, c in enumerate(srv.conns):
        match_lines(c.received, ["EHLO " + HELO, "STARTTLS", "EHLO " + HELO,
                                 "MAIL FROM:<> SMTPUTF8", "RCPT TO:<%s>" % UTF8_RCPT],
                    "connection %d" % (i + 1))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [NETNS_CHILD]:
        return netns_child(argv[1])
    return harness_main(CASES, make_env, __doc__.split("\n\n")[0], argv)


if __name__ == "__main__":
    sys.exit(main())
