#!/usr/bin/python3
"""Integration test for smtpprobe: drives the real binary against scripted
DNS and SMTP servers on the loopback network and checks exit statuses and
JSON fields against smtpprobe(1) and smtpprobe-json(5).

    tests/integration/test_probe.py --binary build/smtpprobe [-k NAME] [-v]

Prints "ok NAME", "FAIL NAME: why" or "skip NAME: known bug: ..." per case
and ends with "N passed, M failed"; exits 0 only when no case failed.
The machinery (the fake world, running the binary, the checks every case
gets for free: output hygiene, no DATA/BDAT, QUIT at the end) is in
harness.py; test_hostile.py holds the tests/hostile-inputs.md cases.

Layout of the fake world (all on 127.0.0.0/8, nothing else is contacted):
  fakedns          127.0.0.1:<free port>, UDP+TCP, zone ZONE below
  fake SMTP hosts  127.0.0.2 ... 127.0.0.15, all on one common free port P
                   (the probe gets --port P); each case starts the servers it
                   needs and stops them when it ends
  implicit TLS     127.0.0.3:465 (the tests run as root); when another run
                   holds that, the first free 127.0.4.x:465, and mx3's A
                   record follows
  TLS              a throwaway CA and one server certificate whose SANs name
                   every mail host in ZONE, made with the openssl CLI

To add a case: write a function taking `env`, decorate it with @case("name"),
start servers with env.smtp(...), run the probe with env.run(...), and
assert with check()/eq(); see the existing cases and harness.py.
"""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# Importing the harness must not leave __pycache__ in the source tree.
sys.dont_write_bytecode = True
from harness import (  # noqa: E402,F401  (re-exported for older importers)
    MAIL_NULL, CaseFailure, Env, check, clip, ends_with_quit, eq, field, in_order,
    last_step, main as harness_main, make_pki, make_registry, match_lines, no_delivery,
    one_of, probe_at, stages, verbs, rcpt_step, recipients, after_rcpts, CaseSkip,
    StuckListener)

TIMEOUT = 3                     # --timeout given to the probe, seconds
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
    # come from the second (smtpprobe(1), VERDICT: a connection failure or 4xx moves on).
    "failover.example.test": {"MX": [[10, "mx9.example.test"], [20, "mx1.example.test"]]},
    "greyfirst.example.test": {"MX": [[10, "mx4.example.test"], [20, "mx1.example.test"]]},
    # Neither MX nor address: nothing to deliver to.
    "noaddr.example.test": {"TXT": ["v=spf1 -all"]},
    # MX whose target does not exist.
    "ghostmx.example.test": {"MX": [[10, "ghost.example.test"]]},
    # Two MX hosts for the cases that compare probes (reasoning.c): both
    # down, disagreeing, both refusing the sending IP.
    "mx12.example.test": {"A": ["127.0.0.12"]},
    "mx13.example.test": {"A": ["127.0.0.13"]},
    "down.example.test": {"MX": [[10, "mx12.example.test"], [20, "mx13.example.test"]]},
    "split.example.test": {"MX": [[10, "mx12.example.test"], [20, "mx13.example.test"]]},
    "listed.example.test": {"MX": [[10, "mx12.example.test"], [20, "mx13.example.test"]]},
    # DNS records to fix: an MX target that is an alias (RFC 2181 10.3),
    # an MX that names an address instead of a host (RFC 5321 5.1).
    "cname.example.test": {"MX": [[10, "alias.example.test"]]},
    "alias.example.test": {"CNAME": "mx14.example.test"},
    "mx14.example.test": {"A": ["127.0.0.14"]},
    "literal.example.test": {"MX": [[10, "127.0.0.15"], [20, "mx1.example.test"]]},
    "literalonly.example.test": {"MX": [[10, "127.0.0.15"]]},
    # Port 25 silent (a full accept queue) on the real port 25, beside 587
    # answering (blocked25) or silent too (down25): the connect-only check.
    "blocked25.example.test": {"MX": [[10, "mx16.example.test"]]},
    "mx16.example.test": {"A": ["127.0.0.16"]},
    "down25.example.test": {"MX": [[10, "mx17.example.test"]]},
    "mx17.example.test": {"A": ["127.0.0.17"]},
}
# Every name with an address (or an alias) gets a SAN, so any mail host
# verifies. mx1 comes first and becomes the CN.
CERT_NAMES = sorted((n for n, v in ZONE.items() if isinstance(v, dict) and ("A" in v or "CNAME" in v)),
                    key=lambda n: (n != "mx1.example.test", n))
