#!/usr/bin/python3
"""Hostile and broken peers: smtpprobe against the rows of
tests/hostile-inputs.md (plus IPv6, AUTH and certificate facts), with
scripted SMTP and DNS servers on the loopback network.

    tests/integration/test_hostile.py --binary build/smtpprobe [-k NAME] [-v]

Prints "ok NAME", "FAIL NAME: why" or "skip NAME: known bug: ..." per case
and ends with "N passed, M failed"; exits 0 only when no case failed (a
known bug of the C code is a skip, not a failure).

Every case, through harness.py, also checks: no raw control byte, invalid
UTF-8 or bidi control on stdout/stderr of any run, none inside the JSON
strings either; no DATA/BDAT ever reached a fake server; every dialogue in
which the probe spoke ends with QUIT unless the server closed or sent 421
(a case lifts that rule only with a reason: a silent server, a broken TLS
handshake, a reply cut at a cap). Cases run the probe in all three output
modes (--json, summary, -v) where that is cheap; the slow ones (timeouts)
in --json only.

The fake world (nothing outside 127.0.0.0/8 and ::1 is contacted):
  fakedns          127.0.0.1:<free port>, zone ZONE below
  mx.hostile.test  127.0.0.2 on a free port P (the probe gets --port P);
                   target alice@hostile.test
  mx6.hostile.test [::1]:P, AAAA only; target bob@v6.hostile.test
  port 465         a free 127.0.5.x:465, probed with -s ADDR
  TLS              a throwaway CA; the default certificate names mx and
                   mx6; the certificate cases make their own
"""

import base64
import os
import re
import secrets
import string
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
from harness import (  # noqa: E402
    MAIL_NULL, CaseFailure, CaseSkip, Env, base64_cores, check, clip, deciding, eq, field,
    in_order, last_step, main as harness_main, make_leaf, make_pki, make_registry, match_lines,
    one_of, output_problems, probe_at, stages, verbs)

TIMEOUT = 2                     # --timeout: every bounded wait is checked against it
HELO = "probe.hostile.test"
MX, MX_NAME = "127.0.0.2", "mx.hostile.test"
RCPT = "alice@hostile.test"
V6_NAME, V6_RCPT = "mx6.hostile.test", "bob@v6.hostile.test"
SLOW, SLOW_NAME = "127.0.0.3", "slow.hostile.test"

ZONE = {
    "hostile.test": {"MX": [[10, MX_NAME]]},
    MX_NAME: {"A": [MX]},
    "v6.hostile.test": {"MX": [[10, V6_NAME]]},
    V6_NAME: {"AAAA": ["::1"]},
    # mx first, then a host that stays silent: the probe lives on for a
    # --timeout after mx is done, long enough to read its peak memory.
    "linger.hostile.test": {"MX": [[10, MX_NAME], [20, SLOW_NAME]]},
    SLOW_NAME: {"A": [SLOW]},
}
CERT_NAMES = [MX_NAME, V6_NAME, SLOW_NAME]

# Lifting the QUIT rule: why closing at once is right in those cases.
SILENT = "the server went silent: after a reply timeout the probe just closes"
TLS_BROKEN = "the TLS handshake failed: there is no channel left to send QUIT on"
CUT = "the reply was cut at a cap mid-stream: the framing is lost, the probe just closes"

EHLO_PLAIN = ["250-" + MX_NAME, "250-PIPELINING", "250-SIZE 10240000",
              "250-ENHANCEDSTATUSCODES", "250 8BITMIME"]


def make_env(binary, tmp):
    return Env(binary, tmp, ZONE, CERT_NAMES, [MX, SLOW], TIMEOUT, HELO, v6=True)


CASES, case = make_registry()


# --- helpers -----------------------------------------------------------------

def mx(env, tls=True, quit="required", why=None, **kw):
    """mx.hostile.test on 127.0.0.2:P with a scenario (see fakesmtp)."""
    return env.smtp(MX, env.scenario(MX_NAME, tls=tls, **kw), quit=quit, why=why)


# smtpprobe-json(5): local failures carry category dns, network or tls; the
# protocol ones (codes_local.c) carry protocol.
ERROR_CATEGORY = {
    "reply_timeout": "network", "connection_closed": "network",
    "tls_handshake_failed": "tls", "tls_timeout": "tls", "plaintext_on_implicit_tls": "tls",
    "starttls_not_offered": "tls", "starttls_refused": "tls",
    "malformed_reply": "protocol", "line_too_long": "protocol", "too_many_lines": "protocol",
    "unsolicited_data": "protocol", "unexpected_reply": "protocol",
    "closed_mid_reply": "protocol", "starttls_injection": "protocol",
    "tls_self_signed": "tls", "tls_unknown_ca": "tls", "tls_name_mismatch": "tls",
    "tls_cert_expired": "tls",
}


def expect(r, status, outcome, probe, stage=None, category=None, error=None, within=None,
           address=MX):
    """The JSON run r: exit status, verdict, the probe's outcome, and the
    deciding step's stage / category / local error name (whose category
    is checked too); its duration. Returns (doc, probe, deciding step)."""
    if error is not None and category is None:
        category = ERROR_CATEGORY[error]
    r.expect_exit(status)
    doc = r.doc
    eq(field(doc, "verdict.outcome"), outcome, "verdict.outcome")
    p = probe_at(doc, address)
    eq(p.get("outcome"), probe, "probe outcome")
    step = deciding(p)
    if stage is not None:
        eq(step.get("stage"), stage, "deciding step's stage (steps %s)" % stages(p))
    if category is not None:
        eq(step.get("category"), category, "deciding step's category")
    if error is not None:
        eq(step.get("error"), error, "deciding step's error")
    if within is not None:
        check(r.elapsed < within, "run took %.1f s, want < %.1f s" % (r.elapsed, within))
    return doc, p, step


def modes(env, *args, status, slow=False, **kw):
    """Run in --json, summary and -v (only --json when slow); returns the
    JSON run, the others in .others."""
    runs = env.run_modes(*args, status=status, modes=("json",) if slow else ("json", "human", "v"), **kw)
    r = runs["json"]
    r.others = runs
    return r


def session(srv, i=0):
    """Lines the probe sent on connection i."""
    check(srv.wait_idle(2.0), "%s: the probe left a connection open" % srv.host)
    check(len(srv.conns) > i, "%s had %d connections, want > %d" % (srv.host, len(srv.conns), i))
    return list(srv.conns[i].received)


def no_quit(lines, what):
    check("QUIT" not in verbs(lines), "%s: the probe sent QUIT: %s" % (what, clip(lines)))


def quit_after_protocol_error(srv):
    """A protocol error on an intact stream (a whole malformed line, an
    extra reply): the framing still holds, so every connection ends with
    QUIT, not a bare close (harness.py enforces it too; said here so the
    case reads as the rule it checks)."""
    check(srv.wait_idle(2.0), "%s: the probe left a connection open" % srv.host)
    check(srv.conns, "%s: no connection" % srv.host)
    for i, c in enumerate(srv.conns):
        check(c.received and c.received[-1] == "QUIT",
              "connection %d: after the protocol error the probe's last line is %s, not QUIT"
              % (i + 1, clip(repr(c.received[-1] if c.received else None))))


def s_lines(run):
    """The -v transcript's server lines ("[+0.012s] #1   clr S: ...")."""
    return [l for l in run.out_text.splitlines()
            if re.match(r"\[\+\d+\.\d+s\] #\d+ +(clr|tls) S: ", l)]


