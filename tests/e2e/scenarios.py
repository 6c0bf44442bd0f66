#!/usr/bin/env python3
"""End-to-end scenarios: the real smtpprobe binary against the lab.

The lab (lab-up.sh) must be up. Every scenario runs the binary inside the
lab's network namespace, where the system resolver is unbound (through
/etc/netns/NAME/resolv.conf), and asserts the exit status, verdict.outcome
and the JSON fields that matter for it. Prints `ok NAME`, `FAIL NAME: why`
or `skip NAME: why` per scenario and `e2e: N passed, M failed, K skipped` last;
exits 0 only if nothing failed.

Only the standard library; run by run.sh, which brings the lab up and down.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
sys.dont_write_bytecode = True
from schema import schema_problems  # noqa: E402

ZONE = "lab.test"
LAB_DROP = "127.0.1.5"   # lab-env.sh: port 25 dropped, 587 answers, 465 closed
LAB_DEAD = "127.0.1.11"  # lab-env.sh: every TCP segment dropped
LAB_PROXY, LAB_PROXY_PORT = "127.0.6.1", 1080  # lab-env.sh: danted, no authentication
LAB_PROXY_OUT = "127.0.6.2"                    # danted's external address
LAB_DENY = "127.0.1.3"   # danted's rules block CONNECT to it on 25
PROXY_URL = "socks5://%s:%d" % (LAB_PROXY, LAB_PROXY_PORT)


# Seconds added to every wall-time bound: the process start-up of a slow
# wrapper (valgrind-probe.sh takes about 1.5 s) is not the probe's wait.
SLACK = float(os.environ.get("SMTPPROBE_E2E_SLACK", "0"))

class Skip(Exception):
    """A scenario that cannot pass for a known reason (a recorded bug)."""


class Result:
    def __init__(self, args, rc, out, err, wall):
        self.args = args
        self.rc = rc
        self.out = out
        self.err = err
        self.wall = wall
        self._json = None

    @property
    def json(self):
        if self._json is None:
            try:
                self._json = json.loads(self.out)
            except ValueError as e:
                raise AssertionError(
                    "stdout is not one JSON document (%s): %r" % (e, self.out[:300])
                )
        return self._json

    def brief(self):
        return "rc=%d, stderr=%r" % (self.rc, self.err.strip()[-300:])


class Lab:
    def __init__(self, opts):
        self.binary = os.path.abspath(opts.binary)
        self.ns = opts.ns
        self.dir = opts.lab_dir
        self.password = opts.password
        self.ca = os.path.join(self.dir, "pki", "ca.pem")

    def run(self, args, env=None, timeout=60, ca=True, stdin=subprocess.DEVNULL):
        """Run the binary in the namespace; returns a Result."""
        cmd = ["ip", "netns", "exec", self.ns, self.binary]
        if ca:
            cmd += ["--ca-file", self.ca]
        cmd += args
        e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"}
        # Sanitizer settings pass through (run.sh against an ASan build),
        # and so does the binary a wrapper such as valgrind-probe.sh runs.
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "SMTPPROBE_REAL_BIN"):
            if k in os.environ:
                e[k] = os.environ[k]
        if env:
            e.update(env)
        t0 = time.monotonic()
        p = subprocess.run(
            cmd,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=e,
            timeout=timeout,
        )
        wall = time.monotonic() - t0
        r = Result(
            args,
            p.returncode,
            p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"),
            wall,
        )
        # Every JSON document the lab produces conforms to the schema.
        if "--json" in args and r.rc not in (64, 65):
            probs = schema_problems(r.json)
            check(not probs, "%r: %s" % (args, "; ".join(probs)))
        return r

    def probe(self, args, **kw):
        return self.run(["--json"] + args, **kw)


# ------------------------------------------------------------ assertions


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def eq(actual, expected, what):
    check(actual == expected, "%s: expected %r, got %r" % (what, expected, actual))


def expect(r, status, outcome):
    """Exit status and verdict.outcome, the two things every scenario pins."""
    d = r.json
    check(
        r.rc == status,
        "exit status %d, expected %d (verdict %r; %s)"
        % (r.rc, status, d.get("verdict"), r.brief()),
    )
    eq(d["verdict"]["outcome"], outcome, "verdict.outcome")
    eq(d["verdict"]["exit_status"], status, "verdict.exit_status")
    check(d["verdict"].get("summary"), "verdict.summary is empty")
    return d


def probes_on(d, host=None, port=None):
    return [
        p
        for p in d["probes"]
        if (host is None or p["host"] == host) and (port is None or p["port"] == port)
    ]


def one_probe(d, host=None, port=None):
    ps = probes_on(d, host, port)
    check(
        len(ps) == 1,
        "expected one probe of %s port %s, got %r"
        % (host, port, [(p["host"], p["address"], p["port"]) for p in d["probes"]]),
    )
    return ps[0]


def steps(p, stage):
    return [s for s in p["steps"] if s["stage"] == stage]


def step(p, stage, last=True):
    """The stage's step; for "rcpt" the target's (the one that decides),
    not the control recipient's or the catch-all test's after it."""
    ss = steps(p, stage)
    if stage == "rcpt":
        ss = [s for s in ss if s.get("role") == "target"]
    check(ss, "no %r step in probe of %s: stages %r" % (stage, p["host"], [s["stage"] for s in p["steps"]]))
    return ss[-1] if last else ss[0]


def reply_is(s, code, enhanced=None, category=None):
    rep = s.get("reply") or {}
    eq(rep.get("code"), code, "%s reply code" % s["stage"])
    if enhanced is not None:
        eq(rep.get("enhanced"), enhanced, "%s enhanced code" % s["stage"])
    if category is not None:
        eq(s.get("category"), category, "%s category" % s["stage"])


def never_sent_data(d):
    for p in d["probes"]:
        for s in p["steps"]:
            sent = (s.get("sent") or "").upper()
            check(
                not sent.startswith("DATA") and not sent.startswith("BDAT"),
                "probe of %s sent %r" % (p["host"], s.get("sent")),
            )


def tls_verified(p, mode):
    t = p["tls"]
    eq(t["mode"], mode, "tls.mode of %s:%d" % (p["host"], p["port"]))
    check(t["verified"] is True, "tls.verified is %r (verify_error %r)" % (t["verified"], t.get("verify_error")))
    eq(t["verify_error"], None, "tls.verify_error")
    check(str(t.get("version", "")).startswith("TLSv1."), "tls.version %r" % t.get("version"))
    check(t.get("cipher"), "tls.cipher is empty")


# ------------------------------------------------------------ scenarios

SCENARIOS = []


def scenario(fn):
    SCENARIOS.append(fn)
    return fn


@scenario
def accepted_verified_tls(lab):
    """Known user, STARTTLS verified against the lab CA, system resolver."""
    r = lab.probe(["alice@ok." + ZONE])
    d = expect(r, 0, "accepted")
    eq(d["target"], "alice@ok." + ZONE, "target")
    eq(d["domain"], "ok." + ZONE, "domain")
    eq(d["dns"]["status"], "ok", "dns.status")
    eq(d["dns"]["implicit_mx"], False, "dns.implicit_mx")
    eq([(m["preference"], m["host"], m["addresses"]) for m in d["dns"]["mx"]],
       [(10, "mx1." + ZONE, ["127.0.1.1"])], "dns.mx")
    p = one_probe(d)
    eq((p["host"], p["address"], p["port"], p["outcome"]),
       ("mx1." + ZONE, "127.0.1.1", 25, "accepted"), "probe")
    tls_verified(p, "starttls")
    reply_is(step(p, "banner"), 220)
    reply_is(step(p, "starttls"), 220)
    reply_is(step(p, "mail"), 250, "2.1.0", "success")
    s = step(p, "rcpt")
    eq(s["sent"], "RCPT TO:<alice@ok.%s>" % ZONE, "rcpt sent")
    reply_is(s, 250, "2.1.5", "success")
    eq(p["steps"][-1]["stage"], "quit", "last step")
    never_sent_data(d)


@scenario
def unknown_user_550_511(lab):
    r = lab.probe(["nobody@ok." + ZONE])
    d = expect(r, 77, "rejected")
    p = one_probe(d)
    eq(p["outcome"], "rejected", "probe outcome")
    tls_verified(p, "starttls")
    s = step(p, "rcpt")
    reply_is(s, 550, "5.1.1", "mailbox_unknown")
    check("unknown" in " ".join(s["reply"]["lines"]).lower(), "reply text %r" % s["reply"]["lines"])
    check(s["explanation"] and s["remediation"], "no explanation/remediation for 550 5.1.1")
    eq(d["verdict"]["deciding_probe"], 0, "verdict.deciding_probe")


@scenario
def domain_only_stops_after_mail(lab):
    r = lab.probe(["ok." + ZONE])
    d = expect(r, 0, "accepted")
    p = one_probe(d)
    reply_is(step(p, "mail"), 250, "2.1.0")
    eq(steps(p, "rcpt"), [], "rcpt steps for a DOMAIN")
    never_sent_data(d)


@scenario
def nxdomain(lab):
    r = lab.probe(["alice@nosuch." + ZONE])
    d = expect(r, 68, "no_mail_host")
    eq(d["dns"]["status"], "nxdomain", "dns.status")
    eq(d["probes"], [], "probes")


@scenario
def null_mx(lab):
    r = lab.probe(["alice@nullmx." + ZONE])
    d = expect(r, 68, "no_mail_host")
    eq(d["dns"]["status"], "null_mx", "dns.status")
    eq(d["probes"], [], "probes")
    eq(d["verdict"].get("reason"), "null_mx", "verdict.reason")


@scenario
def no_mx_no_address_nodata(lab):
    r = lab.probe(["alice@empty." + ZONE])
    d = expect(r, 68, "no_mail_host")
    eq(d["dns"]["status"], "nodata", "dns.status")
    eq(d["probes"], [], "probes")


@scenario
def implicit_mx_a_only(lab):
    r = lab.probe(["alice@implicit." + ZONE])
    d = expect(r, 0, "accepted")
    eq(d["dns"]["implicit_mx"], True, "dns.implicit_mx")
    eq([(m["host"], m["addresses"]) for m in d["dns"]["mx"]],
       [("implicit." + ZONE, ["127.0.1.1"])], "dns.mx")
    p = one_probe(d)
    eq((p["host"], p["address"], p["outcome"]), ("implicit." + ZONE, "127.0.1.1", "accepted"), "probe")
    tls_verified(p, "starttls")


@scenario
def mx_without_address_only(lab):
    r = lab.probe(["alice@dangling." + ZONE])
    d = expect(r, 68, "no_mail_host")
    eq(d["dns"]["status"], "ok", "dns.status")
    mx = d["dns"]["mx"]
    eq([(m["host"], m["addresses"]) for m in mx], [("ghost." + ZONE, [])], "dns.mx")
    eq(mx[0].get("dangling"), True, "dns.mx[0].dangling")
    eq(d["probes"], [], "probes")


@scenario
def mx_without_address_flagged(lab):
    r = lab.probe(["alice@halfdangling." + ZONE])
    d = expect(r, 0, "accepted")
    mx = {m["host"]: m for m in d["dns"]["mx"]}
    check("ghost." + ZONE in mx and "mx1." + ZONE in mx, "dns.mx hosts %r" % list(mx))
    eq(mx["ghost." + ZONE]["addresses"], [], "ghost addresses")
    eq(mx["ghost." + ZONE].get("dangling"), True, "ghost dangling")
    eq(mx["mx1." + ZONE].get("dangling"), False, "mx1 dangling")
    texts = " ".join(f.get("text", "") for f in d.get("findings", []))
    check("ghost." + ZONE in texts, "no finding names the dangling MX: %r" % d.get("findings"))
    eq(one_probe(d)["outcome"], "accepted", "mx1 probe outcome")


@scenario
def primary_rejected_backup_accepts(lab):
    """MX 10 behind nftables REJECT (tcp reset), MX 20 accepts."""
    r = lab.probe(["alice@fallback." + ZONE])
    d = expect(r, 0, "accepted")
    eq([m["host"] for m in d["dns"]["mx"]], ["reset." + ZONE, "backup." + ZONE], "MX order")
    pr = one_probe(d, "reset." + ZONE)
    eq(pr["outcome"], "refused", "primary outcome")
    c = step(pr, "connect")
    eq(c["category"], "network", "primary connect category")
    pb = one_probe(d, "backup." + ZONE)
    eq(pb["outcome"], "accepted", "backup outcome")
    tls_verified(pb, "starttls")
    eq(d["verdict"]["deciding_probe"], d["probes"].index(pb), "deciding probe is the backup")


@scenario
def reset_only_unreachable(lab):
    r = lab.probe(["alice@refused." + ZONE])
    d = expect(r, 69, "unreachable")
    eq(one_probe(d)["outcome"], "refused", "probe outcome")


@scenario
def port25_dropped_submission_answers(lab):
    """Port 25 dropped (nftables), 587 open, 465 closed on the same host:
    the probe times out on 25, then tries 587 and 465 connect only, as
    swaks sees them; port25_blocked is the reason (587 answered), the
    checks are not probes, and the run costs about one --timeout."""
    t = 3
    ref = _reference(lab)["ports"]
    r = lab.probe(["-t", str(t), "alice@dropped." + ZONE])
    d = expect(r, 69, "unreachable")
    p = one_probe(d)
    eq((p["port"], p["outcome"]), (25, "timeout"), "the one probe")
    c = step(p, "connect")
    eq((c["category"], c.get("error")), ("network", "connection_timed_out"), "connect step")
    eq(d["verdict"].get("reason"), "finding", "verdict.reason")
    f = d["findings"][d["verdict"]["finding"]]
    eq((f.get("kind"), f.get("port")), ("port25_blocked", 587), "the verdict's finding")
    got = {"%s:%d" % (x["address"], x["port"]): x["result"] for x in d["connect_checks"]}
    want = {k: v for k, v in ref.items() if k.startswith(LAB_DROP + ":") and not k.endswith(":25")}
    eq(got, want, "connect_checks (swaks: %r)" % ref)
    eq(ref[LAB_DROP + ":25"], "timeout", "swaks on port 25")
    check("all_unreachable" not in _kinds(d), "all_unreachable beside port25_blocked")
    check(0.9 * t <= r.wall <= 1.5 * t + SLACK,
          "wall time %.2f s is not about one --timeout (%d s)" % (r.wall, t))
    out = lab.run(["-t", str(t), "alice@dropped." + ZONE]).out
    check("[%s]:587 connected" % LAB_DROP in out, "the summary lacks the checks: %r" % out[-600:])


@scenario
def receiver_dead_on_every_port(lab):
    """Every TCP segment to the host dropped: 25, 587 and 465 all time out
    (swaks agrees), so the reason is all_unreachable, now saying the
    receiver is down or filtering rather than a port-25 block here; about
    two --timeouts."""
    t = 2
    ref = _reference(lab)["ports"]
    r = lab.probe(["-t", str(t), "alice@dead." + ZONE])
    d = expect(r, 69, "unreachable")
    eq([x["result"] for x in d["connect_checks"]], ["timeout", "timeout"], "connect_checks")
    eq([ref["%s:%d" % (LAB_DEAD, port)] for port in (25, 587, 465)], ["timeout"] * 3,
       "swaks on the dead host")
    f = d["findings"][d["verdict"]["finding"]]
    eq((f.get("kind"), f.get("port")), ("all_unreachable", 25), "the verdict's finding")
    check("port25_blocked" not in _kinds(d), "port25_blocked for a dead receiver")
    check(1.8 * t <= r.wall <= 2.5 * t + SLACK,
          "wall time %.2f s is not about two --timeouts (%d s)" % (r.wall, t))


@scenario
def no_connect_checks_when_25_answers(lab):
    """Negatives: a host that answers on 25, one that refuses 25 (RST), and
    a run that already asks for 587 itself get no connect-only checks."""
    for args in (["alice@ok." + ZONE], ["alice@refused." + ZONE],
                 ["-t", "2", "-p", "25,587", "alice@dropped." + ZONE]):
        d = lab.probe(args).json
        eq(d["connect_checks"], [], "connect_checks for %r" % args)


@scenario
def three_mx_one_dropping_costs_one_timeout(lab):
    t = 3
    r = lab.probe(["-t", str(t), "alice@three." + ZONE])
    d = expect(r, 0, "accepted")
    eq(len(d["probes"]), 3, "probes")
    eq(one_probe(d, "drop." + ZONE)["outcome"], "timeout", "drop outcome")
    eq(one_probe(d, "backup." + ZONE)["outcome"], "accepted", "backup outcome")
    eq(one_probe(d, "mx1." + ZONE)["outcome"], "accepted", "mx1 outcome")
    eq(d["probes"][d["verdict"]["deciding_probe"]]["host"], "backup." + ZONE, "deciding host (MX 20)")
    check(r.wall <= 1.2 * t + SLACK, "wall time %.2f s > 1.2 x --timeout (%d s)" % (r.wall, t))


@scenario
def servfail_via_system_resolver(lab):
    """broken.test: knot has the zone configured but not loaded -> SERVFAIL."""
    r = lab.probe(["alice@x.broken.test"])
    d = expect(r, 75, "dns_error")
    eq(d["dns"]["status"], "servfail", "dns.status")
    eq(d["probes"], [], "probes")


@scenario
def servfail_via_dns_server_option(lab):
    r = lab.probe(["--dns-server", "127.0.0.54", "alice@x.broken.test"])
    d = expect(r, 75, "dns_error")
    eq(d["dns"]["status"], "servfail", "dns.status")


@scenario
def dns_timeout_dropped_resolver(lab):
    t = 2
    r = lab.probe(["-t", str(t), "--dns-server", "127.0.0.55", "alice@ok." + ZONE])
    d = expect(r, 75, "dns_error")
    eq(d["dns"]["status"], "timeout", "dns.status")
    check(r.wall <= 3 * t + SLACK, "DNS timeout took %.2f s with --timeout %d" % (r.wall, t))


@scenario
def dns_server_authoritative(lab):
    r = lab.probe(["--dns-server", "127.0.0.54", "alice@ok." + ZONE])
    d = expect(r, 0, "accepted")
    tls_verified(one_probe(d), "starttls")


@scenario
def dns_server_ipv6_with_port(lab):
    r = lab.probe(["--dns-server", "[::1]:53", "alice@ok." + ZONE])
    expect(r, 0, "accepted")


@scenario
def greylisted_450_420(lab):
    r = lab.probe(["alice@greylist." + ZONE])
    d = expect(r, 75, "tempfail")
    p = one_probe(d)
    eq(p["outcome"], "tempfail", "probe outcome")
    reply_is(step(p, "rcpt"), 450, "4.2.0", "greylisted")


@scenario
def client_rejected_554_at_connect(lab):
    r = lab.probe(["alice@denied." + ZONE])
    d = expect(r, 77, "rejected")
    p = one_probe(d)
    eq(p["outcome"], "rejected", "probe outcome")
    b = step(p, "banner")
    reply_is(b, 554, "5.7.1")
    check(b["category"] in ("policy", "service_unavailable", "ip_blocklisted"),
          "banner category %r" % b["category"])
    for stage in ("ehlo", "mail", "rcpt"):
        eq(steps(p, stage), [], "%s steps after a 554 greeting" % stage)


@scenario
def starttls_require_without_starttls(lab):
    r = lab.probe(["--starttls", "require", "alice@notls." + ZONE])
    d = expect(r, 69, "tls_error")
    p = one_probe(d)
    eq(p["outcome"], "tls_error", "probe outcome")
    eq(p["tls"]["mode"], "none", "tls.mode")
    for stage in ("mail", "rcpt"):
        eq(steps(p, stage), [], "%s in clear with --starttls require" % stage)


@scenario
def starttls_auto_without_starttls(lab):
    r = lab.probe(["alice@notls." + ZONE])
    d = expect(r, 0, "accepted")
    p = one_probe(d)
    eq(p["tls"]["mode"], "none", "tls.mode")
    eq(steps(p, "starttls"), [], "starttls steps")


@scenario
def starttls_never(lab):
    r = lab.probe(["--starttls", "never", "alice@ok." + ZONE])
    d = expect(r, 0, "accepted")
    p = one_probe(d)
    eq(p["tls"]["mode"], "none", "tls.mode")
    eq(steps(p, "starttls"), [], "starttls steps")


@scenario
def untrusted_ca_still_encrypts(lab):
    """Without --ca-file the lab CA is unknown: TLS is used, not verified."""
    r = lab.probe(["alice@ok." + ZONE], ca=False)
    d = expect(r, 0, "accepted")
    t = one_probe(d)["tls"]
    eq((t["mode"], t["verified"]), ("starttls", False), "tls mode/verified")
    check(t["verify_error"], "tls.verify_error is empty")
    check(any(f.get("kind") == "tls_unverified" for f in d.get("findings", [])),
          "no tls_unverified finding: %r" % d.get("findings"))


@scenario
def certificate_name_mismatch(lab):
    r = lab.probe(["alice@mismatch." + ZONE])
    d = expect(r, 0, "accepted")
    t = one_probe(d)["tls"]
    eq(t["verified"], False, "tls.verified")
    eq(t.get("chain_trusted"), True, "tls.chain_trusted")
    eq(t.get("name_matches"), False, "tls.name_matches")


@scenario
def implicit_tls_465(lab):
    r = lab.probe(["-p", "465", "alice@ok." + ZONE])
    d = expect(r, 0, "accepted")
    p = one_probe(d, port=465)
    eq(p["outcome"], "accepted", "probe outcome")
    tls_verified(p, "implicit")
    eq(steps(p, "starttls"), [], "starttls steps on 465")
    reply_is(step(p, "rcpt"), 250, "2.1.5")


@scenario
def three_ports_each_a_verdict(lab):
    r = lab.probe(["-p", "25,465,587", "alice@ok." + ZONE])
    d = expect(r, 0, "accepted")
    v = {x["port"]: x["outcome"] for x in d.get("verdicts", [])}
    eq(v, {25: "accepted", 465: "accepted", 587: "rejected"}, "per-port verdicts")
    p = one_probe(d, port=587)
    reply_is(step(p, "rcpt"), 554, "5.7.1")


def _no_secret(lab, results, secret):
    for r in results:
        for name, text in (("stdout", r.out), ("stderr", r.err)):
            check(secret not in text, "the password appears in %s of %r" % (name, r.args))


@scenario
def submission_587_auth_success(lab):
    env = {"SMTPPROBE_PASSWORD": lab.password}
    args = ["-s", "mx1." + ZONE, "-p", "587", "--auth", "alice", "alice@ok." + ZONE]
    r = lab.probe(args, env=env)
    d = expect(r, 0, "accepted")
    p = one_probe(d, port=587)
    tls_verified(p, "starttls")
    a = step(p, "auth")
    reply_is(a, 235, "2.7.0", "success")
    check(lab.password not in json.dumps(d), "password in the JSON")
    check("redacted" in (a.get("sent") or ""), "AUTH step not shown redacted: %r" % a.get("sent"))
    reply_is(step(p, "rcpt"), 250, "2.1.5")
    rv = lab.run(["-v"] + args, env=env)
    eq(rv.rc, 0, "exit status of the -v run")
    check("AUTH" in rv.out, "-v transcript shows no AUTH")
    _no_secret(lab, [r, rv], lab.password)


@scenario
def submission_587_auth_wrong_password(lab):
    wrong = "Wrong-Pass-41f9"
    env = {"SMTPPROBE_PASSWORD": wrong}
    args = ["-s", "mx1." + ZONE, "-p", "587", "--auth", "alice", "alice@ok." + ZONE]
    r = lab.probe(args, env=env)
    d = expect(r, 77, "rejected")
    p = one_probe(d, port=587)
    reply_is(step(p, "auth"), 535, "5.7.8", "auth_failed")
    for stage in ("mail", "rcpt"):
        eq(steps(p, stage), [], "%s after a failed AUTH" % stage)
    rv = lab.run(["-v"] + args, env=env)
    eq(rv.rc, 77, "exit status of the -v run")
    _no_secret(lab, [r, rv], wrong)


def _postfix_log(lab):
    path = os.path.join(lab.dir, "log", "postfix.log")
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().splitlines()


def _new_postfix_lines(lab, before, want_disconnects):
    """Postfix log lines written since `before` lines, once postlogd has
    written the expected number of disconnects (it writes asynchronously)."""
    deadline = time.monotonic() + 5
    while True:
        lines = _postfix_log(lab)[before:]
        if sum(" disconnect from " in l for l in lines) >= want_disconnects:
            return lines
        if time.monotonic() > deadline:
            raise AssertionError("postfix logged %d disconnects, want %d: %r"
                                 % (sum(" disconnect from " in l for l in lines),
                                    want_disconnects, lines[-5:]))
        time.sleep(0.1)


@scenario
def submission_587_auth_unverified_withheld(lab):
    """587 with a certificate this probe cannot verify (the lab CA is not
    given): --auth sends no AUTH at all; Postfix's own log proves it."""
    env = {"SMTPPROBE_PASSWORD": lab.password}
    args = ["-s", "mx1." + ZONE, "-p", "587", "--auth", "alice", "alice@ok." + ZONE]
    before = len(_postfix_log(lab))
    r = lab.probe(args, env=env, ca=False)
    d = expect(r, 69, "tls_error")
    p = one_probe(d, port=587)
    eq(p["outcome"], "tls_error", "probe outcome")
    eq((p["tls"]["established"], p["tls"]["verified"]), (True, False), "tls established/verified")
    dec = p["steps"][p["deciding_step"]]
    eq(dec["stage"], "tls", "deciding step stage")
    check(dec.get("error") in ("tls_self_signed", "tls_unknown_ca"), "deciding step error %r" % dec.get("error"))
    eq(steps(p, "auth"), [], "auth steps")
    check(any(f.get("kind") == "credentials_withheld" for f in d.get("findings", [])),
          "no credentials_withheld finding: %r" % d.get("findings"))
    rv = lab.run(["-v"] + args, env=env, ca=False)
    eq(rv.rc, 69, "exit status of the -v run")
    lines = _new_postfix_lines(lab, before, 2)
    disc = [l for l in lines if " disconnect from " in l]
    check(all("starttls=1" in l and "quit=1" in l for l in disc),
          "sessions did not end with STARTTLS and QUIT: %r" % disc)
    bad = [l for l in lines if re.search(r"\bauth=|sasl_method=|SASL", l)]
    check(not bad, "Postfix saw authentication: %r" % bad[:3])
    _no_secret(lab, [r, rv], lab.password)