# Loopback addresses the cases bind on the common port P.
SMTP_ADDRS = ["127.0.0.%d" % i for i in range(2, 16)]




def make_env(binary, tmp):
    return Env(binary, tmp, ZONE, CERT_NAMES, SMTP_ADDRS, TIMEOUT, HELO,
               implicit_host="mx3.example.test")


# --- the cases -------------------------------------------------------------

CASES, case = make_registry()


def ok_host(env):
    """mx1.example.test: PIPELINING + STARTTLS, alice exists, bob does not."""
    unknown = "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table"
    return env.scenario("mx1.example.test",
                        rcpt={"alice@ok.example.test": "250 2.1.5 Ok",
                              "postmaster@ok.example.test": "250 2.1.5 Ok",
                              "bob@ok.example.test": unknown.format(rcpt="bob@ok.example.test")},
                        replies={"RCPT": unknown.format(rcpt="someone")})


def assert_accepted_tls(p, mode="starttls"):
    eq(p.get("outcome"), "accepted", "probe outcome")
    eq(field(p, "tls.mode"), mode, "tls.mode")
    eq(field(p, "tls.verified"), True, "tls.verified")
    eq(field(p, "tls.version"), "TLSv1.3", "tls.version")


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
    rcpt = rcpt_step(p)
    eq(field(rcpt, "reply.code"), 250, "rcpt reply.code")
    eq(rcpt.get("category"), "success", "rcpt category")
    lines = env.log(srv)
    eq(srv.connections, 1, "connections to mx1")
    match_lines(lines, ["EHLO " + HELO, "STARTTLS", "EHLO " + HELO, MAIL_NULL,
                        "RCPT TO:<alice@ok.example.test>",
                        "RCPT TO:<postmaster@ok.example.test>"])
    ends_with_quit(lines[6:])
    # The control recipient was accepted, as RFC 5321 wants: no finding
    # about it, and the target's reply decided.
    rc = recipients(p)
    eq(sorted(rc), ["control", "target"], "recipient roles")
    eq((rc["control"]["address"], rc["control"]["code"]),
       ("postmaster@ok.example.test", 250), "control recipient")
    eq(p.get("deciding_step"), p["steps"].index(rcpt), "deciding step is the target's RCPT")
    for k in ("rejects_everyone", "postmaster_refused", "catch_all", "catch_all_skipped"):
        check(not findings(doc, k), "a %s finding on a plain accept" % k)
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
    rcpt = rcpt_step(p)
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
    rcpt = rcpt_step(p)
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


def stuck_on(env, addr, port):
    try:
        s = StuckListener(addr, port)
    except OSError as e:
        raise CaseFailure("setup: cannot listen on %s:%d: %s" % (addr, port, e))
    env.defer(s.stop)
    return s


def needs_low_ports():
    # Ports 25, 465 and 587 themselves: the check only follows port 25.
    # CI runs as root; a developer's unprivileged run skips, and says so.
    if os.geteuid() != 0:
        raise CaseSkip("the connect-only check needs ports 25/465/587 (root)")