def wire_lines(conn, probe=None):
    """Lines (LF-terminated) the server wrote on one connection; with the
    probe's JSON, less the reply to a QUIT whose reply it did not await
    (sent to a connection already closed, so never read)."""
    n = b"".join(conn.sent).count(b"\n")
    if (probe is not None and "quit_unawaited" in (probe.get("notes") or [])
            and conn.received and conn.received[-1] == "QUIT" and conn.sent):
        n -= conn.sent[-1].count(b"\n")
    return n


def awaited(env, rcpt=RCPT, silent=False):
    """The same recipient at linger.hostile.test, whose second MX (slow)
    answers its greeting late (silent: never, so it cannot change a
    verdict mx's probe leaves open): the run is still busy when mx's
    dialogue ends, so mx's RSET and QUIT replies are awaited and judged."""
    if silent:
        env.smtp(SLOW, env.scenario(SLOW_NAME, banner=None), quit="any", why=SILENT)
    else:
        env.smtp(SLOW, env.scenario(SLOW_NAME, delays={"BANNER": 0.8}))
    return rcpt.split("@")[0] + "@linger.hostile.test"


def variants(env, table, run_one):
    """One server per variant, one after the other on the same address;
    run_one(name, srv) does the asserting. A failing variant names itself."""
    for name, kw in table:
        srv = mx(env, **kw)
        try:
            run_one(name, srv)
        except CaseFailure as e:
            raise CaseFailure("[%s] %s" % (name, e))
        finally:
            srv.wait_idle(2.0)
            srv.stop()


# --- 1. IPv6 -------------------------------------------------------------------

def v6_server(env, **kw):
    return env.smtp("::1", env.scenario(V6_NAME, **kw))


@case("ipv6_aaaa_only_with_6")
def _(env):
    srv = v6_server(env)
    r = modes(env, "-6", V6_RCPT, status=0)
    doc, p, step = expect(r, 0, "accepted", "accepted", stage="rcpt", category="success",
                          address="::1")
    eq(field(doc, "dns.mx.0.addresses"), ["::1"], "dns.mx[0].addresses")
    eq(p.get("host"), V6_NAME, "probe host")
    eq(field(p, "tls.verified"), True, "tls.verified")
    check(str(p.get("local_address", "")).startswith("[::1]:"),
          "local_address %s, want [::1]:port" % clip(p.get("local_address")))
    eq(srv.connections, 3, "connections to [::1] (one per mode)")
    match_lines(session(srv), ["EHLO " + HELO, "STARTTLS", "EHLO " + HELO, MAIL_NULL,
                               "RCPT TO:<%s>" % V6_RCPT])


@case("ipv6_aaaa_only_with_4")
def _(env):
    srv = v6_server(env)
    r = modes(env, "-4", V6_RCPT, status=68)
    r.expect_exit(68)
    eq(field(r.doc, "verdict.outcome"), "no_mail_host", "verdict.outcome")
    contacted = [p for p in r.doc.get("probes", []) if p.get("outcome") != "skipped"]
    check(not contacted, "probes with -4 and no A record: %s" % clip(contacted))
    eq(srv.connections, 0, "connections to [::1]")


@case("ipv6_server_literal")
def _(env):
    # cli.c: a bare IPv6 literal is the whole host (its port comes from
    # --port); "[::1]:P" carries its own port.
    srv = v6_server(env)
    r = modes(env, "-s", "::1", RCPT, status=0)
    doc, p, _ = expect(r, 0, "accepted", "accepted", stage="rcpt", address="::1")
    eq(p.get("port"), env.port, "probe port")
    # The certificate names mx6, not the address: a fact, not a failure.
    eq(field(p, "tls.chain_trusted"), True, "tls.chain_trusted")
    eq(field(p, "tls.name_matches"), False, "tls.name_matches")
    eq(field(p, "tls.verified"), False, "tls.verified")
    r = env.run("-s", "[::1]:%d" % env.port, RCPT, port=False)
    expect(r, 0, "accepted", "accepted", address="::1")
    eq(srv.connections, 4, "connections to [::1]")
    for i in range(4):
        check("RCPT TO:<%s>" % RCPT in session(srv, i), "connection %d saw no RCPT" % (i + 1))


@case("server_with_port_ipv4")
def _(env):
    # The same as "[::1]:P" above, without IPv6: -s HOST:PORT.
    srv = mx(env)
    # (The verdict was computed for port 25 until b69040c: exit 68.)
    r = env.run("-s", "%s:%d" % (MX, env.port), RCPT, port=False)
    expect(r, 0, "accepted", "accepted")
    eq([v.get("port") for v in field(r.doc, "verdicts")], [env.port], "verdicts[].port")
    check("RCPT TO:<%s>" % RCPT in session(srv), "no RCPT")


# --- 2. AUTH -------------------------------------------------------------------

def marker():
    alphabet = string.ascii_letters + string.digits
    return "Mk7-pw-" + "".join(secrets.choice(alphabet) for _ in range(16))


def forbid_password(env, pw):
    """The password, and every base64 form that carries it (alone, as in
    AUTH LOGIN; inside "\\0alice\\0pw", as in AUTH PLAIN; any alignment)."""
    env.forbid(pw, "the password")
    for core in base64_cores(pw):
        env.forbid(core, "the password in base64 (%s)" % core)
    env.forbid(base64.b64encode(b"\0alice\0" + pw.encode()), "the AUTH PLAIN response")


def auth_scenario(env, pw, mechs="PLAIN LOGIN"):
    """AUTH offered only inside TLS (as Postfix's smtpd_tls_auth_only)."""
    tls_ehlo = ["250-" + MX_NAME, "250-PIPELINING", "250-ENHANCEDSTATUSCODES",
                "250-8BITMIME", "250 AUTH " + mechs]
    return dict(auth={"user": "alice", "password": pw}, tls_replies={"EHLO": tls_ehlo})


def finding_kinds(doc, probe=None):
    """The findings' kinds, in order; with probe, only those about it."""
    return [f.get("kind") for f in doc.get("findings") or []
            if probe is None or f.get("probe") == probe]


def auth_step(p):
    return last_step(p, "auth")


@case("auth_plain_accepted")
def _(env):
    pw = marker()
    forbid_password(env, pw)
    srv = mx(env, **auth_scenario(env, pw))
    r = modes(env, "--auth", "alice", RCPT, status=0, extra_env={"SMTPPROBE_PASSWORD": pw})
    doc, p, _ = expect(r, 0, "accepted", "accepted", stage="rcpt")
    a = auth_step(p)
    eq(field(a, "reply.code"), 235, "auth reply.code")
    check(a.get("tls") is True, "the auth step did not travel inside TLS")
    lines = session(srv)
    match_lines(lines, ["EHLO " + HELO, "STARTTLS", "EHLO " + HELO, re.compile(r"AUTH PLAIN \S+"),
                        MAIL_NULL, "RCPT TO:<%s>" % RCPT])
    got = base64.b64decode(lines[3].split()[2])
    check(got == b"\0alice\0" + pw.encode(), "AUTH PLAIN decodes to %s" % clip(got))
    # The forbidden forms are the ones really on the wire: the check bites.
    check(any(c in lines[3] for c in base64_cores(pw)), "no base64 core of the password on the wire")


@case("auth_plain_wrong_password")
def _(env):
    right, wrong = marker(), marker()
    forbid_password(env, right)
    forbid_password(env, wrong)
    srv = mx(env, **auth_scenario(env, right))
    r = modes(env, "--auth", "alice", RCPT, status=77, extra_env={"SMTPPROBE_PASSWORD": wrong})
    doc, p, step = expect(r, 77, "rejected", "rejected", stage="auth", category="auth_failed")
    eq(field(step, "reply.code"), 535, "auth reply.code")
    eq(field(step, "reply.enhanced"), "5.7.8", "auth reply.enhanced")
    lines = session(srv)
    check(not {"MAIL", "RCPT"} & set(verbs(lines)), "envelope sent after a failed AUTH: %s" % clip(lines))
    eq(lines[-1], "QUIT", "last line after a failed AUTH")