@scenario
def submission_587_auth_insecure(lab):
    """The same with --insecure: AUTH goes (and succeeds), with the warning."""
    env = {"SMTPPROBE_PASSWORD": lab.password}
    args = ["-s", "mx1." + ZONE, "-p", "587", "--insecure", "--auth", "alice",
            "alice@ok." + ZONE]
    before = len(_postfix_log(lab))
    r = lab.probe(args, env=env, ca=False)
    d = expect(r, 0, "accepted")
    eq(d.get("insecure"), True, "insecure")
    reply_is(step(one_probe(d, port=587), "auth"), 235, "2.7.0", "success")
    check(any(f.get("kind") == "insecure_auth" for f in d.get("findings", [])),
          "no insecure_auth finding: %r" % d.get("findings"))
    lines = _new_postfix_lines(lab, before, 1)
    check(any("sasl_method=" in l or re.search(r"\bauth=1\b", l) for l in lines),
          "Postfix logged no authentication: %r" % lines[-4:])
    _no_secret(lab, [r], lab.password)


@scenario
def starttls_verify_mode(lab):
    """--starttls verify on 25: with the lab CA the host passes; without it
    the host is tls_error and no envelope is sent."""
    r = lab.probe(["--starttls", "verify", "alice@ok." + ZONE])
    d = expect(r, 0, "accepted")
    tls_verified(one_probe(d), "starttls")
    r = lab.probe(["--starttls", "verify", "alice@ok." + ZONE], ca=False)
    d = expect(r, 69, "tls_error")
    p = one_probe(d)
    eq(p["outcome"], "tls_error", "probe outcome")
    for stage in ("mail", "rcpt"):
        eq(steps(p, stage), [], "%s steps" % stage)