@case("e2_port25_silent_587_answers")
def _(env):
    """Every port-25 connect times out and the same address takes a
    connection on 587 (465 is closed): the verdict's reason is
    port25_blocked naming 587; the checks are connect only (the 587 server
    sees a connection and no command) and are not probes."""
    needs_low_ports()
    stuck_on(env, "127.0.0.16", 25)
    sub = env.smtp("127.0.0.16", env.scenario("mx16.example.test", tls=False), port=587,
                   quit="any", why="a connect-only check sends no SMTP at all")
    r = env.run("alice@blocked25.example.test", port=25)
    r.expect_exit(69)
    doc = r.doc
    eq(len(doc["probes"]), 1, "probes (the checks are not probes)")
    eq(field(doc, "probes.0.outcome"), "timeout", "the port-25 probe")
    f = doc["findings"][doc["verdict"]["finding"]]
    eq((f["kind"], f["port"]), ("port25_blocked", 587), "the verdict's finding")
    eq([(c["address"], c["port"], c["result"]) for c in doc["connect_checks"]],
       [("127.0.0.16", 587, "connected"), ("127.0.0.16", 465, "refused")], "connect_checks")
    check(r.elapsed < 2 * TIMEOUT, "run took %.1f s, want < 2 x --timeout" % r.elapsed)
    sub.wait_connections(1)
    check(sub.wait_idle(2.0), "the 587 connection was left open")
    eq(sub.connections, 1, "connections to 587")
    eq(sub.lines, [], "commands sent to 587")


@case("e3_port25_and_submission_silent")
def _(env):
    """25, 587 and 465 all silent: no port answers, so the reason is
    all_unreachable (receiver down or filtering), never port25_blocked;
    about two --timeouts. With 587 and 465 closed instead (a reset: the
    host is up and reachable from here) it is port25_blocked. The
    negative: a run asking -p 25,587 itself gets no connect-only checks."""
    needs_low_ports()
    stuck_on(env, "127.0.0.17", 25)
    s587 = stuck_on(env, "127.0.0.17", 587)
    s465 = stuck_on(env, "127.0.0.17", 465)
    r = env.run("alice@down25.example.test", port=25)
    r.expect_exit(69)
    doc = r.doc
    f = doc["findings"][doc["verdict"]["finding"]]
    eq((f["kind"], f["port"]), ("all_unreachable", 25), "the verdict's finding")
    eq([c["result"] for c in doc["connect_checks"]], ["timeout", "timeout"], "connect_checks")
    check(not [x for x in doc["findings"] if x["kind"] == "port25_blocked"], "port25_blocked")
    check(1.8 * TIMEOUT <= r.elapsed < 3 * TIMEOUT, "run took %.1f s, want about 2 x --timeout"
          % r.elapsed)
    s587.stop()
    s465.stop()
    r = env.run("alice@down25.example.test", port=25)
    doc = r.doc
    eq([c["result"] for c in doc["connect_checks"]], ["refused", "refused"], "connect_checks")
    f = doc["findings"][doc["verdict"]["finding"]]
    eq((f["kind"], f["port"]), ("port25_blocked", 587), "the verdict's finding with resets")
    r = env.run("alice@down25.example.test", port="25,587")
    eq(r.doc["connect_checks"], [], "connect_checks when 587 is asked for")


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
    # After "220" to STARTTLS only a TLS handshake may follow: closing
    # without a clear-text QUIT is right.
    srv = env.smtp("127.0.0.6", env.scenario("mx6.example.test", inject="250 injected\r\n"),
                   quit="any", why="the stream awaits a TLS handshake after 220 to STARTTLS")
    r = env.run("x@inject.example.test")
    r.expect_exit(76)
    doc = r.doc
    eq(field(doc, "verdict.outcome"), "protocol_error", "verdict.outcome")
    p = probe_at(doc, "127.0.0.6")
    eq(p.get("outcome"), "protocol_error", "probe outcome")
    lines = env.log(srv)
    # Not even QUIT: in clear it would answer the injected bytes' game.
    eq(lines, ["EHLO " + HELO, "STARTTLS"], "server log (nothing after STARTTLS)")


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


# Rules the man page states outright.

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


@case("w_explain_pasted_wrapper")
def _(env):
    """A Postfix bounce line as pasted: the wrapper peeled, its stage,
    recipient and remote MTA kept."""
    r = env.run("--explain", "<bob@example.org>: host mx.example.org[192.0.2.1] said: "
                "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown "
                "(in reply to RCPT TO command)", network=False)
    r.expect_exit(0)
    doc = r.json_object()
    eq(doc.get("code"), 550, "code")
    eq(doc.get("category"), "mailbox_unknown", "category")
    eq(doc.get("stage"), "rcpt", "stage")
    eq(doc.get("recipient"), "bob@example.org", "recipient")
    eq(doc.get("remote_mta"), "mx.example.org", "remote_mta")
    # Codeless text: no code, no class, the category from the words.
    r = env.run("--explain", "Mailbox is frozen", network=False)
    r.expect_exit(0)
    doc = r.json_object()
    eq(doc.get("code"), None, "code")
    eq(doc.get("class"), None, "class")
    eq(doc.get("category"), "mailbox_disabled", "category")
    # Nothing to read at all: refused.
    r = env.run("--explain", " ... ", network=False)
    r.expect_exit(64)