@case("auth_login_only")
def _(env):
    pw = marker()
    forbid_password(env, pw)
    srv = mx(env, **auth_scenario(env, pw, mechs="LOGIN"))
    r = modes(env, "--auth", "alice", RCPT, status=0, extra_env={"SMTPPROBE_PASSWORD": pw})
    doc, p, _ = expect(r, 0, "accepted", "accepted", stage="rcpt")
    eq(field(auth_step(p), "reply.code"), 235, "last auth reply.code")
    lines = session(srv)
    match_lines(lines, ["EHLO " + HELO, "STARTTLS", "EHLO " + HELO, "AUTH LOGIN",
                        base64.b64encode(b"alice").decode(), base64.b64encode(pw.encode()).decode(),
                        MAIL_NULL])
    check(any("auth LOGIN ok" in e for _, e in srv.events), "the server did not accept the LOGIN exchange")


@case("auth_without_starttls")
def _(env):
    pw = marker()
    forbid_password(env, pw)
    # AUTH offered in clear, STARTTLS not at all: credentials must not go.
    srv = mx(env, tls=False, auth={"user": "alice", "password": pw},
             replies={"EHLO": EHLO_PLAIN[:-1] + ["250-8BITMIME", "250 AUTH PLAIN LOGIN"]})
    r = modes(env, "--auth", "alice", RCPT, status=69, extra_env={"SMTPPROBE_PASSWORD": pw})
    doc, p, _ = expect(r, 69, "tls_error", "tls_error")
    for i in range(3):
        lines = session(srv, i)
        check("AUTH" not in verbs(lines), "AUTH sent in clear: %s" % clip(lines))
        check(not {"MAIL", "RCPT"} & set(verbs(lines)), "envelope sent: %s" % clip(lines))


def bad_certificates(env):
    """The four certificates a man in the middle might present (the STARTTLS
    client study's T_1 to T_4): self-signed, issued by a root the probe does
    not trust, for another host name, expired. (name, pem, key, error)."""
    other = os.path.join(env.tmp, "other-ca")
    os.makedirs(other, exist_ok=True)
    _, unknown_pem, unknown_key = make_pki(other, [MX_NAME])
    selfsigned = make_leaf(env.tmp, "t1-selfsigned", [MX_NAME], ca=None)
    wrongname = make_leaf(env.tmp, "t3-wrongname", ["other.example.test"])
    expired = make_leaf(env.tmp, "t4-expired", [MX_NAME],
                        dates=("20200101000000Z", "20200201000000Z"))
    return [("self_signed",) + selfsigned + ("tls_self_signed",),
            ("unknown_root", unknown_pem, unknown_key, "tls_unknown_ca"),
            ("wrong_name",) + wrongname + ("tls_name_mismatch",),
            ("expired",) + expired + ("tls_cert_expired",)]


def server_bytes(srv):
    """Everything the probe sent this server, on every connection."""
    check(srv.wait_idle(2.0), "%s: the probe left a connection open" % srv.host)
    return [l for c in srv.conns for l in c.received]


def no_credentials_reached(srv, pw):
    lines = server_bytes(srv)
    check(lines, "the server received nothing")
    check("AUTH" not in verbs(lines), "AUTH reached the server: %s" % clip(lines))
    blob = "\n".join(lines)
    check(pw not in blob, "the password reached the server")
    for core in base64_cores(pw):
        check(core not in blob, "the password reached the server in base64 (%s)" % core)
    check(not {"MAIL", "RCPT"} & set(verbs(lines)), "envelope sent: %s" % clip(lines))
    eq(lines[-1], "QUIT", "last line the server got")


@case("auth_unverified_certificate_withheld")
def _(env):
    """T_1-T_4 with --auth, under auto and require: no AUTH, tls_error
    decided at the TLS step with the check that failed, exit 69."""
    pw = marker()
    forbid_password(env, pw)
    for name, pem, key, error in bad_certificates(env):
        for mode in ("auto", "require"):
            srv = mx(env, cert=pem, key=key, **auth_scenario(env, pw))
            try:
                r = modes(env, "--starttls", mode, "--auth", "alice", RCPT, status=69,
                          extra_env={"SMTPPROBE_PASSWORD": pw})
                doc, p, step = expect(r, 69, "tls_error", "tls_error", stage="tls",
                                      category="tls", error=error)
                eq(field(p, "tls.established"), True, "tls.established")
                eq(field(p, "tls.verified"), False, "tls.verified")
                eq(doc.get("insecure"), False, "insecure")
                kinds = [f.get("kind") for f in doc.get("findings", [])]
                check("credentials_withheld" in kinds, "findings %s lack credentials_withheld" % kinds)
                check("insecure_auth" not in kinds, "insecure_auth without --insecure")
                no_credentials_reached(srv, pw)
                for m in ("human", "v"):
                    check("[credentials_withheld]" in r.others[m].out_text,
                          "%s output does not show the credentials_withheld finding" % m)
            except CaseFailure as e:
                raise CaseFailure("[%s, --starttls %s] %s" % (name, mode, e))
            finally:
                srv.stop()


@case("auth_unverified_implicit_tls_withheld")
def _(env):
    """The same on implicit TLS (465): the greeting gets only QUIT."""
    pw = marker()
    forbid_password(env, pw)
    name, pem, key, error = bad_certificates(env)[2]
    addr = env.free_465()
    sc = env.scenario(MX_NAME, cert=pem, key=key, implicit_tls=True,
                      auth={"user": "alice", "password": pw},
                      replies={"EHLO": ["250-" + MX_NAME, "250 AUTH PLAIN LOGIN"]})
    srv = env.smtp(addr, sc, port=465)
    r = modes(env, "-s", addr, "--auth", "alice", RCPT, status=69, port=465,
              extra_env={"SMTPPROBE_PASSWORD": pw})
    doc, p, step = expect(r, 69, "tls_error", "tls_error", stage="tls", error=error,
                          address=addr)
    check(srv.wait_idle(2.0), "the probe left a connection open")
    eq(len(srv.conns), 3, "connections (one per output mode)")
    for c in srv.conns:
        eq(list(c.received), ["QUIT"], "what the implicit-TLS server received")


@case("auth_insecure_sends_and_warns")
def _(env):
    """--insecure changes exactly that: AUTH goes over the unverified
    certificate, and every output mode carries the warning."""
    pw = marker()
    forbid_password(env, pw)
    name, pem, key, error = bad_certificates(env)[0]
    srv = mx(env, cert=pem, key=key, **auth_scenario(env, pw))
    r = modes(env, "--insecure", "--auth", "alice", RCPT, status=0,
              extra_env={"SMTPPROBE_PASSWORD": pw})
    doc, p, _ = expect(r, 0, "accepted", "accepted", stage="rcpt")
    eq(doc.get("insecure"), True, "insecure")
    eq(field(p, "tls.verified"), False, "tls.verified")
    kinds = [f.get("kind") for f in doc.get("findings", [])]
    check("insecure_auth" in kinds, "findings %s lack insecure_auth" % kinds)
    check("credentials_withheld" not in kinds, "credentials_withheld with --insecure")
    for m in ("human", "v"):
        out = r.others[m].out_text
        check("[insecure_auth]" in out, "%s output lacks the insecure_auth finding" % m)
        check(out.lstrip().startswith("WARNING") or "\nWARNING" in out.split("\n\n")[0],
              "%s output does not open with the warning" % m)
    lines = session(srv)
    in_order(verbs(lines), ["STARTTLS", "EHLO", "AUTH", "MAIL", "RCPT"], "verbs")
    # Without --insecure, against the same server: withheld.
    srv.stop()
    srv = mx(env, cert=pem, key=key, **auth_scenario(env, pw))
    r = env.run("--auth", "alice", RCPT, extra_env={"SMTPPROBE_PASSWORD": pw})
    r.expect_exit(69)
    no_credentials_reached(srv, pw)