@scenario
def submission_587_without_auth_refused(lab):
    r = lab.probe(["-s", "mx1." + ZONE, "-p", "587", "alice@ok." + ZONE])
    d = expect(r, 77, "rejected")
    reply_is(step(one_probe(d), "rcpt"), 554, "5.7.1")


@scenario
def submission_server_host_port_syntax(lab):
    """--server HOST:PORT (port in the server argument, no --port)."""
    r = lab.probe(["-s", "mx1.%s:587" % ZONE, "--auth", "alice", "alice@ok." + ZONE],
                  env={"SMTPPROBE_PASSWORD": lab.password})
    # Was a bug until b69040c: the verdict looked at port 25, found no probe
    # there and said no_mail_host (68) although 587 had accepted.
    d = expect(r, 0, "accepted")
    eq(one_probe(d, port=587)["outcome"], "accepted", "probe outcome")


@scenario
def auth_without_password_source(lab):
    r = lab.run(["-s", "mx1." + ZONE, "-p", "587", "--auth", "alice", "alice@ok." + ZONE], timeout=15)
    eq(r.rc, 64, "exit status without SMTPPROBE_PASSWORD and without a terminal")
    check("SMTPPROBE_PASSWORD" in r.err, "stderr does not say how to give the password: %r" % r.err)