BOUNCES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "bounces")


def bounce(name):
    with open(os.path.join(BOUNCES, name), "rb") as f:
        return f.read()


# fixture -> [(recipient, category, stage)] (tests/data/bounces/README.md)
BOUNCE_CASES = {
    "postfix-dsn.eml": [("bob@example.org", "mailbox_unknown", "rcpt"),
                        ("carol@example.net", "mailbox_full", "data")],
    "postfix-text.txt": [("erin@example.org", "ip_blocklisted", "rcpt"),
                         ("frank@nowhere.example", "domain_unknown", None)],
    "exim.eml": [("grace@example.org", "mailbox_unknown", "rcpt"),
                 ("heidi@example.net", "content_rejected", "data")],
    "qmail.txt": [("ivan@example.org", "mailbox_unknown", "rcpt"),
                  ("judy@example.net", "mailbox_unknown", None)],
    "exchange.eml": [("mallory@example.org", "mailbox_unknown", None)],
    "exchange-2010.txt": [("niaj@example.org", "mailbox_unknown", None)],
    "gmail.eml": [("oscar@example.org", "mailbox_full", None)],
    "gmail-new.txt": [("peggy@example.org", "sender_auth", None)],
}


@case("w_explain_bounce_stdin")
def _(env):
    """--explain - reads a whole bounce from stdin: one explain object per
    failed recipient, in the bounce's order, in JSON (checked against the
    schema by the harness) and in the human form."""
    for name, want in BOUNCE_CASES.items():
        r = env.run("--explain", "-", network=False, stdin=bounce(name))
        r.expect_exit(0)
        try:
            doc = json.loads(r.out.decode("utf-8"))
        except ValueError as e:
            raise CaseFailure("%s: stdout is not JSON (%s)" % (name, e))
        check(isinstance(doc, list), "%s: not a JSON array: %s" % (name, clip(r.out)))
        got = [(o.get("recipient"), o.get("category"), o.get("stage")) for o in doc]
        eq(got, want, name)
        h = env.run("--explain", "-", network=False, json_out=False, stdin=bounce(name))
        h.expect_exit(0)
        for rcpt, cat, _ in want:
            check(rcpt in h.out_text and cat in h.out_text,
                  "%s: human output lacks %s / %s" % (name, rcpt, cat))


@case("w_explain_bounce_hostile")
def _(env):
    """Control bytes, bidi overrides and NULs of a hostile bounce never
    reach the output raw (the harness checks every byte); a message that
    is not a bounce is refused with EX_DATAERR; more than 1 MiB is read up
    to 1 MiB and said so."""
    r = env.run("--explain", "-", network=False, stdin=bounce("hostile.eml"))
    r.expect_exit(0)
    doc = json.loads(r.out.decode("utf-8"))
    eq(len(doc), 2, "recipients")
    r = env.run("--explain", "-", network=False, stdin=bounce("not-a-bounce.eml"))
    r.expect_exit(65)
    big = bounce("postfix-dsn.eml") + b"x" * (1024 * 1024)
    r = env.run("--explain", "-", network=False, stdin=big)
    r.expect_exit(0)
    check("1048576" in r.err.decode("utf-8", "replace"), "no word on the cut input: %s"
          % clip(r.err))


# --- greylisting and --retry-greylist ---------------------------------------

def findings(doc, kind):
    """The findings[] entries of one kind."""
    found = field(doc, "findings")
    check(isinstance(found, list), "findings is not a list: %s" % clip(found))
    return [f for f in found if f.get("kind") == kind]


