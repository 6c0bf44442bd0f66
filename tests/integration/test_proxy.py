#!/usr/bin/python3
"""--proxy: smtpprobe through a scripted SOCKS5 proxy (fakesocks.py) to
scripted SMTP and DNS servers on the loopback network.

    tests/integration/test_proxy.py --binary build/smtpprobe [-k NAME] [-v]

Prints "ok NAME" or "FAIL NAME: why" per case and ends with "N passed, M
failed"; exits 0 only when no case failed.

What is checked: the happy path without and with RFC 1929 credentials
(IPv4 and IPv6 CONNECT, an address and never a name on the wire, the
method offered, the SMTP server seeing the proxy's address, the JSON's
proxy fields), and each way the handshake can fail as its own local
error and outcome: the proxy refusing the connection, stalling (bounded
by --timeout), closing at each step, garbage, method 0xFF, a method not
offered, a refused login, every CONNECT REP code and an unknown ATYP.
The proxy password is registered as a secret: no run may print it
(stdout, stderr, JSON, transcript, the Command: line). The usage errors
of --proxy exit 64 with one line.

The fake world (nothing outside 127.0.0.0/8 and ::1 is contacted):
  fakedns          127.0.0.1:<free port>, zone ZONE below
  mx.px.test       127.0.0.2 on a free port P; target alice@px.test
  mx6.px.test      [::1]:P, AAAA only; target bob@v6.px.test
  the proxy        127.0.0.7:<free port>, relaying from 127.0.0.9
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
from fakesocks import FakeSocks  # noqa: E402
from harness import (  # noqa: E402
    CaseFailure, Env, check, clip, deciding, eq, field, main as harness_main, make_registry,
    probe_at)

TIMEOUT = 2
HELO = "probe.px.test"
MX, MX_NAME = "127.0.0.2", "mx.px.test"
RCPT = "alice@px.test"
V6_NAME, V6_RCPT = "mx6.px.test", "bob@v6.px.test"
PROXY, RELAY_FROM = "127.0.0.7", "127.0.0.9"
USER, PASSWORD = "probe-user", "Px-s3cret-7f1c"

ZONE = {
    "px.test": {"MX": [[10, MX_NAME]]},
    MX_NAME: {"A": [MX]},
    "v6.px.test": {"MX": [[10, V6_NAME]]},
    V6_NAME: {"AAAA": ["::1"]},
}

EHLO = ["250-" + MX_NAME, "250-PIPELINING", "250 ENHANCEDSTATUSCODES"]


def make_env(binary, tmp):
    return Env(binary, tmp, ZONE, [MX_NAME, V6_NAME], [MX], TIMEOUT, HELO, v6=True)


CASES, case = make_registry()


def proxy(env, **script):
    script.setdefault("source", RELAY_FROM)
    px = FakeSocks(PROXY, 0, script)
    px.start()
    env.defer(px.stop)
    return px


def url(px, user=None):
    return "socks5://%s%s:%d" % (user + "@" if user else "", PROXY, px.port)


def mx(env, addr=MX, name=MX_NAME):
    return env.smtp(addr, env.scenario(name, tls=False, replies={"EHLO": EHLO}))


def with_password(env):
    env.forbid(PASSWORD, "the proxy password")
    return {"SMTPPROBE_PROXY_PASSWORD": PASSWORD}


def proxied_ok(env, r, px, srv, address=MX, atyp=1):
    """A probe that went through the proxy and was accepted."""
    r.expect_exit(0)
    doc = r.doc
    eq(field(doc, "verdict.outcome"), "accepted", "verdict.outcome")
    eq(field(doc, "proxy.address"), PROXY, "proxy.address")
    eq(field(doc, "proxy.port"), px.port, "proxy.port")
    p = probe_at(doc, address)
    eq(p["outcome"], "accepted", "probe outcome")
    eq(p["address"], address, "probe address (the mail host's, not the proxy's)")
    check(p["proxy"] is not None, "probe.proxy is null")
    check(p["proxy"]["handshake_ms"] is not None, "probe.proxy.handshake_ms is null")
    # The relay connects from RELAY_FROM over IPv4, from ::1 over IPv6.
    relay = RELAY_FROM if atyp == 1 else "::1"
    bound = p["proxy"]["bound_address"] or ""
    check(bound.startswith(RELAY_FROM + ":" if atyp == 1 else "[::1]:"),
          "bound_address %s, want the relay's %s" % (clip(bound), relay))
    check(p["local_address"].startswith("127.0.0.1:"),
          "local_address %s: this side's address towards the proxy" % clip(p["local_address"]))
    eq(p["steps"][0]["stage"], "connect", "first step")
    eq(p["steps"][0].get("error"), None, "connect step error")
    eq([(e["address"], e["source"]) for e in doc["egress"]], [(relay, "proxy")],
       "egress (the proxy's BND.ADDR, not this side's address)")
    # The wire: one connection, an address (ATYP 1 or 4) and never a name.
    eq(len(px.conns), 1, "connections to the proxy")
    c = px.conns[0]
    eq(c.atyp, atyp, "CONNECT ATYP")
    eq(c.dest, (address, env.port), "CONNECT destination")
    check(c.relayed, "the proxy did not relay")
    # The SMTP server saw the proxy's relay address, not ours.
    env.log(srv)
    eq([conn.peer[0] for conn in srv.conns], [relay],
       "the address the SMTP server saw")
    return doc, p


def failed(r, error, outcome, category="proxy", status=69):
    """The JSON run r ended at the proxy with local error `error`."""
    r.expect_exit(status)
    doc = r.doc
    p = probe_at(doc, MX)
    eq(p["outcome"], outcome, "probe outcome")
    s = deciding(p)
    eq(s["stage"], "connect", "deciding step's stage")
    eq(s["error"], error, "deciding step's error")
    eq(s["category"], category, "deciding step's category")
    eq(p["connect_ms"], None, "connect_ms (the mail host was never reached)")
    eq(p["proxy"]["bound_address"], None, "bound_address")
    return doc, p


# --- the happy path --------------------------------------------------------------

@case("proxy_happy_no_auth")
def _(env):
    srv = mx(env)
    px = proxy(env)
    runs = env.run_modes("--proxy", url(px), RCPT, status=0)
    # Each mode made its own connection; check the JSON one afresh.
    check(all(c.methods == [0] for c in px.conns), "methods offered %s, want [0] only"
          % [c.methods for c in px.conns])
    check("Proxy:" in runs["v"].out_text and "BND.ADDR" in runs["v"].out_text,
          "-v does not name the proxy and its BND.ADDR")
    check("Proxy:" in runs["human"].out_text, "the summary does not name the proxy")
    px.conns.clear()
    srv.conns.clear()
    r = env.run("--proxy", url(px), RCPT)
    doc, p = proxied_ok(env, r, px, srv)
    eq(doc["proxy"]["auth"], "none", "proxy.auth")
    eq(doc["proxy"]["user"], None, "proxy.user")
    eq(doc["proxy"]["url"], url(px), "proxy.url")


@case("proxy_happy_auth")
def _(env):
    srv = mx(env)
    px = proxy(env, auth=(USER, PASSWORD))
    extra = with_password(env)
    runs = env.run_modes("--proxy", url(px, USER), RCPT, status=0, extra_env=extra)
    for c in px.conns:
        eq(c.methods, [2], "methods offered with a user")
        eq((c.user, c.password), (USER, PASSWORD), "RFC 1929 credentials received")
    check("socks5://%s@%s:%d" % (USER, PROXY, px.port) in runs["v"].out_text,
          "-v does not show the proxy URL with its user")
    px.conns.clear()
    srv.conns.clear()
    r = env.run("--proxy", url(px, USER), RCPT, extra_env=extra)
    doc, p = proxied_ok(env, r, px, srv)
    eq(doc["proxy"]["auth"], "username_password", "proxy.auth")
    eq(doc["proxy"]["user"], USER, "proxy.user")


@case("proxy_happy_ipv6_connect")
def _(env):
    srv = mx(env, "::1", V6_NAME)
    px = proxy(env)
    r = env.run("--proxy", url(px), V6_RCPT)
    proxied_ok(env, r, px, srv, address="::1", atyp=4)


@case("proxy_on_ipv6_loopback")
def _(env):
    # The proxy itself at [::1] (the URL's bracketed form); the mail host
    # still IPv4, so CONNECT carries ATYP 1.
    srv = mx(env)
    px = FakeSocks("::1", 0, {"source": RELAY_FROM})
    px.start()
    env.defer(px.stop)
    u = "socks5://[::1]:%d" % px.port
    r = env.run("--proxy", u, RCPT)
    r.expect_exit(0)
    eq((r.doc["proxy"]["url"], r.doc["proxy"]["address"]), (u, "::1"), "proxy url, address")
    p = probe_at(r.doc, MX)
    check(p["local_address"].startswith("[::1]:"), "local_address %s" % clip(p["local_address"]))
    eq((px.conns[0].atyp, px.conns[0].dest), (1, (MX, env.port)), "CONNECT")
    env.log(srv)


@case("proxy_server_host_given")
def _(env):
    # -s ADDR: the probe's address stays the mail host's.
    srv = mx(env)
    px = proxy(env)
    r = env.run("--proxy", url(px), "-s", "%s:%d" % (MX, env.port), RCPT, port=False)
    proxied_ok(env, r, px, srv)


@case("proxy_implicit_tls_465")
def _(env):
    # 465 through the tunnel: the TLS handshake starts right after the
    # CONNECT reply (the client speaks first), and the certificate is the
    # mail host's, checked as on a direct connection.
    addr = env.free_465()
    srv = env.smtp(addr, env.scenario(MX_NAME, implicit_tls=True, replies={"EHLO": EHLO}),
                   port=465)
    px = proxy(env)
    r = env.run("--proxy", url(px), "-s", addr, RCPT, port=465)
    r.expect_exit(0)
    p = probe_at(r.doc, addr)
    eq((p["outcome"], p["port"]), ("accepted", 465), "probe outcome and port")
    # -s ADDR: the certificate names mx.px.test, not the address, so
    # it is established but not verified, as on a direct connection.
    eq((p["tls"]["mode"], p["tls"]["established"]), ("implicit", True), "tls mode, established")
    check(p["proxy"]["bound_address"].startswith(RELAY_FROM + ":"), "bound_address")
    eq(px.conns[0].dest, (addr, 465), "CONNECT destination")
    env.log(srv)


@case("proxy_bound_unspecified")
def _(env):
    # A proxy that answers BND.ADDR 0.0.0.0:0 names no address: no egress
    # from it, and never this side's own address instead.
    srv = mx(env)
    px = proxy(env, bind=("0.0.0.0", 0))
    r = env.run("--proxy", url(px), RCPT)
    r.expect_exit(0)
    p = probe_at(r.doc, MX)
    eq(p["proxy"]["bound_address"], "0.0.0.0:0", "bound_address")
    eq(r.doc["egress"], [], "egress")
    env.log(srv)


# --- the proxy refuses, stalls, breaks ----------------------------------------------

@case("proxy_refused")
def _(env):
    px = proxy(env)
    port = px.port
    px.stop()  # nothing listens there now
    r = env.run("--proxy", "socks5://%s:%d" % (PROXY, port), RCPT)
    doc, _ = failed(r, "proxy_refused", "unreachable")
    eq([f["kind"] for f in doc["findings"]][:1], ["proxy_failed"], "findings")
    eq(field(doc, "verdict.reason"), "finding", "verdict.reason")


def stalled(stall_at, what):
    def run(env):
        px = proxy(env, stall_at=stall_at)
        r = env.run("--proxy", url(px), RCPT)
        failed(r, "proxy_timeout", "timeout")
        check(r.elapsed < TIMEOUT * 2 + 1.5, "%s took %.1f s (--timeout %d)"
              % (what, r.elapsed, TIMEOUT))
    return run


case("proxy_stall_accept")(stalled("accept", "a stalled proxy"))
case("proxy_stall_connect")(stalled("connect", "a stalled CONNECT"))


@case("proxy_closed_mid_handshake")
def _(env):
    extra = with_password(env)
    mx(env)  # so that the CONNECT reply cut in half is a success's
    for at in ("greeting", "auth", "connect", "mid_reply"):
        script = {"close_at": at}
        if at == "auth":
            script["auth"] = (USER, PASSWORD)
        px = proxy(env, **script)
        user = USER if at == "auth" else None
        r = env.run("--proxy", url(px, user), RCPT, extra_env=extra)
        try:
            failed(r, "proxy_closed", "unreachable")
        except CaseFailure as e:
            raise CaseFailure("closed at %s: %s" % (at, e))


@case("proxy_garbage")
def _(env):
    px = proxy(env, garbage=b"HTTP/1.1 400 Bad Request\r\n\r\n")
    r = env.run("--proxy", url(px), RCPT)
    failed(r, "proxy_garbage", "unreachable")


@case("proxy_no_acceptable_method")
def _(env):
    # The proxy wants a login the command line did not give: 0xFF.
    px = proxy(env, auth=(USER, PASSWORD))
    r = env.run("--proxy", url(px), RCPT)
    failed(r, "proxy_no_acceptable_method", "unreachable")
    eq(px.conns[0].methods, [0], "methods offered without a user")


@case("proxy_method_unsupported")
def _(env):
    px = proxy(env, method=0x01)  # GSSAPI, never offered
    r = env.run("--proxy", url(px), RCPT)
    failed(r, "proxy_method_unsupported", "unreachable")


@case("proxy_auth_failed")
def _(env):
    px = proxy(env, auth=(USER, "another-password"))
    extra = with_password(env)
    runs = env.run_modes("--proxy", url(px, USER), RCPT, status=69, extra_env=extra)
    doc, p = failed(runs["json"], "proxy_auth_failed", "unreachable")
    eq([f["kind"] for f in doc["findings"]][:1], ["proxy_failed"], "findings")
    eq(field(doc, "verdict.reason"), "finding", "verdict.reason")
    eq(px.conns[0].password, PASSWORD, "the password the proxy received")


@case("proxy_connect_reply_codes")
def _(env):
    want = {
        1: ("proxy_general_failure", "unreachable", "proxy"),
        2: ("proxy_forbidden", "unreachable", "proxy"),
        3: ("proxy_network_unreachable", "unreachable", "network"),
        4: ("proxy_host_unreachable", "unreachable", "network"),
        5: ("proxy_connection_refused", "refused", "network"),
        6: ("proxy_ttl_expired", "unreachable", "network"),
        7: ("proxy_command_unsupported", "unreachable", "proxy"),
        8: ("proxy_address_type_unsupported", "unreachable", "proxy"),
        9: ("proxy_unassigned_reply", "unreachable", "proxy"),
        0xFF: ("proxy_unassigned_reply", "unreachable", "proxy"),
    }
    for rep, (error, outcome, category) in sorted(want.items()):
        px = proxy(env, rep=rep)
        r = env.run("--proxy", url(px), RCPT)
        try:
            doc, p = failed(r, error, outcome, category)
            kinds = [f["kind"] for f in doc["findings"]]
            # Only the proxy's own failures blame the proxy as a whole.
            eq("proxy_failed" in kinds, category == "proxy", "finding proxy_failed")
            check("all_unreachable" not in kinds and "port25_blocked" not in kinds,
                  "a network finding about this side: %s" % kinds)
        except CaseFailure as e:
            raise CaseFailure("REP 0x%02x: %s" % (rep, e))


@case("proxy_bad_address_type")
def _(env):
    mx(env)  # the reply is a success's, but for its ATYP
    px = proxy(env, atyp=9)
    r = env.run("--proxy", url(px), RCPT)
    failed(r, "proxy_bad_address_type", "unreachable")


# --- the command line -----------------------------------------------------------------

@case("proxy_usage_errors")
def _(env):
    bad = [
        "socks5://proxy.px.test:1080",           # a name: its lookup would block
        "socks5h://127.0.0.7:1080",              # remote resolution
        "http://127.0.0.7:8080",
        "socks5://127.0.0.7:0",
        "socks5://127.0.0.7:1080/path",
        "socks5://[127.0.0.7]:1080",
        "socks5://%s:%s@127.0.0.7:1080" % (USER, PASSWORD),  # a password in argv
    ]
    env.forbid(PASSWORD, "a password given in the URL")
    for u in bad:
        r = env.run("--proxy", u, RCPT, json_out=False)
        r.expect_exit(64)
        lines = r.err.decode().splitlines()
        check(lines and lines[0].startswith("smtpprobe: bad --proxy"),
              "%s: stderr %s" % (clip(u), clip(r.err)))
        eq(r.out, b"", "stdout for %s" % clip(u))
    # A user, no password in the environment and no terminal: 64.
    r = env.run("--proxy", "socks5://%s@127.0.0.7:1080" % USER, RCPT, json_out=False,
                extra_env={"SMTPPROBE_PROXY_PASSWORD": ""})
    r.expect_exit(64)
    check(b"SMTPPROBE_PROXY_PASSWORD" in r.err, "stderr %s" % clip(r.err))


def main(argv=None):
    return harness_main(CASES, make_env, __doc__.split("\n\n")[0], argv)


if __name__ == "__main__":
    sys.exit(main())