@scenario
def ipv6_only_over_loopback(lab):
    r = lab.probe(["-6", "alice@v6." + ZONE])
    d = expect(r, 0, "accepted")
    p = one_probe(d)
    eq((p["host"], p["address"]), ("mx6." + ZONE, "::1"), "probe host/address")
    tls_verified(p, "starttls")
    check("mx6." + ZONE in " ".join(step(p, "banner")["reply"]["lines"]), "banner is not mx6's")


@scenario
def dual_stack_both_addresses(lab):
    r = lab.probe(["alice@dual." + ZONE])
    d = expect(r, 0, "accepted")
    eq(sorted(p["address"] for p in d["probes"]), ["127.0.1.1", "::1"], "probed addresses")
    check(all(p["outcome"] == "accepted" for p in d["probes"]), "outcomes %r" % [p["outcome"] for p in d["probes"]])


@scenario
def ipv4_only_flag(lab):
    r = lab.probe(["-4", "alice@dual." + ZONE])
    d = expect(r, 0, "accepted")
    eq([p["address"] for p in d["probes"]], ["127.0.1.1"], "probed addresses")


@scenario
def ipv6_only_with_ipv6_resolver(lab):
    r = lab.probe(["-6", "--dns-server", "::1", "alice@dual." + ZONE])
    d = expect(r, 0, "accepted")
    eq([p["address"] for p in d["probes"]], ["::1"], "probed addresses")


@scenario
def verbose_transcript(lab):
    r = lab.run(["-v", "alice@ok." + ZONE])
    eq(r.rc, 0, "exit status")
    out = r.out
    check("S: 220 mx1.%s ESMTP" % ZONE in out, "no banner line in the transcript")
    check("C: RCPT TO:<alice@ok.%s>" % ZONE in out, "no 'C: RCPT TO:<...>' line")
    check("C: QUIT" in out, "no QUIT")
    check(not re.search(r"C: (DATA|BDAT)", out), "the transcript shows DATA or BDAT sent")
    check(re.search(r"^Resolvers:.*127\.0\.0\.53", out, re.M), "header does not name the namespace's resolver")
    check(re.search(r"\[\+\d+\.\d{3}s\]", out), "no [+s.mmms] timestamps")
    check("\x1b" not in out, "ANSI escapes on a non-terminal stdout")


@scenario
def summary_output_plain(lab):
    r = lab.run(["nobody@ok." + ZONE])
    eq(r.rc, 77, "exit status")
    check("550" in r.out and "5.1.1" in r.out, "summary lacks the 550 5.1.1 reply")
    check("\x1b" not in r.out, "ANSI escapes on a non-terminal stdout")


# ------------------------------------------------------------ DANE

# What each DANE fixture is (lab-up.sh): the exit status and verdict a
# sender that honours DANE reaches. Each MX host's result is also held
# against what Postfix's posttls-finger said of it (reference.sh).
DANE_CASES = {
    "dane-ok.lab.test": (0, "accepted"),
    "dane-two.lab.test": (0, "accepted"),
    "dane-ta.lab.test": (0, "accepted"),
    "dane-bad.lab.test": (69, "tls_error"),
    "dane-notls.lab.test": (69, "tls_error"),
    "dane-pkix.lab.test": (0, "accepted"),
    "dane-fallback.lab.test": (0, "accepted"),
    "dane-cname.lab.test": (0, "accepted"),
    "dane-bogus.lab.test": (75, "tempfail"),
    "insecure.test": (0, "accepted"),
}

# posttls-finger's word for an MX host -> probes[].tls.dane
POSTTLS_DANE = {
    "match": "matched",
    "mismatch": "failed",
    "not-reached": "failed",  # no STARTTLS where TLSA records count
    "defer": "failed",  # the TLSA lookup failed
    "unusable": "not_applicable",
    "none": "not_applicable",
}


def _reference(lab):
    path = os.path.join(lab.dir, "reference.json")
    check(os.path.exists(path), "no %s: run.sh runs reference.sh after lab-up.sh" % path)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _kinds(d):
    return [f["kind"] for f in d["findings"]]


def _dane_host(d, host):
    hs = [x for x in d["tls_policy"]["dane"] if x["host"] == host]
    check(len(hs) == 1, "tls_policy.dane has %d entries for %s" % (len(hs), host))
    return hs[0]


@scenario
def dane_agrees_with_posttls_finger(lab):
    """Every DANE fixture: the verdict a DANE sender reaches, and for every MX
    host the same match, mismatch, defer or no-DANE as posttls-finger."""
    ref = _reference(lab)["dane"]
    for domain, (status, outcome) in DANE_CASES.items():
        d = expect(lab.probe(["alice@" + domain]), status, outcome)
        never_sent_data(d)
        eq(d["tls_policy"]["mode"], "enforce", "%s tls_policy.mode" % domain)
        eq(d["tls_policy"]["resolver_validates"], True, "%s resolver_validates" % domain)
        mxs = ref[domain].get("mx") or {}
        check(mxs, "reference.json has no per-MX result for %s" % domain)
        for host, r in mxs.items():
            want = POSTTLS_DANE.get(r["dane"])
            check(want, "%s: unknown posttls-finger result %r" % (host, r["dane"]))
            check(probes_on(d, host), "%s: no probe of %s" % (domain, host))
            for p in probes_on(d, host):
                eq(p["tls"]["dane"], want,
                   "%s %s tls.dane (posttls-finger: %s, %s)" % (domain, host, r["dane"], r["level"]))


@scenario
def dane_ee_match_fields(lab):
    d = expect(lab.probe(["alice@dane-ok.lab.test"]), 0, "accepted")
    p = one_probe(d, "dane-ee.lab.test")
    eq(p["tls"]["dane_match"], "3 1 1 at depth 0", "tls.dane_match")
    h = _dane_host(d, "dane-ee.lab.test")
    eq((h["dnssec"], h["status"], h["applies"], h["port"]), ("secure", "usable", True, 25),
       "dnssec, status, applies, port")
    eq(h["name"], "_25._tcp.dane-ee.lab.test", "TLSA name")
    eq([(r["usage"], r["selector"], r["matching"]) for r in h["records"]], [(3, 1, 1)], "records")
    check("dane_no_rollover" in _kinds(d), "a single 3 1 1 record without dane_no_rollover: %r" % _kinds(d))
    # Two records, one of them the next key's: no such warning.
    d = expect(lab.probe(["alice@dane-two.lab.test"]), 0, "accepted")
    check("dane_no_rollover" not in _kinds(d), "dane_no_rollover with a rollover record")
    eq(len(_dane_host(d, "dane-two-mx.lab.test")["records"]), 2, "dane-two records")
    # DANE-TA: the lab CA matched one level up the chain.
    d = expect(lab.probe(["alice@dane-ta.lab.test"]), 0, "accepted")
    eq(one_probe(d, "dane-ta-mx.lab.test")["tls"]["dane_match"], "2 0 1 at depth 1", "DANE-TA match")
    # The CNAME'd host: the target's TLSA name is the one that counts.
    d = expect(lab.probe(["alice@dane-cname.lab.test"]), 0, "accepted")
    eq(_dane_host(d, "dane-alias.lab.test")["name"], "_25._tcp.dane-ee.lab.test", "CNAME target's TLSA name")