def verdict_finding(doc):
    """The finding the verdict takes its words from (reason "finding")."""
    eq(field(doc, "verdict.reason"), "finding", "verdict.reason")
    i = field(doc, "verdict.finding")
    check(isinstance(i, int) and 0 <= i < len(doc["findings"]), "verdict.finding %r" % i)
    f = doc["findings"][i]
    eq(field(doc, "verdict.summary"), f.get("text"), "verdict.summary (the finding's words)")
    return f


def finding_kinds(doc):
    return [f.get("kind") for f in field(doc, "findings")]


def greylisting_host(env, first=1):
    """mx4.example.test greylisting the first `first` RCPT attempts per
    recipient ("all": every one), as postgrey does."""
    return env.smtp("127.0.0.4", env.scenario("mx4.example.test", greylist_first=first))


def greylisted_conns(srv):
    """Per connection: did the server greylist its RCPT (fakesmtp notes
    each greylisting reply as an event of the connection)?"""
    grey = {i for i, e in srv.events if e.startswith("greylisted ")}
    return [i in grey for i in range(srv.connections)]


GREY_RCPT = "carol@grey.example.test"


@case("x1_greylisted_without_retry")
def _(env):
    srv = greylisting_host(env)
    r = env.run(GREY_RCPT, timeout=2)
    r.expect_exit(75)
    doc = r.doc
    eq(field(doc, "verdict.outcome"), "tempfail", "verdict.outcome")
    eq(field(rcpt_step(probe_at(doc, "127.0.0.4")), "category"), "greylisted",
       "rcpt category")
    check(findings(doc, "greylisted"), "no greylisted finding (kinds: %s)" % finding_kinds(doc))
    check("retried" not in finding_kinds(doc), "a retried finding without --retry-greylist")
    f = verdict_finding(doc)
    eq((f.get("kind"), f.get("seconds"), f.get("host")), ("greylisted", None, "mx4.example.test"),
       "the verdict's finding (kind, seconds, host)")
    env.log(srv)
    eq(srv.connections, 1, "connections (no retry unless asked)")
    check(r.elapsed < 1.0, "run took %.1f s without --retry-greylist" % r.elapsed)


@case("x2_retry_greylist_passes")
def _(env):
    srv = greylisting_host(env)
    r = env.run("--retry-greylist", "1", GREY_RCPT, timeout=2)
    r.expect_exit(0)
    doc = r.doc           # stdout parsed whole: exactly one JSON document
    eq(field(doc, "verdict.outcome"), "accepted", "verdict.outcome")
    p = probe_at(doc, "127.0.0.4")
    eq(field(rcpt_step(p), "reply.code"), 250, "rcpt reply.code (the retry is reported)")
    retried = findings(doc, "retried")
    eq(len(retried), 1, "retried findings (kinds: %s)" % finding_kinds(doc))
    eq(retried[0].get("seconds"), 1, "the retried finding's seconds")
    check(not findings(doc, "greylisted"), "a greylisted finding in the report of the passing retry")
    err = [l for l in r.err.decode("utf-8", "replace").splitlines() if l.strip()]
    eq(len(err), 1, "stderr lines (%s)" % clip(err))
    check(re.search(r"(?i)\bretry", err[0]) and "mx4.example.test" in err[0],
          "stderr %s does not say it retries" % clip(err[0]))
    check(r.elapsed >= 1.0, "run took %.2f s, want >= 1 s (--retry-greylist 1)" % r.elapsed)
    check(r.elapsed < 1.0 + 2 * 2, "run took %.1f s" % r.elapsed)
    env.log(srv)
    eq(srv.connections, 2, "connections (the attempt and one retry)")
    eq(greylisted_conns(srv), [True, False], "greylisted RCPT per connection")
    for c in srv.conns:
        ends_with_quit(after_rcpts(c.received))