@case("starttls_verify_mode")
def _(env):
    """--starttls verify: a certificate that does not verify fails the host
    (tls_error, 69, no envelope); a verified one passes; no STARTTLS fails."""
    for name, pem, key, error in bad_certificates(env):
        srv = mx(env, cert=pem, key=key)
        try:
            r = modes(env, "--starttls", "verify", RCPT, status=69)
            expect(r, 69, "tls_error", "tls_error", stage="tls", error=error)
            lines = server_bytes(srv)
            in_order(verbs(lines), ["EHLO", "STARTTLS", "QUIT"], "verbs")
            check(not {"MAIL", "RCPT"} & set(verbs(lines)), "envelope sent: %s" % clip(lines))
        except CaseFailure as e:
            raise CaseFailure("[%s] %s" % (name, e))
        finally:
            srv.stop()
    srv = mx(env)
    r = modes(env, "--starttls", "verify", RCPT, status=0)
    doc, p, _ = expect(r, 0, "accepted", "accepted", stage="rcpt")
    eq(field(p, "tls.verified"), True, "tls.verified")
    srv.stop()
    srv = mx(env, tls=False)
    r = modes(env, "--starttls", "verify", RCPT, status=69)
    expect(r, 69, "tls_error", "tls_error", error="starttls_not_offered")
    check(not {"MAIL", "RCPT"} & set(verbs(session(srv))), "envelope sent in clear")


@case("insecure_with_verify_is_usage_error")
def _(env):
    r = env.run("--starttls", "verify", "--insecure", RCPT, json_out=False)
    r.expect_exit(64)
    first = r.err.decode().strip().splitlines()[0]
    check(first.startswith("smtpprobe: ") and "--insecure" in first,
          "stderr does not name --insecure: %s" % clip(first))
    eq(r.out, b"", "stdout")


# --- 3. certificate facts --------------------------------------------------------

def tls_facts(env, pem, key, verified, chain, name, error_words=()):
    srv = mx(env, cert=pem, key=key)
    r = modes(env, RCPT, status=0)
    doc, p, _ = expect(r, 0, "accepted", "accepted", stage="rcpt")
    t = field(p, "tls")
    eq(t.get("mode"), "starttls", "tls.mode")
    eq(t.get("verified"), verified, "tls.verified")
    eq(t.get("chain_trusted"), chain, "tls.chain_trusted")
    eq(t.get("name_matches"), name, "tls.name_matches")
    err = t.get("verify_error") or ""
    check(err, "tls.verify_error is empty for an unverified certificate")
    for w in error_words:
        check(w in err.lower(), "tls.verify_error %s does not mention %r" % (clip(err), w))
    # The envelope still went, inside TLS (opportunistic, as MTAs do).
    lines = session(srv)
    in_order(verbs(lines), ["STARTTLS", "EHLO", "MAIL", "RCPT"], "verbs")
    return r


@case("tls_wrong_name")
def _(env):
    pem, key = make_leaf(env.tmp, "other", ["other.example.test"])
    tls_facts(env, pem, key, verified=False, chain=True, name=False)


@case("tls_self_signed")
def _(env):
    pem, key = make_leaf(env.tmp, "selfsigned", [MX_NAME], ca=None)
    tls_facts(env, pem, key, verified=False, chain=False, name=True, error_words=("self",))


@case("tls_expired")
def _(env):
    pem, key = make_leaf(env.tmp, "expired", [MX_NAME],
                         dates=("20200101000000Z", "20200201000000Z"))
    r = tls_facts(env, pem, key, verified=False, chain=False, name=True, error_words=("expired",))
    na = field(probe_at(r.doc, MX), "tls.not_after") or ""
    check(na.startswith("2020-02-01"), "tls.not_after %s, want 2020-02-01..." % clip(na))


# --- 4. tests/hostile-inputs.md rows -------------------------------------------------------------

@case("hostile_02_several_replies_at_once")
def _(env):
    def one(name, srv):
        r = modes(env, RCPT, status=76)
        expect(r, 76, "protocol_error", "protocol_error", stage=name, error="unsolicited_data")
        lines = session(srv)
        after = {"ehlo": {"MAIL", "RCPT"}, "mail": {"RCPT"}}[name]
        check(not after & set(verbs(lines)), "dialogue went on after the extra reply: %s" % clip(lines))
        quit_after_protocol_error(srv)
    variants(env, [
        ("ehlo", dict(tls=False, replies={"EHLO": "250 %s\r\n250 extra\r\n" % MX_NAME})),
        # No PIPELINING, so MAIL goes alone and its answer must be one reply.
        ("mail", dict(tls=False,
                      replies={"EHLO": ["250-" + MX_NAME, "250 8BITMIME"],
                               "MAIL": "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n235 2.7.0 Ok\r\n"})),
    ], one)


@case("hostile_03_starttls_refused")
def _(env):
    def required(name, srv):
        r = modes(env, "--starttls", "require", RCPT, status=69)
        doc, p, step = expect(r, 69, "tls_error", "tls_error", stage="starttls", category="tls")
        eq(field(step, "reply.code"), int(name), "starttls reply.code")
        lines = session(srv)
        check(not {"MAIL", "RCPT"} & set(verbs(lines)), "envelope sent without TLS: %s" % clip(lines))
        eq(lines[-1], "QUIT", "last line")
    variants(env, [(code, dict(replies={"STARTTLS": code + " 4.7.0 TLS not available now"
                                        if code[0] == "4" else code + " 5.5.1 no TLS"}))
                   for code in ("454", "502", "554")], required)

    # auto: on in clear, and said loudly.
    srv = mx(env, replies={"STARTTLS": "454 4.7.0 TLS not available"})
    r = modes(env, RCPT, status=0)
    doc, p, _ = expect(r, 0, "accepted", "accepted", stage="rcpt")
    eq(field(p, "tls.mode"), "none", "tls.mode")
    eq(field(p, "tls.established"), False, "tls.established")
    check("cleartext" in (p.get("notes") or []), "notes %s lack cleartext" % p.get("notes"))
    for m in ("human", "v"):
        out = r.others[m].out_text
        check(re.search(r"(?i)no tls|in clear|cleartext", out),
              "%s output does not say the dialogue went on in clear" % m)
    lines = session(srv)
    match_lines(lines, ["EHLO " + HELO, "STARTTLS", MAIL_NULL, "RCPT TO:<%s>" % RCPT])
    eq(verbs(lines).count("STARTTLS"), 1, "STARTTLS sent")
    # Offered, then refused, is not "offers no TLS": a finding of its own.
    eq(finding_kinds(doc, probe=0), ["starttls_refused"], "findings about the probe")
    for m in ("human", "v"):
        check("[starttls_refused]" in r.others[m].out_text,
              "%s output lacks the starttls_refused finding" % m)