@scenario
def dane_mismatch_fails_the_host(lab):
    """A mismatch ends the session after the handshake: no MAIL, no RCPT,
    tls_error at the TLS step, and the finding is the verdict's reason."""
    d = expect(lab.probe(["alice@dane-bad.lab.test"]), 69, "tls_error")
    p = one_probe(d, "dane-wrong.lab.test")
    eq(p["tls"]["dane"], "failed", "tls.dane")
    eq(p["tls"]["dane_match"], None, "tls.dane_match")
    s = p["steps"][p["deciding_step"]]
    eq((s["stage"], s["error"]), ("tls", "tls_dane_mismatch"), "deciding step")
    check(not steps(p, "mail") and not steps(p, "rcpt"), "the envelope was sent to a DANE-failed host")
    eq(d["verdict"]["reason"], "finding", "verdict.reason")
    eq(d["findings"][d["verdict"]["finding"]]["kind"], "dane_mismatch", "the verdict's finding")
    # No STARTTLS on a host with usable records.
    d = expect(lab.probe(["alice@dane-notls.lab.test"]), 69, "tls_error")
    p = one_probe(d, "dane-plain.lab.test")
    eq(p["steps"][p["deciding_step"]]["error"], "starttls_not_offered", "deciding error")
    eq(d["findings"][d["verdict"]["finding"]]["kind"], "dane_no_starttls", "the verdict's finding")
    # The first MX fails DANE, the second passes: a sender delivers there.
    d = expect(lab.probe(["alice@dane-fallback.lab.test"]), 0, "accepted")
    eq(one_probe(d, "dane-wrong.lab.test")["outcome"], "tls_error", "first MX")
    eq(one_probe(d, "dane-ee.lab.test")["outcome"], "accepted", "second MX")
    eq(d["probes"][d["verdict"]["deciding_probe"]]["host"], "dane-ee.lab.test", "deciding probe")


@scenario
def dane_bogus_tlsa_defers(lab):
    d = expect(lab.probe(["alice@dane-bogus.lab.test"]), 75, "tempfail")
    p = one_probe(d, "dane-bogus-mx.lab.test")
    eq(p["connect_ms"], None, "connect_ms (a DANE sender does not connect)")
    eq(p["steps"][p["deciding_step"]]["error"], "tlsa_lookup_failed", "deciding error")
    h = _dane_host(d, "dane-bogus-mx.lab.test")
    eq((h["status"], h["dnssec"], h["applies"]), ("lookup_error", "bogus", True), "status, dnssec, applies")
    check("all_unreachable" not in _kinds(d), "a deferred host called unreachable")
    eq(d["findings"][d["verdict"]["finding"]]["kind"], "dane_lookup_error", "the verdict's finding")


@scenario
def dane_unusable_and_insecure_do_not_apply(lab):
    d = expect(lab.probe(["alice@dane-pkix.lab.test"]), 0, "accepted")
    h = _dane_host(d, "dane-pkix-mx.lab.test")
    eq((h["status"], h["applies"]), ("unusable", False), "usage 0/1 only")
    check("dane_unusable" in _kinds(d), "findings %r lack dane_unusable" % _kinds(d))
    d = expect(lab.probe(["alice@insecure.test"]), 0, "accepted")
    h = _dane_host(d, "mx.insecure.test")
    eq((h["dnssec"], h["status"], h["applies"]), ("insecure", "usable", False), "unsigned zone")
    eq(one_probe(d, "mx.insecure.test")["tls"]["dane"], "not_applicable", "tls.dane")


@scenario
def dane_report_off_and_nonvalidating(lab):
    """report: the mismatch is a finding, the verdict an opportunistic
    sender's; off: nothing asked; a resolver that does not validate: DANE
    cannot be judged, said so, verdict unchanged."""
    d = expect(lab.probe(["--tls-policy", "report", "alice@dane-bad.lab.test"]), 0, "accepted")
    eq(d["tls_policy"]["mode"], "report", "mode")
    eq(one_probe(d, "dane-wrong.lab.test")["tls"]["dane"], "failed", "tls.dane under report")
    check("dane_mismatch" in _kinds(d), "findings %r lack dane_mismatch" % _kinds(d))
    d = expect(lab.probe(["--tls-policy", "off", "alice@dane-bad.lab.test"]), 0, "accepted")
    eq((d["tls_policy"]["mode"], d["tls_policy"]["dane"], d["tls_policy"]["resolver_validates"]),
       ("off", [], None), "mode, dane, resolver_validates under off")
    d = expect(lab.probe(["--dns-server", "127.0.0.56", "alice@dane-bad.lab.test"]), 0, "accepted")
    eq(d["tls_policy"]["resolver_validates"], False, "resolver_validates at the non-validating resolver")
    check("dane_unvalidated" in _kinds(d), "findings %r lack dane_unvalidated" % _kinds(d))
    eq(_dane_host(d, "dane-wrong.lab.test")["dnssec"], "indeterminate", "dnssec")


# ------------------------------------------------------------ MTA-STS

# What each MTA-STS fixture is (lab-up.sh): exit status, verdict, the
# policy's status and what it makes of the one MX host.
STS_CASES = {
    "sts-ok.lab.test": (0, "accepted", "ok", "matched"),
    "sts-notlisted.lab.test": (69, "tls_error", "ok", "mx_not_listed"),
    "sts-wild.lab.test": (0, "accepted", "ok", "matched"),
    "sts-testing.lab.test": (0, "accepted", "ok", "mx_not_listed"),
    "sts-redirect.lab.test": (0, "accepted", "fetch_error", "not_applicable"),
    "sts-ctype.lab.test": (0, "accepted", "fetch_error", "not_applicable"),
    "sts-404.lab.test": (0, "accepted", "fetch_error", "not_applicable"),
    "sts-badcert.lab.test": (0, "accepted", "fetch_error", "not_applicable"),
    "sts-no443.lab.test": (0, "accepted", "fetch_error", "not_applicable"),
    "sts-badtxt.lab.test": (0, "accepted", "invalid", "not_applicable"),
    "sts-mxbadcert.lab.test": (69, "tls_error", "ok", "cert_invalid"),
    "sts-notls.lab.test": (69, "tls_error", "ok", "no_tls"),
    "sts-dane.lab.test": (0, "accepted", "ok", "not_applicable"),  # DANE decides
}


def _curl_result(r):
    """curl's fetch of the policy URL, as smtpprobe's fetch.result."""
    if r["curl_exit"] == 7:
        return "connect"
    if r["curl_exit"] in (35, 51, 60):
        return "tls"
    check(r["curl_exit"] == 0, "curl exit %r not mapped" % r["curl_exit"])
    if 300 <= r["http_code"] < 400:
        return "redirect"
    if r["http_code"] != 200:
        return "http_status"
    if not r["content_type"].lower().startswith("text/plain"):
        return "content_type"
    return "ok"


@scenario
def mta_sts_agrees_with_curl(lab):
    """Every MTA-STS fixture: the verdict a sender that honours MTA-STS
    reaches; the policy fetch ends as curl's does (status, content type,
    redirect target); the body curl got is the policy smtpprobe read."""
    ref = _reference(lab)["sts"]
    for domain, (status, outcome, sts, probe_sts) in STS_CASES.items():
        d = expect(lab.probe(["alice@" + domain]), status, outcome)
        never_sent_data(d)
        m = d["tls_policy"]["mta_sts"]
        eq(m["status"], sts, "%s mta_sts.status" % domain)
        for p in d["probes"]:
            eq(p["tls"]["mta_sts"], probe_sts, "%s probe tls.mta_sts" % domain)
            eq(p["tls"]["policy_failed"], outcome == "tls_error", "%s policy_failed" % domain)
        r = ref[domain]
        if sts == "invalid":  # the TXT record already rules it out: no fetch
            eq(m["fetch"], None, "%s fetch" % domain)
            check(m["error"], "%s: an invalid record without an error" % domain)
            continue
        f = m["fetch"]
        check(f, "%s: no fetch recorded" % domain)
        eq(f["result"], _curl_result(r), "%s fetch.result (curl: exit %s, HTTP %s, %s)"
           % (domain, r["curl_exit"], r["http_code"], r["content_type"]))
        if r["http_code"]:
            eq(f["http_status"], r["http_code"], "%s fetch.http_status" % domain)
            eq((f["content_type"] or "").split(";")[0], r["content_type"].split(";")[0],
               "%s fetch.content_type" % domain)
        if r["redirect_url"]:
            eq(f["location"], r["redirect_url"], "%s fetch.location (never followed)" % domain)
        if sts == "ok":
            eq(f["size"], len(r["body"].encode()), "%s fetch.size" % domain)
            want_mx = [l.split(":", 1)[1].strip() for l in r["body"].splitlines()
                       if l.startswith("mx:")]
            eq(m["mx"], want_mx, "%s mta_sts.mx" % domain)