@case("x3_retry_greylist_still_greylisted")
def _(env):
    srv = greylisting_host(env, first="all")
    r = env.run("--retry-greylist", "1", GREY_RCPT, timeout=2)
    r.expect_exit(75)
    doc = r.doc
    eq(field(doc, "verdict.outcome"), "tempfail", "verdict.outcome")
    check(findings(doc, "retried"), "no retried finding (kinds: %s)" % finding_kinds(doc))
    check(findings(doc, "greylisted"), "no greylisted finding (kinds: %s)" % finding_kinds(doc))
    # The verdict is the retry deferred too (seconds: how long after the
    # first), not the first attempt's advice to retry.
    f = verdict_finding(doc)
    eq((f.get("kind"), f.get("seconds")), ("greylisted", 1), "the verdict's finding (kind, seconds)")
    check(r.elapsed >= 1.0, "run took %.2f s, want >= 1 s" % r.elapsed)
    env.log(srv)
    eq(srv.connections, 2, "connections (one retry, not more)")
    eq(greylisted_conns(srv), [True, True], "greylisted RCPT per connection")
    # The control recipient is asked on each attempt too; greylisted alike,
    # which says nothing about the sender: no rejects_everyone.
    eq(srv.rcpt_attempts, {GREY_RCPT: 2, "postmaster@grey.example.test": 2}, "RCPT attempts")
    check(not findings(doc, "rejects_everyone"), "rejects_everyone for greylisting")


@case("x4_retry_greylist_bounds")
def _(env):
    for value in ("0", "99999"):
        r = env.run("--retry-greylist", value, GREY_RCPT)
        try:
            r.expect_exit(64)
            eq(r.out, b"", "stdout")
            check("--retry-greylist" in r.err.decode("utf-8", "replace"),
                  "stderr does not name --retry-greylist: %s" % clip(r.err))
            check(not env.dns.queries, "DNS was queried: %s" % env.dns.queries)
        except CaseFailure as e:
            raise CaseFailure("[--retry-greylist %s] %s" % (value, e))


# --- reasoning across probes (src/reasoning.c) ---------------------------------

def mx12(env, **kw):
    return env.smtp("127.0.0.12", env.scenario("mx12.example.test", **kw))


def mx13(env, **kw):
    return env.smtp("127.0.0.13", env.scenario("mx13.example.test", **kw))


def strongest(doc, kind):
    """The one finding of `kind`, which also became the verdict's summary."""
    got = findings(doc, kind)
    eq(len(got), 1, "%s findings (kinds: %s)" % (kind, finding_kinds(doc)))
    eq(verdict_finding(doc), got[0], "the verdict's finding")
    return got[0]


@case("y1_all_unreachable")
def _(env):
    # Nothing listens on mx12 or mx13: both refuse.
    r = env.run("x@down.example.test")
    r.expect_exit(69)
    doc = r.doc
    eq(field(doc, "verdict.outcome"), "unreachable", "verdict.outcome")
    for addr in ("127.0.0.12", "127.0.0.13"):
        eq(probe_at(doc, addr).get("outcome"), "refused", "%s probe outcome" % addr)
    f = strongest(doc, "all_unreachable")
    eq(f.get("attempts"), {"refused": 2, "timed_out": 0, "other": 0}, "all_unreachable attempts")


@case("y2_inconsistent_mx")
def _(env):
    rcpt = "x@split.example.test"
    unknown = ("550 5.1.1 <%s>: Recipient address rejected: User unknown in virtual "
               "mailbox table" % rcpt)
    a, b = mx12(env), mx13(env, replies={"RCPT": unknown})
    r = env.run(rcpt)
    r.expect_exit(0)
    doc = r.doc
    eq(field(doc, "verdict.outcome"), "accepted", "verdict.outcome")
    probes = field(doc, "probes")
    eq([p.get("host") for p in probes], ["mx12.example.test", "mx13.example.test"],
       "probes in MX order")
    eq(probes[field(doc, "verdict.deciding_probe")].get("host"), "mx12.example.test",
       "the deciding probe (MX 10)")
    eq(probes[0].get("outcome"), "accepted", "mx12 outcome")
    eq(probes[1].get("outcome"), "rejected", "mx13 outcome")
    eq(last_step(probes[1], "rcpt").get("category"), "mailbox_unknown", "mx13 rcpt category")
    f = strongest(doc, "inconsistent_mx")
    eq((f.get("host"), f.get("other_host")), ("mx12.example.test", "mx13.example.test"),
       "inconsistent_mx: the host that accepts, the host that rejects")
    for srv in (a, b):
        check("RCPT TO:<%s>" % rcpt in env.log(srv), "%s saw no RCPT" % srv.host)