@case("hostile_04_no_tls_after_220")
def _(env):
    # "close" and "reset" once killed the probe with SIGPIPE (exit -13, no
    # output): OpenSSL wrote its alert to a peer already gone. "reset"
    # races the probe's handshake against the peer's RST, so it gets a few
    # rounds to hit the bad ordering. ("close" sends the 220 and the FIN in
    # one segment, so its outcome does not depend on timing.)
    def one(name, srv):
        rounds = 3 if name == "reset" else 1
        for _ in range(rounds):
            r = modes(env, RCPT, status=69)
            doc, p, step = expect(r, 69, "tls_error", "tls_error", stage="tls",
                                  error="tls_handshake_failed", within=2 * TIMEOUT)
            eq(field(p, "tls.established"), False, "tls.established")
        for i in range(srv.connections):
            lines = session(srv, i)
            eq(lines[:2], ["EHLO " + HELO, "STARTTLS"], "connection %d start" % (i + 1))
            check(not {"EHLO", "HELO", "MAIL", "RCPT"} & set(verbs(lines[2:])),
                  "fallback to clear text after STARTTLS: %s" % clip(lines))
        eq(srv.connections, 3 * rounds, "connections (no reconnect in clear; one per run)")

    variants(env, [
        ("plaintext", dict(starttls_then="220 %s ESMTP in clear again" % MX_NAME,
                           quit="any", why=TLS_BROKEN)),
        ("close", dict(starttls_then="close")),
        ("reset", dict(starttls_then="reset")),
    ], one)


@case("hostile_05_post_tls_ehlo_silent")
def _(env):
    srv = mx(env, tls_silent=["EHLO"], quit="any", why=SILENT)
    r = modes(env, RCPT, status=69, slow=True)
    doc, p, step = expect(r, 69, "unreachable", "timeout", stage="ehlo", error="reply_timeout",
                          within=2 * TIMEOUT)
    eq(step.get("tls"), True, "the timed-out EHLO was inside TLS")
    match_lines(session(srv), ["EHLO " + HELO, "STARTTLS", "EHLO " + HELO])
    check("silent_after_connect" in finding_kinds(doc, probe=0),
          "findings %s lack silent_after_connect" % finding_kinds(doc))


@case("hostile_07_plaintext_on_465")
def _(env):
    addr = env.free_465()
    banner = b"220 plain.hostile.test ESMTP \x1b[31mred\x07\xe2\x80\xae\r\n"
    srv = env.smtp(addr, env.scenario("plain.hostile.test", tls=False, banner=banner), port=465,
                   quit="any", why=TLS_BROKEN)
    r = modes(env, "-s", addr, RCPT, status=69, port=465)
    doc, p, step = expect(r, 69, "tls_error", "tls_error", stage="tls",
                          error="plaintext_on_implicit_tls", address=addr, within=TIMEOUT)
    eq(field(p, "tls.mode"), "implicit", "tls.mode")
    check(not any(l.startswith(("EHLO", "HELO", "MAIL")) for l in srv.lines),
          "the probe spoke SMTP in clear on 465: %s" % clip(srv.lines))


@case("hostile_07_tls_bytes_as_banner")
def _(env):
    # A ServerHello-like record where the greeting should be; "lf" has a
    # 0x0a inside (as random TLS bytes often do), "no_lf" has none.
    head = b"\x16\x03\x03\x00\x31\x02\x00\x00\x2d\x03\x03"
    tail = bytes(range(0x80, 0xa0)) + b"\x00\x13\x01\x00\x00\x05\xff\x01\x00\x01\x00"

    def one(name, srv):
        runs = env.run_modes(RCPT, status=None)
        for run in runs.values():
            check(head not in run.out + run.err, "%s mode: raw TLS bytes printed" % run.mode)
        for run in runs.values():
            run.expect_exit(76)
        # A TLS misconfiguration of the port: category tls, its own
        # error name, and the detail says so.
        doc, p, step = expect(runs["json"], 76, "protocol_error", "protocol_error",
                              stage="banner", category="tls", error="tls_on_plain_port",
                              within=TIMEOUT)
        check("TLS" in (step.get("detail") or ""),
              "the step does not name the TLS port: detail %s" % clip(step.get("detail")))
        # No SMTP spoken to a TLS endpoint, not even QUIT: the probe just closes.
        for i in range(len(runs)):
            eq(session(srv, i), [], "lines sent on connection %d" % (i + 1))

    variants(env, [("lf", dict(banner=head + b"\x0a" + tail)),
                   ("no_lf", dict(banner=head + tail))], one)


@case("hostile_08_trickled_banner")
def _(env):
    banner = "220 " + "t" * 54            # 60 octets with CRLF: 18 s at 0.3 s a byte
    srv = mx(env, banner=banner, trickle=0.3)
    r = modes(env, RCPT, status=69, slow=True)
    doc, p, step = expect(r, 69, "unreachable", "timeout", stage="banner",
                          error="reply_timeout", within=2 * TIMEOUT)
    check(r.elapsed > 0.8 * TIMEOUT, "gave up after %.1f s, before the timeout" % r.elapsed)
    eq(srv.lines, [], "lines the probe sent")


@case("hostile_09_long_reply_line")
def _(env):
    line = "250 2.1.5 " + "x" * 588           # 600 octets with CRLF
    srv = mx(env, replies={"RCPT": line})
    r = modes(env, RCPT, status=0)
    doc, p, step = expect(r, 0, "accepted", "accepted", stage="rcpt")
    eq(field(step, "reply.long_line"), True, "rcpt reply.long_line")
    check("long_line" in (p.get("notes") or []), "notes %s lack long_line" % p.get("notes"))
    eq(len(field(step, "reply.lines.0")), 588 + 6, "length of the kept line")
    srv.stop()

    # Over the cap (2048): cut and reported.
    srv = mx(env, replies={"RCPT": "550 5.1.1 " + "y" * 3000}, quit="any", why=CUT)
    r = modes(env, RCPT, status=76)
    expect(r, 76, "protocol_error", "protocol_error", stage="rcpt", error="line_too_long")
    # The framing is lost: the probe just closes, no QUIT into the stream.
    for i in range(3):
        no_quit(session(srv, i), "connection %d, after a line over the cap" % (i + 1))


@case("hostile_10_megabyte_without_line_end")
def _(env):
    srv = mx(env, banner=b"220 " + b"A" * (1 << 20), quit="any", why=CUT)
    r = modes(env, RCPT, status=76)
    doc, p, step = expect(r, 76, "protocol_error", "protocol_error", stage="banner",
                          error="line_too_long", within=TIMEOUT)
    for i in range(3):
        eq(session(srv, i), [], "lines sent on connection %d (a greeting over the cap)" % (i + 1))
    # Memory: the same megabyte, then a silent second MX keeps the probe
    # alive while its peak memory is read; compared with an ordinary first
    # MX in the same set-up.
    env.smtp(SLOW, env.scenario(SLOW_NAME, banner=None), quit="any", why=SILENT)
    r = env.run("linger.hostile.test", measure_memory=True)
    eq(field(probe_at(r.doc, MX), "outcome"), "protocol_error", "mx outcome (linger)")
    srv.stop()
    mx(env)
    r0 = env.run("linger.hostile.test", measure_memory=True)
    eq(field(probe_at(r0.doc, MX), "outcome"), "accepted", "mx outcome (linger, baseline)")
    grew = r.maxrss_kb - r0.maxrss_kb
    check(grew < 512, "peak memory grew by %d KiB over an ordinary run (%d KiB): not bounded"
          % (grew, r0.maxrss_kb))
    text = " ".join(field(step, "reply.lines") or []) if step.get("reply") else ""
    check(len(text) <= 4 * 2048 + 64, "the record kept %d characters of the line" % len(text))