@scenario
def mta_sts_enforce_failure_fields(lab):
    """enforce, host not listed: the server accepts, a policy-honouring
    sender does not deliver; the finding is the verdict's reason; with
    --tls-policy report the verdict is an opportunistic sender's."""
    d = expect(lab.probe(["alice@sts-notlisted.lab.test"]), 69, "tls_error")
    p = one_probe(d, "mx1.lab.test")
    reply_is(step(p, "rcpt"), 250)
    eq(d["findings"][d["verdict"]["finding"]]["kind"], "mta_sts_mx_not_listed", "the verdict's finding")
    check("tls_rpt_missing" in _kinds(d), "findings %r lack tls_rpt_missing" % _kinds(d))
    m = d["tls_policy"]["mta_sts"]
    eq((m["mode"], m["max_age"], m["mx"]), ("enforce", 86400, ["other.lab.test"]), "policy")
    eq(m["id"], "20261201T000000", "id")
    d = expect(lab.probe(["--tls-policy", "report", "alice@sts-notlisted.lab.test"]), 0, "accepted")
    check("mta_sts_mx_not_listed" in _kinds(d), "report mode lost the finding")
    eq(one_probe(d, "mx1.lab.test")["tls"]["policy_failed"], False, "policy_failed under report")
    d = expect(lab.probe(["--tls-policy", "off", "alice@sts-notlisted.lab.test"]), 0, "accepted")
    eq((d["tls_policy"]["mta_sts"], d["tls_policy"]["tls_rpt"]), (None, None), "nothing looked up under off")
    # TLS-RPT: good, malformed.
    d = expect(lab.probe(["alice@sts-ok.lab.test"]), 0, "accepted")
    t = d["tls_policy"]["tls_rpt"]
    eq((t["status"], t["rua"]), ("ok", ["mailto:tlsrpt@lab.test"]), "tls_rpt")
    d = expect(lab.probe(["alice@sts-wild.lab.test"]), 0, "accepted")
    eq(d["tls_policy"]["tls_rpt"]["status"], "invalid", "tls_rpt of sts-wild")
    check("tls_rpt_invalid" in _kinds(d), "findings %r lack tls_rpt_invalid" % _kinds(d))


# The second opinions, per address: swaks's replies (reference.json) are
# the truth the recipients must show; the findings of this family that
# must appear (and no other of them); the exit status and verdict reason.
SECOND_OPINION_KINDS = {"rejects_everyone", "postmaster_refused", "catch_all",
                        "catch_all_skipped", "egress_listed", "egress_ip_listed"}
SECOND_OPINIONS = {
    "nobody@ok." + ZONE: (77, "rejected", set()),
    "alice@ok." + ZONE: (0, "accepted", set()),
    # 127.0.0.1 is on the lab's list, but this refusal does not cite it:
    # the listing is reported, and the reason stays rejects_everyone.
    "alice@everyone." + ZONE: (77, "finding:rejects_everyone",
                               {"rejects_everyone", "egress_listed"}),
    "alice@listed." + ZONE: (77, "finding:egress_listed",
                             {"rejects_everyone", "egress_listed", "egress_ip_listed"}),
    "alice@catchall." + ZONE: (0, "accepted", {"catch_all"}),
}
LAB_DNSBL = "bl.%s,refuse.%s" % (ZONE, ZONE)


def _verdict_reason(d):
    v = d["verdict"]
    if v["reason"] != "finding":
        return v["reason"]
    return "finding:" + d["findings"][v["finding"]]["kind"]


@scenario
def second_opinions_agree_with_swaks(lab):
    """The control recipient and --catch-all against real Postfix: what each
    RCPT got is what swaks got; rejects_everyone where Postfix refuses this
    client (postmaster too), catch_all where it accepts any local part, the
    block-list listing as the reason where the refusal cites the lab's
    list, and each finding nowhere else."""
    ref = _reference(lab)["recipients"]
    for addr, (status, reason, kinds) in SECOND_OPINIONS.items():
        want = ref[addr]
        r = lab.probe(["--catch-all", "--dnsbl", LAB_DNSBL, addr])
        d = r.json
        eq(r.rc, status, "%s exit status (%s)" % (addr, r.brief()))
        eq(_verdict_reason(d), reason, "%s verdict reason" % addr)
        p = one_probe(d)
        got = {x["role"]: {"code": x["code"], "enhanced": x["enhanced"]} for x in p["recipients"]}
        eq(got, {"target": want["target"], "control": want["control"],
                 "catch_all": want["made_up"]}, "%s recipients (swaks: %r)" % (addr, want))
        roles = [x["role"] for x in p["recipients"]]
        eq(roles, ["target", "control", "catch_all"], "%s RCPT order" % addr)
        eq(p["recipients"][1]["address"], "postmaster@" + addr.split("@")[1], "control address")
        check(re.fullmatch(r"[a-z][a-z0-9]{15}@" + re.escape(addr.split("@")[1]),
                           p["recipients"][2]["address"]), "catch-all address %r" % p["recipients"][2])
        eq(p["steps"][p["deciding_step"]].get("role"), "target", "%s deciding RCPT" % addr)
        eq(set(_kinds(d)) & SECOND_OPINION_KINDS, kinds, "%s findings" % addr)
        never_sent_data(d)


@scenario
def rejects_everyone_summary_transcript_json_agree(lab):
    """Postfix refusing this client at RCPT: the summary, -v and --json say
    the same thing (the verdict's words are the finding's; the control
    recipient's reply is shown in each)."""
    addr = "alice@everyone." + ZONE
    d = expect(lab.probe([addr]), 77, "rejected")
    f = d["findings"][d["verdict"]["finding"]]
    eq(f["kind"], "rejects_everyone", "the verdict's finding")
    p = one_probe(d)
    eq(p["steps"][f["other_step"]]["sent"], "RCPT TO:<postmaster@everyone.%s>" % ZONE,
       "the finding's control step")
    flat = lambda t: " ".join(t.split())
    for args in ([addr], ["-v", addr]):
        r = lab.run(args)
        eq(r.rc, 77, "exit status of %r" % args)
        out = flat(r.out)
        check(flat(d["verdict"]["summary"]) in out, "%r lacks the verdict's words" % args)
        check(flat(d["verdict"]["remediation"]) in out, "%r lacks the next step" % args)
        if "-v" in args:
            check("RCPT TO:<postmaster@everyone.%s>" % ZONE in r.out, "-v lacks the control RCPT")
        else:
            check("control <postmaster@everyone.%s>: 554 5.7.1" % ZONE in r.out,
                  "the summary lacks the control line")


@scenario
def egress_listed_in_the_lab_block_list(lab):
    """The address Postfix saw (127.0.0.1, named in its reject text) looked
    up in the lab's own block lists: listed with the codes dig sees, and
    "refused" where the list answers 127.255.255.254; with --dnsbl none
    nothing is asked and every refusal citing a list is the reason."""
    ref = _reference(lab)["dnsbl"]
    addr = "alice@listed." + ZONE
    d = expect(lab.probe(["--dnsbl", LAB_DNSBL, addr]), 77, "rejected")
    eq(one_probe(d)["echoed_address"], "127.0.0.1", "echoed_address")
    es = [e for e in d["egress"] if e["address"] == "127.0.0.1"]
    eq(len(es), 1, "egress entries for 127.0.0.1")
    eq(es[0]["source"], "echoed", "egress source")
    got = {x["zone"]: (x["status"], sorted(x["codes"])) for x in es[0]["dnsbl"]}
    eq(got, {"bl." + ZONE: ("listed", ref["bl." + ZONE]),
             "refuse." + ZONE: ("refused", ref["refuse." + ZONE])}, "dnsbl (dig: %r)" % ref)
    listed = [f for f in d["findings"] if f["kind"] == "egress_listed"]
    eq(len(listed), 1, "egress_listed findings (refused is not listed)")
    d = expect(lab.probe(["--dnsbl", "none", addr]), 77, "rejected")
    eq(_verdict_reason(d), "finding:egress_ip_listed", "reason without block lists")
    check("egress_listed" not in _kinds(d), "egress_listed with --dnsbl none")


# Who the receiver thinks you are, per (address, --helo): the identity
# findings that must appear, and no other of them. The clients are
# 127.0.0.1 (PTR localhost, confirmed), 127.0.0.7 (no PTR) and 127.0.0.8
# (PTR ghost.lab.test, which has no address), as dig shows.
IDENTITY_KINDS = {"egress_no_ptr", "egress_fcrdns_mismatch", "helo_not_fqdn",
                  "helo_unresolved", "helo_mismatch"}