@case("y3_egress_ip_listed")
def _(env):
    listed = "554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org"
    # MX 10 refuses at RCPT, MX 20 already at the greeting.
    a, b = mx12(env, replies={"RCPT": listed}), mx13(env, banner=listed)
    r = env.run("x@listed.example.test")
    r.expect_exit(77)
    doc = r.doc
    eq(field(doc, "verdict.outcome"), "rejected", "verdict.outcome")
    eq(probe_at(doc, "127.0.0.12").get("outcome"), "rejected", "mx12 outcome")
    eq(probe_at(doc, "127.0.0.13").get("outcome"), "rejected", "mx13 outcome")
    f = strongest(doc, "egress_ip_listed")
    eq(f.get("address"), "127.0.0.1", "egress_ip_listed address (as the server saw it)")
    check("RCPT TO:<x@listed.example.test>" in env.log(a), "mx12 saw no RCPT")
    eq(env.log(b), ["QUIT"], "mx13 log after a 554 greeting")


@case("y4_dns_mx_is_cname")
def _(env):
    srv = env.smtp("127.0.0.14", env.scenario("mx14.example.test"))
    r = env.run("x@cname.example.test")
    r.expect_exit(0)
    doc = r.doc
    eq(field(doc, "dns.mx.0.host"), "alias.example.test", "dns.mx[0].host")
    eq(field(doc, "dns.mx.0.cname"), "mx14.example.test", "dns.mx[0].cname")
    got = [f for f in doc.get("findings") or [] if f.get("kind") == "mx_cname"]
    check(len(got) == 1 and got[0].get("host") == "alias.example.test",
          "no single mx_cname finding about alias.example.test: %s"
          % clip(doc.get("findings"), 400))
    check("RCPT TO:<x@cname.example.test>" in env.log(srv), "mx14 saw no RCPT")


@case("y5_dns_mx_is_ip_literal")
def _(env):
    def literal_finding(doc):
        got = [f for f in doc.get("findings") or []
               if f.get("kind") == "mx_ip_literal" and f.get("host") == "127.0.0.15"]
        check(got, "no mx_ip_literal finding about 127.0.0.15: %s"
              % clip(doc.get("findings"), 400))
        eq(field(doc, "dns.mx.0.ip_literal"), True, "dns.mx[0].ip_literal")

    # Beside a real MX: the run goes on there.
    env.smtp("127.0.0.2", env.scenario("mx1.example.test"))
    r = env.run("alice@literal.example.test")
    r.expect_exit(0)
    literal_finding(r.doc)
    eq(probe_at(r.doc, "127.0.0.2").get("outcome"), "accepted", "mx1 outcome")
    # Alone: no mail host to probe.
    r = env.run("alice@literalonly.example.test")
    r.expect_exit(68)
    eq(field(r.doc, "verdict.outcome"), "no_mail_host", "verdict.outcome")
    literal_finding(r.doc)


@case("y6_no_tls")
def _(env):
    env.smtp("127.0.0.7", env.scenario("mx7.example.test", tls=False))
    r = env.run("x@plain.example.test")
    r.expect_exit(0)
    got = findings(r.doc, "no_tls")
    eq(len(got), 1, "no_tls findings (kinds: %s)" % finding_kinds(r.doc))
    p = r.doc["probes"][got[0].get("probe")]
    eq((got[0].get("host"), p.get("address"), p.get("port")),
       ("mx7.example.test", "127.0.0.7", env.port), "the no_tls finding's host and probe")
    # A host with STARTTLS: no such finding.
    env.smtp("127.0.0.2", ok_host(env))
    r = env.run("alice@ok.example.test")
    r.expect_exit(0)
    eq(findings(r.doc, "no_tls"), [], "no_tls findings for a host with TLS")


# --- runner ----------------------------------------------------------------

def main(argv=None):
    return harness_main(CASES, make_env, __doc__.split("\n\n")[0], argv)


if __name__ == "__main__":
    sys.exit(main())