def endless_continuation():
    for i in range(10 ** 6):
        yield b"250-CAPABILITY-%d\r\n" % i


@case("hostile_11_endless_continuation")
def _(env):
    srv = mx(env, replies={"EHLO": endless_continuation}, quit="any", why=CUT)
    r = modes(env, RCPT, status=76)
    doc, p, step = expect(r, 76, "protocol_error", "protocol_error", stage="ehlo",
                          error="too_many_lines", within=TIMEOUT)
    for i in range(3):
        no_quit(session(srv, i), "connection %d, after a reply over the cap" % (i + 1))
    kept = len(field(step, "reply.lines")) if step.get("reply") else 0
    check(kept <= 100, "the record kept %d lines of the reply" % kept)


@case("hostile_12_short_continuation")
def _(env):
    def bad(name, srv):
        r = modes(env, RCPT, status=76)
        expect(r, 76, "protocol_error", "protocol_error", stage="ehlo", error="malformed_reply")
        quit_after_protocol_error(srv)

    variants(env, [(repr(short), dict(tls=False,
                                      replies={"EHLO": "250-%s\r\n%s\r\n250 8BITMIME\r\n" % (MX_NAME, short)}))
                   for short in ("25", "2", "")], bad)

    # Row 13: a bare "250" with no text ends a reply.
    mx(env, tls=False, replies={"EHLO": "250-%s\r\n250\r\n" % MX_NAME, "RCPT": "250"})
    r = modes(env, RCPT, status=0)
    doc, p, step = expect(r, 0, "accepted", "accepted", stage="rcpt")
    eq(field(step, "reply.lines"), [""], "lines of a bare 250")


@case("hostile_14_malformed_codes")
def _(env):
    def one(name, srv):
        stage = name.split(":")[0]
        r = modes(env, RCPT, status=76)
        expect(r, 76, "protocol_error", "protocol_error", stage=stage, error="malformed_reply")
        quit_after_protocol_error(srv)

    variants(env, [
        ("rcpt: 250-a then 550 b", dict(replies={"RCPT": "250-a\r\n550 b\r\n"})),
        ("banner: 000", dict(banner="000 %s ESMTP" % MX_NAME)),
        ("banner: 600", dict(banner="600 %s ESMTP" % MX_NAME)),
        ("ehlo: 2x0", dict(replies={"EHLO": "2x0 %s" % MX_NAME})),
        ("banner: tab", dict(banner="220\t%s ESMTP" % MX_NAME)),
        ("mail: 25x", dict(replies={"MAIL": "25x 2.1.0 Ok"})),
    ], one)


@case("hostile_14b_replies_behind_a_malformed_one")
def _(env):
    """MAIL's reply is malformed while the RCPTs pipelined behind it are
    answered properly: each later reply is its own command's (recorded on
    its step), and QUIT's reply is QUIT's, not an RCPT's."""
    srv = mx(env, replies={"MAIL": "25x 2.1.0 Ok", "QUIT": "221 2.0.0 See you"})
    r = env.run(RCPT)
    r.expect_exit(76)
    p = r.doc["probes"][0]
    rcpts = [s for s in p["steps"] if s["stage"] == "rcpt"]
    check(rcpts, "the RCPTs were pipelined with MAIL")
    eq([field(s, "reply.code") for s in rcpts], [250] * len(rcpts), "the RCPT steps' replies")
    q = last_step(p, "quit")
    eq((field(q, "reply.code"), field(q, "reply.lines")), (221, ["2.0.0 See you"]),
       "QUIT's reply is QUIT's")
    check("quit_refused" not in finding_kinds(r.doc), "no quit_refused from an RCPT's reply")
    quit_after_protocol_error(srv)


@case("hostile_15_enhanced_code_mismatch")
def _(env):
    srv = mx(env, replies={"RCPT": "250 5.1.1 ok"})
    r = modes(env, RCPT, status=0)
    doc, p, step = expect(r, 0, "accepted", "accepted", stage="rcpt", category="success")
    eq(field(step, "reply.enhanced"), None, "rcpt reply.enhanced")
    eq(field(step, "reply.enhanced_ignored"), True, "rcpt reply.enhanced_ignored")
    srv.stop()
    mx(env, replies={"RCPT": "550 5.1 no such user here"})
    r = modes(env, RCPT, status=77)
    doc, p, step = expect(r, 77, "rejected", "rejected", stage="rcpt")
    eq(field(step, "reply.enhanced"), None, "rcpt reply.enhanced for '5.1'")


@case("hostile_16_bare_lf_cr_nul")
def _(env):
    bare = {"EHLO": b"250-" + MX_NAME.encode() + b"\n250-PIPELINING\n250 8BITMIME\n",
            "MAIL": b"250 2.1.0 Ok\n", "RCPT": b"250 2.1.5 Ok\n", "RSET": b"250 2.0.0 Ok\n",
            "QUIT": b"221 2.0.0 Bye\n"}
    srv = mx(env, tls=False, banner=b"220 " + MX_NAME.encode() + b" ESMTP\n", replies=bare)
    r = modes(env, RCPT, status=0)
    doc, p, step = expect(r, 0, "accepted", "accepted", stage="rcpt")
    check("bare_lf" in (p.get("notes") or []), "notes %s lack bare_lf" % p.get("notes"))
    eq(field(last_step(p, "banner"), "reply.bare_lf"), True, "banner reply.bare_lf")
    eq(field(last_step(p, "ehlo"), "reply.lines"), [MX_NAME, "PIPELINING", "8BITMIME"], "EHLO lines")
    srv.stop()

    # A lone CR is not a line end; NUL is kept, flagged and escaped.
    srv = mx(env, replies={"RCPT": b"250 2.1.5 ok\r250 fake line\x00nul\r\n"})
    r = modes(env, RCPT, status=0)
    doc, p, step = expect(r, 0, "accepted", "accepted", stage="rcpt")
    lines = field(step, "reply.lines")
    eq(len(lines), 1, "lines of a reply with a lone CR")
    check("\\x0d" in lines[0] and "\\x00" in lines[0], "CR/NUL not escaped in %s" % clip(lines[0]))
    eq(field(step, "reply.nul"), True, "rcpt reply.nul")
    eq(len(s_lines(r.others["v"])), wire_lines(srv.conns[2], p), "-v S: lines vs lines sent")


@case("hostile_18_eof_mid_multiline")
def _(env):
    srv = mx(env, replies={"EHLO": "250-%s\r\n250-PIPELINING\r\n" % MX_NAME}, close_after=["EHLO"])
    r = modes(env, RCPT, status=76)
    doc, p, step = expect(r, 76, "protocol_error", "protocol_error", stage="ehlo",
                          error="closed_mid_reply", within=TIMEOUT)
    eq(field(step, "reply.lines"), [MX_NAME, "PIPELINING"], "partial reply lines")
    v = r.others["v"].out_text
    check("PIPELINING" in v, "-v does not show the partial reply")