IDENTITY_CASES = [
    ("alice@everyone." + ZONE, "localhost", "127.0.0.1", {"helo_not_fqdn"}),
    ("alice@everyone." + ZONE, "mx1." + ZONE, "127.0.0.1", {"helo_mismatch"}),
    ("alice@everyone." + ZONE, "nosuch." + ZONE, "127.0.0.1",
     {"helo_unresolved", "helo_mismatch"}),
    ("alice@noptr." + ZONE, "mx1." + ZONE, "127.0.0.7", {"egress_no_ptr"}),
    ("alice@badptr." + ZONE, "mx1." + ZONE, "127.0.0.8",
     {"egress_fcrdns_mismatch", "helo_mismatch"}),
    # No server names the client; the local address is private: nothing
    # is judged about it, and the HELO name cannot be compared.
    ("alice@ok." + ZONE, "mx1." + ZONE, None, set()),
]


@scenario
def identity_findings_agree_with_dig(lab):
    """PTR, FCrDNS and the HELO checks against the lab's real resolver: the
    egress entry holds what dig says of the address Postfix named, and each
    identity finding appears for the case that causes it and no other."""
    ref = _reference(lab)
    for addr, helo, client, kinds in IDENTITY_CASES:
        d = lab.probe(["--helo", helo, "--dnsbl", "none", addr]).json
        what = "%s --helo %s" % (addr, helo)
        eq(set(_kinds(d)) & IDENTITY_KINDS, kinds, "%s identity findings" % what)
        h = d["helo"]
        eq(h["name"], helo, "%s helo.name" % what)
        eq(h["fqdn"], "." in helo, "%s helo.fqdn" % what)
        # A name that is not a FQDN is not looked up (null: not asked).
        eq(h["resolves"], bool(ref["helo"][helo]) if "." in helo else None,
           "%s helo.resolves (dig: %r)" % (what, ref["helo"][helo]))
        if client is None:
            check(all(e["source"] == "local" for e in d["egress"]), "%s egress %r" % (what, d["egress"]))
            eq(h["matches_ptr"], None, "%s helo.matches_ptr" % what)
            continue
        eq(one_probe(d)["echoed_address"], client, "%s echoed_address" % what)
        e = [x for x in d["egress"] if x["address"] == client]
        eq(len(e), 1, "%s egress entries for %s" % (what, client))
        r = ref["ptr"][client]
        eq(e[0]["ptr"], r["names"][0] if r["names"] else None, "%s ptr (dig: %r)" % (what, r))
        want_fcrdns = bool(r["names"]) and client in r["forward"][r["names"][0]]
        eq(e[0]["fcrdns"], want_fcrdns if r["names"] else False, "%s fcrdns" % what)
        eq(h["matches_ptr"], (helo == e[0]["ptr"]) if e[0]["ptr"] else None,
           "%s helo.matches_ptr" % what)


@scenario
def exim_names_the_client(lab):
    """Exim's EHLO reply names the client ("Hello ... [127.0.0.1]", as
    swaks sees it): that is the probe's echoed address and the egress the
    identity checks use; on the lab's block list, the listing is reported
    while the verdict stays Exim's accept. Exim refusing an unknown
    recipient while accepting postmaster is a mailbox refusal."""
    ref = _reference(lab)["exim_hello"]
    check(ref, "swaks saw no Hello line with an address from Exim")
    d = expect(lab.probe(["--dnsbl", LAB_DNSBL, "alice@exim." + ZONE]), 0, "accepted")
    p = one_probe(d)
    eq(p["echoed_address"], ref["address"], "echoed_address (swaks: %r)" % ref["line"])
    first = step(p, "ehlo", last=False)["reply"]["lines"][0]
    check(first.split(" Hello ")[0] == ref["line"].split(" Hello ")[0]
          and first.endswith("[%s]" % ref["address"]),
          "the EHLO reply %r is not Exim's Hello line (swaks: %r)" % (first, ref["line"]))
    e = [x for x in d["egress"] if x["address"] == ref["address"]]
    eq([(x["source"], x["ptr"], x["fcrdns"]) for x in e], [("echoed", "localhost", True)], "egress")
    eq(_verdict_reason(d), "accepted", "verdict reason (a listing alone refuses nothing)")
    check("egress_listed" in _kinds(d), "no egress_listed for a listed echoed address")
    eq([(x["role"], x["code"]) for x in p["recipients"]], [("target", 250), ("control", 250)],
       "recipients")
    d = expect(lab.probe(["--dnsbl", "none", "nobody@exim." + ZONE]), 77, "rejected")
    p = one_probe(d)
    eq([(x["role"], x["code"]) for x in p["recipients"]], [("target", 550), ("control", 250)],
       "recipients of an unknown one")
    eq(_verdict_reason(d), "rejected", "verdict reason")
    check("rejects_everyone" not in _kinds(d), "rejects_everyone for a mailbox refusal")


def _proxied(d, p):
    """The JSON says probe p went through danted and what it bound."""
    eq((d["proxy"]["url"], d["proxy"]["address"], d["proxy"]["port"], d["proxy"]["auth"]),
       (PROXY_URL, LAB_PROXY, LAB_PROXY_PORT, "none"), "proxy")
    bound = (p["proxy"] or {}).get("bound_address") or ""
    check(bound.startswith(LAB_PROXY_OUT + ":"),
          "bound_address %r, want danted's external %s:PORT" % (bound, LAB_PROXY_OUT))
    check(p["proxy"]["handshake_ms"] is not None, "handshake_ms is null")
    check(p["local_address"].startswith(LAB_PROXY + ":"),
          "local_address %r: this side's address towards danted" % p["local_address"])


@scenario
def proxy_danted_to_postfix(lab):
    """Through danted to mx1 (curl --socks5 first, reference.sh): the
    probe is accepted as a direct one would be, and Postfix's own log shows
    the session came from danted's external address, not the probe's."""
    ref = _reference(lab)["proxy"]["mx1"]
    eq((ref["curl_exit"], ref["postfix_client"]), (0, LAB_PROXY_OUT),
       "curl --socks5 through danted (exit, the client Postfix logged)")
    before = len(_postfix_log(lab))
    d = expect(lab.probe(["--proxy", PROXY_URL, "alice@ok." + ZONE]), 0, "accepted")
    p = one_probe(d)
    eq((p["host"], p["address"], p["port"]), ("mx1." + ZONE, "127.0.1.1", 25),
       "probe (the mail host's address, not the proxy's)")
    _proxied(d, p)
    tls_verified(p, "starttls")
    eq(" ".join(step(p, "banner")["reply"]["lines"]), ref["banner"][4:],
       "greeting (curl through danted: %r)" % ref["banner"])
    reply_is(step(p, "rcpt"), 250, "2.1.5", "success")
    lines = _new_postfix_lines(lab, before, 1)
    clients = re.findall(r" connect from \S*\[([0-9a-fA-F.:]+)\]", "\n".join(lines))
    eq(clients, [LAB_PROXY_OUT], "the clients Postfix logged for the probe")
    eq([(e["address"], e["source"]) for e in d["egress"]], [(LAB_PROXY_OUT, "proxy")],
       "egress (danted's BND.ADDR)")
    never_sent_data(d)


@scenario
def proxy_danted_echoed_by_exim(lab):
    """Through danted to Exim, which names its client in the EHLO reply:
    the echoed address is danted's external one, the egress the identity
    checks use; this side's own address is never an egress."""
    d = expect(lab.probe(["--proxy", PROXY_URL, "--dnsbl", "none", "alice@exim." + ZONE]),
               0, "accepted")
    p = one_probe(d)
    _proxied(d, p)
    eq(p["echoed_address"], LAB_PROXY_OUT, "echoed_address")
    eq(sorted((e["address"], e["source"]) for e in d["egress"]), [(LAB_PROXY_OUT, "echoed")],
       "egress")


@scenario
def proxy_danted_ruleset_blocks(lab):
    """danted's rules block mx deny:25 (curl: SOCKS5 reply 2): the probe
    says proxy_forbidden, a local matter, and blames neither the host nor
    this side's port 25."""
    ref = _reference(lab)["proxy"]["blocked"]
    check(ref["curl_exit"] != 0 and any("(2)" in l for l in ref["socks"]),
          "curl through danted to %s was not refused with REP 2: %r" % (LAB_DENY, ref))
    d = expect(lab.probe(["--proxy", PROXY_URL, "-s", LAB_DENY, "alice@ok." + ZONE]),
               69, "unreachable")
    p = one_probe(d)
    s = p["steps"][p["deciding_step"]]
    eq((s["stage"], s["error"], s["category"]), ("connect", "proxy_forbidden", "proxy"),
       "deciding step")
    eq(_verdict_reason(d), "finding:proxy_failed", "verdict reason")
    check("port25_blocked" not in _kinds(d), "port25_blocked through a proxy")
    eq(d["connect_checks"], [], "connect-only checks through a proxy")


@scenario
def proxy_danted_port25_dropped(lab):
    """Port 25 of drop.lab.test dropped (nftables): danted's own connect
    hangs, so the handshake does not finish within --timeout
    (proxy_timeout, outcome timeout). Without a proxy this is where the
    connect-only checks of 587 and 465 run; through one they are not made
    (-v says so), and port25_blocked, a finding about this side's
    network, is not drawn."""
    t = 2
    r = lab.probe(["-t", str(t), "--proxy", PROXY_URL, "alice@dropped." + ZONE])
    d = expect(r, 69, "unreachable")
    p = one_probe(d)
    eq((p["port"], p["outcome"]), (25, "timeout"), "the one probe")
    c = step(p, "connect")
    eq((c["category"], c.get("error")), ("proxy", "proxy_timeout"), "connect step")
    eq(d["connect_checks"], [], "connect_checks through a proxy")
    check("port25_blocked" not in _kinds(d) and "all_unreachable" not in _kinds(d),
          "a port-25 finding through a proxy: %r" % _kinds(d))
    eq(_verdict_reason(d), "finding:proxy_failed", "verdict reason")
    check(r.wall <= 2 * t + 1 + SLACK,
          "wall time %.2f s, want at most the connect's and the handshake's --timeout" % r.wall)
    out = lab.run(["-v", "-t", str(t), "--proxy", PROXY_URL, "alice@dropped." + ZONE]).out
    check("connect-only checks of 587 and 465 are not made with --proxy" in out,
          "-v does not say the connect-only checks were skipped: %r" % out[-600:])


@scenario
def proxy_danted_mta_sts_fetch(lab):
    """The MTA-STS policy fetch goes through danted too: the policy is
    fetched, and nginx logs danted's external address as the client."""
    log = os.path.join(lab.dir, "log", "nginx-access.log")
    with open(log, errors="replace") as f:
        before = len(f.read().splitlines())
    d = expect(lab.probe(["--proxy", PROXY_URL, "alice@sts-ok." + ZONE]), 0, "accepted")
    m = d["tls_policy"]["mta_sts"]
    eq((m["status"], m["mode"]), ("ok", "enforce"), "mta_sts status and mode")
    _proxied(d, one_probe(d))
    time.sleep(0.2)
    with open(log, errors="replace") as f:
        new = f.read().splitlines()[before:]
    clients = [l.split()[0] for l in new if "mta-sts.txt" in l]
    eq(clients, [LAB_PROXY_OUT], "the clients nginx logged for the policy")


@scenario
def batch_against_postfix_exim_and_sink(lab):
    """--batch through the lab's real servers: Postfix (mx1, TLS verified),
    Exim, smtp-sink, a domain that does not exist and a malformed line in
    the middle. Every line is one document that validates against the
    schema and says what a single probe of that target says; the targets
    of one domain went over one connection (Postfix's log: one session for
    the three ok.lab.test targets, with its RCPTs counted)."""
    lines = ["# lab batch", "alice@ok." + ZONE, "nobody@ok." + ZONE, "bob@ok." + ZONE,
             "this is not an address", "alice@exim." + ZONE, "nobody@exim." + ZONE,
             "x1@sink." + ZONE, "x2@sink." + ZONE, "alice@nosuch." + ZONE]
    want = {2: ("accepted", 0), 3: ("rejected", 77), 4: ("rejected", 77),
            5: ("bad_address", 65), 6: ("accepted", 0), 7: ("rejected", 77),
            8: ("accepted", 0), 9: ("accepted", 0), 10: ("no_mail_host", 68)}
    path = os.path.join(lab.dir, "batch-list.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    before = len(_postfix_log(lab))
    r = lab.run(["--batch", path, "--dnsbl", "none"], timeout=120)
    eq(r.rc, 0, "exit status (%s)" % r.brief())
    docs = {}
    for line in r.out.splitlines():
        d = json.loads(line)
        probs = schema_problems(d)
        check(not probs, "line %s: %s" % (d.get("input_line"), "; ".join(probs)))
        check(d["input_line"] not in docs, "two documents for line %d" % d["input_line"])
        docs[d["input_line"]] = d
    eq(sorted(docs), sorted(want), "input_line of the documents")
    for n, (outcome, status) in want.items():
        v = docs[n]["verdict"]
        eq((v["outcome"], v["exit_status"]), (outcome, status), "line %d (%s)" % (n, lines[n - 1]))
        never_sent_data(docs[n])
    # Each ok.lab.test document: TLS verified, its own RCPT deciding.
    for n in (2, 3, 4):
        p = one_probe(docs[n])
        tls_verified(p, "starttls")
        s = p["steps"][p["deciding_step"]]
        eq(s["sent"], "RCPT TO:<%s>" % lines[n - 1], "line %d decided by its own RCPT" % n)
        eq(sorted(x["role"] for x in p["recipients"]), ["control", "target"],
           "line %d recipients" % n)
    reply_is(one_probe(docs[3])["steps"][one_probe(docs[3])["deciding_step"]], 550, "5.1.1",
             "mailbox_unknown")
    # The same target alone says the same.
    alone = expect(lab.probe(["--dnsbl", "none", "nobody@exim." + ZONE]), 77, "rejected")
    eq(docs[7]["verdict"]["reason"], alone["verdict"]["reason"], "batch and single verdict reason")
    # Postfix saw one session for the three ok.lab.test targets: 3 + the
    # control recipient in it.
    new = _new_postfix_lines(lab, before, 1)
    sess = [l for l in new if " disconnect from " in l]
    check(sess, "no Postfix session in the log for the batch")
    rcpt_counts = [int(m.group(2)) for l in sess for m in [re.search(r" rcpt=(\d+)/(\d+)", l)]
                   if m]
    check(4 in rcpt_counts, "a Postfix session with four RCPTs (three targets and "
          "postmaster): %s" % rcpt_counts)


@scenario
def batch_fetches_a_policy_once(lab):
    """Twenty targets at an MTA-STS domain, one connection at a time (so
    groups follow one another): nginx serves the policy once, and every
    document carries it, as the single probe does."""
    log = os.path.join(lab.dir, "log", "nginx-access.log")
    with open(log, encoding="utf-8", errors="replace") as f:
        before = len(f.read().splitlines())
    path = os.path.join(lab.dir, "batch-sts.txt")
    with open(path, "w", encoding="utf-8") as f:
        for i in range(20):
            f.write("alice+%d@sts-ok.%s\n" % (i, ZONE))
    r = lab.run(["--batch", path, "--dnsbl", "none", "--concurrency", "1"], timeout=120)
    eq(r.rc, 0, "exit status (%s)" % r.brief())
    docs = [json.loads(l) for l in r.out.splitlines()]
    eq(len(docs), 20, "documents")
    for d in docs:
        check(not schema_problems(d), "line %d: schema" % d["input_line"])
        m = d["tls_policy"]["mta_sts"]
        eq((m["status"], m["mode"]), ("ok", "enforce"), "line %d mta_sts" % d["input_line"])
        eq(one_probe(d)["tls"]["mta_sts"], "matched", "line %d probe mta_sts" % d["input_line"])
    time.sleep(0.3)
    with open(log, encoding="utf-8", errors="replace") as f:
        new = f.read().splitlines()[before:]
    gets = [l for l in new if "mta-sts.sts-ok." in l or "/.well-known/mta-sts.txt" in l]
    eq(len(gets), 1, "policy fetches in nginx's log (%s)" % gets[:3])


@scenario
def postfix_log_shows_no_data(lab):
    """Postfix's own log (maillog_file via postlogd): no session ever sent DATA."""
    path = os.path.join(lab.dir, "log", "postfix.log")
    time.sleep(0.5)  # postlogd writes asynchronously
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    disc = [l for l in lines if " disconnect from " in l]
    check(disc, "no SMTP session at all in %s" % path)
    bad = [l for l in disc if re.search(r"\b(data|bdat)=", l)]
    check(not bad, "sessions with DATA/BDAT: %r" % bad[:3])
    queued = [l for l in lines if "message-id=" in l or re.search(r"qmgr.*from=<", l)]
    check(not queued, "messages reached the queue: %r" % queued[:3])
    quits = [l for l in disc if "quit=1" in l]
    check(quits, "no session ended with QUIT")


# ------------------------------------------------------------ runner


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--ns", default="smtpprobe-lab")
    ap.add_argument("--lab-dir", default="/run/smtpprobe-lab")
    ap.add_argument("--password", required=True)
    ap.add_argument("-k", "--only", help="run scenarios whose name contains this")
    opts = ap.parse_args()
    lab = Lab(opts)
    passed = failed = skipped = 0
    t_all = time.monotonic()
    for fn in SCENARIOS:
        name = fn.__name__
        if opts.only and opts.only not in name:
            continue
        t0 = time.monotonic()
        try:
            fn(lab)
        except Skip as e:
            skipped += 1
            print("skip %s: %s" % (name, e), flush=True)
        except AssertionError as e:
            failed += 1
            print("FAIL %s: %s" % (name, e), flush=True)
        except Exception as e:  # a crash of the harness is a failure too
            failed += 1
            print("FAIL %s: %s: %s" % (name, type(e).__name__, e), flush=True)
        else:
            passed += 1
            print("ok %s (%.2f s)" % (name, time.monotonic() - t0), flush=True)
    print("# %d scenarios in %.1f s" % (passed + failed + skipped, time.monotonic() - t_all))
    line = "e2e: %d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    print(line)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