@case("hostile_21_greetings")
def _(env):
    table = [
        ("521", 77, "rejected", "rejected", []),
        ("421", 75, "tempfail", "tempfail", []),
        ("554", 77, "rejected", "rejected", ["QUIT"]),
        ("221", 76, "protocol_error", "protocol_error", ["QUIT"]),
        ("354", 76, "protocol_error", "protocol_error", ["QUIT"]),
        ("530", 76, "protocol_error", "protocol_error", ["QUIT"]),
    ]
    for code, status, verdict, outcome, sent in table:
        srv = mx(env, banner="%s %s greeting %s" % (code, MX_NAME, code))
        try:
            r = modes(env, RCPT, status=status)
            doc, p, step = expect(r, status, verdict, outcome, stage="banner")
            eq(field(step, "reply.code"), int(code), "banner reply.code")
            for i in range(3):
                eq(session(srv, i), sent, "lines sent after a %s greeting" % code)
            if code in ("521", "421"):
                eq(step.get("category"), "service_unavailable", "banner category")
            elif code == "554":
                one_of(step.get("category"), {"service_unavailable", "policy"}, "banner category")
            else:
                unexpected_reply(env, r, step)
        except CaseFailure as e:
            raise CaseFailure("[%s] %s" % (code, e))
        finally:
            srv.stop()


def unexpected_reply(env, r, step):
    """A reply that decided protocol_error because it makes no sense
    where it came: said so in the step and the remedy (until b69040c the
    step said [success] / [intermediate] and "Nothing to fix")."""
    eq(step.get("category"), "protocol", "category of the deciding %s reply" % step.get("stage"))
    eq(step.get("error"), "unexpected_reply", "error of the deciding step")
    # The verdict's next step is that step's, which explains the error.
    eq(field(r.doc, "verdict.reason"), "protocol_error", "verdict.reason")
    eq(field(r.doc, "verdict.remediation"), step.get("remediation"), "verdict.remediation")


@case("hostile_22_ehlo_refused_helo")
def _(env):
    def one(name, srv):
        r = modes(env, RCPT, status=0)
        doc, p, step = expect(r, 0, "accepted", "accepted", stage="rcpt")
        check("helo_fallback" in (p.get("notes") or []), "notes %s lack helo_fallback" % p.get("notes"))
        in_order(stages(p), ["ehlo", "helo", "mail", "rcpt"], "stages")
        match_lines(session(srv), ["EHLO " + HELO, "HELO " + HELO, MAIL_NULL, "RCPT TO:<%s>" % RCPT])
    variants(env, [(code, dict(replies={"EHLO": code + " 5.5.2 Error: command not recognized"}))
                   for code in ("502", "500")], one)


@case("hostile_23_354_never_data")
def _(env):
    def one(name, srv):
        r = modes(env, RCPT, status=76)
        doc, p, step = expect(r, 76, "protocol_error", "protocol_error", stage=name)
        eq(field(step, "reply.code"), 354, "reply.code")
        for i in range(3):
            lines = session(srv, i)
            eq(lines[-1], "QUIT", "last line after 354 to %s" % name)
        unexpected_reply(env, r, step)
    variants(env, [(v.lower(), dict(replies={v: "354 End data with <CR><LF>.<CR><LF>"}))
                   for v in ("EHLO", "STARTTLS", "MAIL", "RCPT")], one)


@case("hostile_24_421_closes")
def _(env):
    def one(name, srv):
        r = modes(env, RCPT, status=75)
        expect(r, 75, "tempfail", "tempfail", stage=name, category="service_unavailable")
        for i in range(3):
            no_quit(session(srv, i), "after 421 to %s" % name)
    variants(env, [(v.lower(), dict(close_on_421=False,
                                    replies={v: "421 4.3.2 Service shutting down"}))
                   for v in ("EHLO", "MAIL", "RCPT")], one)


@case("rset_refused_after_rcpt")
def _(env):
    """RCPT 250 decides; RSET 500/501/530/354 afterwards is a finding, not
    a verdict change; each RSET reply is explained as an answer to RSET.
    (RSET is only sent, and its reply only read, while something else of
    the run is still under way: here a slow second MX.)"""
    rcpt = awaited(env)

    def one(name, srv):
        r = modes(env, rcpt, status=0)
        doc, p, _ = expect(r, 0, "accepted", "accepted", stage="rcpt")
        eq(finding_kinds(doc, probe=0).count("rset_refused"), 1, "rset_refused findings")
        rs = last_step(p, "rset")
        eq(field(rs, "reply.code"), int(name), "rset reply.code")
        eq(rs.get("error"), None, "rset step error")
        check("RSET" in (rs.get("explanation") or ""),
              "the reply is not explained as an answer to RSET: %s" % rs.get("explanation"))
        for m in ("human", "v"):
            check("[rset_refused]" in r.others[m].out_text,
                  "%s output lacks the rset_refused finding" % m)
        lines = session(srv)
        in_order(verbs(lines), ["RCPT", "RSET", "QUIT"], "verbs")
        check(not {"DATA", "BDAT"} & set(verbs(lines)), "DATA after a 354 to RSET")
    variants(env, [(code, dict(tls=False, replies={"RSET": text}))
                   for code, text in (("500", "500 5.5.1 command unrecognized"),
                                      ("501", "501 5.5.4 syntax error"),
                                      ("530", "530 5.7.0 Authentication required"),
                                      ("354", "354 End data with <CR><LF>.<CR><LF>"))], one)


@case("rset_out_of_step")
def _(env):
    """More replies than commands is provable: even after RCPT decided,
    the verdict becomes a protocol error (the 250 may have answered
    something else). RSET is only sent while the run is still busy: the
    second MX stays silent (so the verdict stays mx's)."""
    rcpt = awaited(env, silent=True)

    def one(name, srv):
        r = modes(env, rcpt if name == "rset" else RCPT, status=76)
        expect(r, 76, "protocol_error", "protocol_error", stage=name, error="unsolicited_data")
        quit_after_protocol_error(srv)
    no_pipe = ["250-" + MX_NAME, "250 8BITMIME"]
    variants(env, [
        ("rset", dict(tls=False, replies={"EHLO": no_pipe,
                                          "RSET": "250 2.0.0 Ok\r\n250 2.0.0 Ok again\r\n"})),
        ("rcpt", dict(tls=False, replies={"EHLO": no_pipe,
                                          "RCPT": "250 2.1.5 Ok\r\n550 5.1.1 unknown\r\n"})),
    ], one)


@case("rset_stray_bytes_keep_verdict")
def _(env):
    """A stray blank line (or half a line) after the RSET reply is a
    protocol slip, but no whole extra reply: nothing proves the RCPT reply
    answered something else, so the verdict stands."""
    no_pipe = ["250-" + MX_NAME, "250 8BITMIME"]
    rcpt = awaited(env)
    srv = mx(env, tls=False, replies={"EHLO": no_pipe, "RSET": "250 2.0.0 Ok\r\n\r\n"})
    r = modes(env, rcpt, status=0)
    doc, p, _ = expect(r, 0, "accepted", "accepted", stage="rcpt")
    eq(last_step(p, "rset").get("error"), "unsolicited_data", "rset step error")
    quit_after_protocol_error(srv)


@case("hostile_25_silence")
def _(env):
    def one(name, srv):
        r = modes(env, RCPT, status=69, slow=True)
        doc, p, step = expect(r, 69, "unreachable", "timeout", stage=name, error="reply_timeout",
                              within=2 * TIMEOUT)
        # It connected: the run says which reply never came, not that no
        # host could be reached.
        check("silent_after_connect" in finding_kinds(doc, probe=0),
              "findings %s lack silent_after_connect" % finding_kinds(doc))
        check("all_unreachable" not in finding_kinds(doc), "all_unreachable for a host that answered")
    variants(env, [
        ("banner", dict(banner=None, quit="any", why=SILENT)),
        ("ehlo", dict(silent=["EHLO"], quit="any", why=SILENT)),
        ("starttls", dict(silent=["STARTTLS"], quit="any", why=SILENT)),
        ("mail", dict(silent=["MAIL", "RCPT"], quit="any", why=SILENT)),
        ("rcpt", dict(silent=["RCPT"], quit="any", why=SILENT)),
    ], one)


@case("hostile_26_quit_unanswered")
def _(env):
    """QUIT unanswered or answered oddly changes no verdict. Alone in the
    run, the probe does not even wait for the reply (it says so); while the
    run is still busy (a slow second MX) it waits, bounded, and a 500 to
    QUIT is the finding quit_refused."""
    rcpt = awaited(env)

    def one(name, srv):
        alone = name.endswith("alone")
        r = modes(env, RCPT if alone else rcpt, status=0, slow=name == "silent")
        doc, p, _ = expect(r, 0, "accepted", "accepted", stage="rcpt", within=2 * TIMEOUT)
        eq(session(srv)[-1], "QUIT", "last line")
        eq("quit_unawaited" in (p.get("notes") or []), alone, "notes quit_unawaited")
        if alone:
            check(r.elapsed < TIMEOUT / 2, "an unawaited QUIT took %.2f s" % r.elapsed)
            check("quit_refused" not in finding_kinds(doc), "quit_refused from an unread reply")
            eq(field(last_step(p, "quit"), "reply"), None, "the unawaited QUIT's reply")
        if name == "odd":
            eq(finding_kinds(doc, probe=0), ["quit_refused"], "findings about the probe")
            q = last_step(p, "quit")
            eq(field(q, "reply.code"), 500, "quit reply.code")
            check("QUIT" in (q.get("explanation") or ""),
                  "the QUIT reply is not explained as an answer to QUIT: %s" % q.get("explanation"))
    variants(env, [("silent", dict(silent=["QUIT"])),
                   ("odd", dict(replies={"QUIT": "500 5.5.1 what?"})),
                   ("silent, alone", dict(silent=["QUIT"])),
                   ("odd, alone", dict(replies={"QUIT": "500 5.5.1 what?"}))], one)


# --- 34-36: terminal escapes -----------------------------------------------------

ESCAPES = (b"\x1b[2J\x1b[H"                        # clear screen, home
           b"\x1b]52;c;cHduZWQ=\x07"               # OSC 52: write the clipboard
           b"\x1b]0;title\x07"                     # OSC 0: window title
           b"\x1b]8;;http://evil.test/\x1b\\link\x1b]8;;\x1b\\"   # OSC 8 hyperlink
           b"\x1b[1A\x1b[2K"                       # cursor up, erase line
           b" bs\x08\x08\x08 "
           b"\xe2\x80\xaegnp.exe "                 # U+202E
           b"zw\xe2\x80\x8bsp\xe2\x80\x8cnj\xef\xbb\xbf "   # U+200B, U+200C, U+FEFF
           b"iso\xe2\x81\xa6x\xe2\x81\xa9 "         # U+2066, U+2069
           b"c1\xc2\x9b31m \x9b31m "               # C1 CSI as UTF-8 and raw
           b"bad\xff\xfe \xc0\xaf \xed\xa0\x80 \xe2\x80 end")
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060"]


@case("hostile_34_36_terminal_escapes")
def _(env):
    fake = b"[+0.001s] #1   tls S: 250 2.1.5 Ok"
    srv = mx(env, banner=b"220 " + MX_NAME.encode() + b" ESMTP " + ESCAPES + b"\r\n",
             replies={"RCPT": b"250 2.1.5 ok \x1b[31m" + ESCAPES + b"\r" + fake + b"\r\n"})
    r = modes(env, RCPT, status=0)
    doc, p, step = expect(r, 0, "accepted", "accepted", stage="rcpt")
    for run in r.others.values():
        text = (run.out + run.err).decode("utf-8")
        for c in INVISIBLE:
            check(c not in text, "%s mode: raw U+%04X printed" % (run.mode, ord(c)))
    line = field(step, "reply.lines.0")
    for esc in ("\\x1b", "\\x08", "\\x0d", "\\u{202E}", "\\u{200B}", "\\xff"):
        check(esc in line, "JSON rcpt line lacks the visible escape %s: %s" % (esc, clip(line)))
    v = r.others["v"]
    eq(len(s_lines(v)), wire_lines(srv.conns[2], p), "-v S: lines vs lines the server sent")
    faked = [l for l in v.out_text.splitlines() if l.startswith(fake.decode())]
    check(not faked, "a reply forged a transcript line: %s" % clip(faked))

    # A reply whose continuation line carries a whole forged transcript line.
    srv.stop()
    srv = mx(env, replies={"RCPT": b"550-5.1.1 no such user\r\n550 5.1.1 \r" + fake + b"\r\n"})
    r = modes(env, RCPT, status=77)
    doc, p, step = expect(r, 77, "rejected", "rejected", stage="rcpt")
    v = r.others["v"]
    eq(len(s_lines(v)), wire_lines(srv.conns[2], p), "-v S: lines vs lines the server sent")
    check(not [l for l in v.out_text.splitlines() if l.startswith(fake.decode())],
          "a reply forged a transcript line")


@case("hostile_37_certificate_subject_controls")
def _(env):
    cn = "evil\x1b[31mred\x07\u202egnp\u200b"
    try:
        pem, key = make_leaf(env.tmp, "ctrlcn", [MX_NAME], cn=cn, utf8=True)
    except CaseFailure as e:
        raise CaseSkip("openssl cannot make a certificate with control characters in its CN: %s" % e)
    p = subprocess.run(["openssl", "x509", "-in", pem, "-noout", "-subject", "-nameopt",
                        "RFC2253,-esc_ctrl,-esc_msb,utf8"], capture_output=True)
    check(b"\x1b[31m" in p.stdout, "setup: the certificate's CN lost its ESC: %s" % clip(p.stdout))
    mx(env, cert=pem, key=key)
    r = modes(env, RCPT, status=0)
    doc, p, step = expect(r, 0, "accepted", "accepted", stage="rcpt")
    subject = field(p, "tls.subject") or ""
    check("\x1b" not in subject and "\x07" not in subject, "raw controls in tls.subject")
    check("\\u{202E}" in subject, "tls.subject %s does not show U+202E escaped" % clip(subject))
    # Escaped once, in the notation of server text: not OpenSSL's RFC 2253
    # "\\1B" with its backslash doubled by the sanitiser ("evil\\\\1B[31m").
    check("\\x1b[31m" in subject and "\\x07" in subject,
          "tls.subject %s, want ESC and BEL shown as \\x1b and \\x07" % clip(subject))
    check("\\1B" not in subject, "tls.subject %s holds OpenSSL's \\1B escape" % clip(subject))
    check("\\x1b[31m" in r.others["v"].out_text, "-v does not show the subject as \\x1b[31m")


@case("hostile_38_output_to_file")
def _(env):
    # Pipes are what every other case uses; here stdout and stderr are a
    # regular file, and the escaping must be the same.
    mx(env, banner=b"220 " + MX_NAME.encode() + b" " + ESCAPES + b"\r\n")
    for flags in ([], ["-v"], ["--json"]):
        path = os.path.join(env.tmp, "out.txt")
        cmd = env.command(flags + [RCPT], json_out=False)
        with open(path, "wb") as f:
            rc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=f, stderr=f,
                                timeout=env.run_limit).returncode
        eq(rc, 0, "exit status with %s" % (flags or "no flags"))
        with open(path, "rb") as f:
            data = f.read()
        probs = output_problems(data)
        check(not probs, "%s to a file: %s" % (flags or "summary", "; ".join(probs)))


def main(argv=None):
    return harness_main(CASES, make_env, __doc__.split("\n\n")[0], argv)


if __name__ == "__main__":
    sys.exit(main())
