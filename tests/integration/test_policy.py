#!/usr/bin/python3
"""The TLS policy against scripted servers: DANE answers and MTA-STS
records as hostile or odd as a resolver can hand over, the AD bit played by
fakedns (the signed, validating path is the e2e lab's: real knot, unbound,
Postfix and nginx), and what a sender that honours them does.

    tests/integration/test_policy.py --binary build/smtpprobe [-k NAME] [-v]

Prints "ok NAME" or "FAIL NAME: why" per case and "N passed, M failed".

The fake world (nothing outside 127.0.0.0/8 is contacted):
  fakedns          127.0.0.1:<free port>; every answer of a name marked
                   "AD" carries the AD bit, as a validating resolver's does
  mx.dane.test     127.0.6.2 on a free port P (the probe gets --port P); the
                   TLSA name is _P._tcp.HOST
  TLS              a throwaway CA (the probe trusts it with --ca-file) and a
                   self-signed certificate the CA knows nothing of
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
from harness import (  # noqa: E402
    Env, check, clip, deciding, eq, field, main as harness_main, make_leaf, make_registry,
    probe_at, verbs)

TIMEOUT = 2
HELO = "probe.dane.test"
MX, MX_NAME = "127.0.6.2", "mx.dane.test"
MX2, MX2_NAME = "127.0.6.3", "mx2.dane.test"
RCPT = "alice@dane.test"
ROOT = {"SOA": [["ns.root", "hostmaster.root"]], "AD": True}

ZONE = {
    ".": ROOT,
    "dane.test": {"MX": [[10, MX_NAME]], "AD": True},
    MX_NAME: {"A": [MX], "AD": True},
    MX2_NAME: {"A": [MX2], "AD": True},
    "two.dane.test": {"MX": [[10, MX_NAME], [20, MX2_NAME]], "AD": True},
}

CASES, case = make_registry()


def make_env(binary, tmp):
    return Env(binary, tmp, ZONE, [MX_NAME, MX2_NAME], [MX, MX2], TIMEOUT, HELO)


def spki_sha256(pem):
    """The TLSA 3 1 1 data of a certificate, with the openssl CLI."""
    pub = subprocess.run(["openssl", "x509", "-in", pem, "-noout", "-pubkey"],
                         capture_output=True, check=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub,
                         capture_output=True, check=True).stdout
    import hashlib
    return hashlib.sha256(der).hexdigest()


def tlsa_name(env, host=MX_NAME):
    return "_%d._tcp.%s" % (env.port, host)


def set_tlsa(env, records, host=MX_NAME, ad=True):
    entry = {"TLSA": records} if not isinstance(records, str) else records
    if isinstance(entry, dict) and ad:
        entry["AD"] = True
    env.dns.zone[tlsa_name(env, host)] = entry


def self_signed(env):
    return make_leaf(env.tmp, "selfsigned", [MX_NAME], ca=None)


def mx(env, addr=MX, name=MX_NAME, **kw):
    return env.smtp(addr, env.scenario(name, **kw))


def kinds(doc):
    return [f.get("kind") for f in doc.get("findings") or []]


def dane_host(doc, host=MX_NAME):
    hs = [d for d in field(doc, "tls_policy.dane") if d.get("host") == host]
    check(len(hs) == 1, "tls_policy.dane has %d entries for %s" % (len(hs), host))
    return hs[0]


def begin(env):
    for k in [k for k in env.dns.zone if "._tcp." in k or k.startswith(("_mta-sts", "mta-sts",
                                                                        "_smtp._tls"))
              or k.endswith(".in-addr.arpa")]:
        del env.dns.zone[k]
    env.dns.zone["."] = ROOT


# --- DANE ---------------------------------------------------------------------

@case("dane_ee_matches_a_self_signed_certificate")
def _(env):
    """DANE-EE binds the key: a self-signed certificate that PKIX refuses is
    what a DANE sender delivers over; the summary says so and tls_unverified
    is not raised for it."""
    begin(env)
    pem, key = self_signed(env)
    set_tlsa(env, [[3, 1, 1, spki_sha256(pem)]])
    mx(env, cert=pem, key=key)
    r = env.run(RCPT)
    r.expect_exit(0)
    p = probe_at(r.doc, MX)
    eq(field(p, "tls.dane"), "matched", "tls.dane")
    eq(field(p, "tls.dane_match"), "3 1 1 at depth 0", "tls.dane_match")
    eq(field(p, "tls.chain_trusted"), False, "tls.chain_trusted (PKIX, apart)")
    check("tls_unverified" not in kinds(r.doc), "tls_unverified for a DANE-matched host")
    eq(field(r.doc, "tls_policy.resolver_validates"), True, "resolver_validates")
    h = dane_host(r.doc)
    eq((h["dnssec"], h["status"], h["applies"]), ("secure", "usable", True), "dane host")
    eq(h["name"], tlsa_name(env), "TLSA name (the port probed)")


@case("dane_verified_credentials_go_report_mode_withholds")
def _(env):
    """--auth: a DANE match is a verified certificate for a DANE sender, so
    the credentials go; under --tls-policy report (an opportunistic sender)
    the same self-signed certificate keeps them back."""
    begin(env)
    pem, key = self_signed(env)
    set_tlsa(env, [[3, 1, 1, spki_sha256(pem)]])
    tls_ehlo = ["250-" + MX_NAME, "250-PIPELINING", "250 AUTH PLAIN LOGIN"]
    pw = "dane-pw-%s" % os.urandom(4).hex()
    srv = mx(env, cert=pem, key=key, auth={"user": "alice", "password": pw},
             tls_replies={"EHLO": tls_ehlo})
    r = env.run("--auth", "alice", RCPT, extra_env={"SMTPPROBE_PASSWORD": pw})
    r.expect_exit(0)
    check("AUTH" in verbs([l for c in srv.conns for l in c.received]), "AUTH not sent")
    srv.stop()
    srv = mx(env, cert=pem, key=key, auth={"user": "alice", "password": pw},
             tls_replies={"EHLO": tls_ehlo})
    r = env.run("--tls-policy", "report", "--auth", "alice", RCPT,
                extra_env={"SMTPPROBE_PASSWORD": pw})
    r.expect_exit(69)
    check("credentials_withheld" in kinds(r.doc), "findings %r" % kinds(r.doc))
    check("AUTH" not in verbs([l for c in srv.conns for l in c.received]),
          "AUTH sent over an unverified certificate")


@case("dane_mismatch_then_second_mx")
def _(env):
    """MX 10 has a wrong record: tls_error, nothing after the handshake
    but QUIT; MX 20 matches and decides."""
    begin(env)
    pem, key = self_signed(env)
    set_tlsa(env, [[3, 1, 1, "00" * 32]])
    set_tlsa(env, [[3, 1, 1, spki_sha256(env.cert)]], host=MX2_NAME)
    bad = mx(env, cert=pem, key=key)
    mx(env, MX2, MX2_NAME)
    r = env.run("alice@two.dane.test")
    r.expect_exit(0)
    p1, p2 = probe_at(r.doc, MX), probe_at(r.doc, MX2)
    eq((p1["outcome"], p1["tls"]["dane"]), ("tls_error", "failed"), "MX 10")
    eq(deciding(p1).get("error"), "tls_dane_mismatch", "MX 10 deciding error")
    eq((p2["outcome"], p2["tls"]["dane"]), ("accepted", "matched"), "MX 20")
    lines = [l for c in bad.conns for l in c.received]
    check(not {"MAIL", "RCPT"} & set(verbs(lines)), "envelope sent: %s" % clip(lines))
    eq(verbs(lines)[-1], "QUIT", "last command to the failed host")


@case("dane_hostile_answers")
def _(env):
    """TLSA answers as a broken or hostile zone gives them: more records
    than the cap (the match among the first is still found), data longer
    than the cap (unusable: it can match nothing), a record shorter than
    its fixed part, an answer that does not parse (a DANE sender defers)."""
    begin(env)
    good = spki_sha256(env.cert)
    set_tlsa(env, [[3, 1, 1, good]] + [[3, 1, 1, "%02x" % i * 32] for i in range(20)])
    mx(env)
    r = env.run(RCPT)
    r.expect_exit(0)
    h = dane_host(r.doc)
    eq((len(h["records"]), h["records_total"]), (16, 21), "records kept and counted")
    eq(field(probe_at(r.doc, MX), "tls.dane"), "matched", "tls.dane with 21 records")

    set_tlsa(env, [[3, 0, 0, "30" * 5000]])
    r = env.run(RCPT)
    r.expect_exit(0)
    eq(dane_host(r.doc)["status"], "unusable", "a record cut at the cap")

    def garbage(query, qname, qtype):
        if qtype != 52:
            return None
        head = query[:2] + b"\x85\xa0" + b"\x00\x01\x00\x01\x00\x00\x00\x00"
        # The question, then an answer whose RDLENGTH runs past the end.
        return head + query[12:len(query) - 11] + b"\xc0\x0c\x00\x34\x00\x01\x00\x00\x00\x3c\x01\x00\x03"
    env.dns.zone[tlsa_name(env)] = garbage
    r = env.run(RCPT)
    r.expect_exit(75)
    eq(dane_host(r.doc)["status"], "lookup_error", "a malformed TLSA answer")
    eq(field(probe_at(r.doc, MX), "connect_ms"), None, "connected despite a failed TLSA lookup")


@case("dane_not_signed_is_not_dane")
def _(env):
    """Records in an answer without AD, while the resolver validates: the
    zone is not signed, a sender ignores them, a wrong record changes
    nothing. With nothing signed at all and the root SOA without AD, the
    resolver does not validate: dane_unvalidated, verdict unchanged."""
    begin(env)
    set_tlsa(env, [[3, 1, 1, "00" * 32]], ad=False)
    mx(env)
    r = env.run(RCPT)
    r.expect_exit(0)
    eq((dane_host(r.doc)["dnssec"], dane_host(r.doc)["applies"]), ("insecure", False), "unsigned")
    saved = {k: v for k, v in env.dns.zone.items()}
    try:
        for k, v in list(env.dns.zone.items()):
            if isinstance(v, dict):
                env.dns.zone[k] = {t: x for t, x in v.items() if t != "AD"}
        r = env.run(RCPT)
        r.expect_exit(0)
        eq(field(r.doc, "tls_policy.resolver_validates"), False, "resolver_validates")
        check("dane_unvalidated" in kinds(r.doc), "findings %r" % kinds(r.doc))
    finally:
        env.dns.zone.clear()
        env.dns.zone.update(saved)


@case("dane_unusable_records_still_need_tls")
def _(env):
    """Signed TLSA records of which none is usable (usage 1, a 3 1 1 digest
    of the wrong length): a DANE sender cannot authenticate, but still
    insists on TLS (RFC 7672 2.2): a host without STARTTLS fails, one with
    any certificate passes."""
    begin(env)
    set_tlsa(env, [[1, 1, 1, "11" * 32], [3, 1, 1, "22" * 31]])
    srv = mx(env, tls=False)
    r = env.run(RCPT)
    r.expect_exit(69)
    p = probe_at(r.doc, MX)
    eq((p["outcome"], p["tls"]["dane"]), ("tls_error", "failed"), "no STARTTLS")
    eq(deciding(p).get("error"), "starttls_not_offered", "deciding error")
    check("dane_no_starttls" in kinds(r.doc), "findings %r" % kinds(r.doc))
    check(not {"MAIL", "RCPT"} & set(verbs([l for c in srv.conns for l in c.received])),
          "envelope sent in clear")
    srv.stop()
    pem, key = self_signed(env)
    mx(env, cert=pem, key=key)
    r = env.run(RCPT)
    r.expect_exit(0)
    eq(dane_host(r.doc)["status"], "unusable", "status")


# --- MTA-STS records ------------------------------------------------------------

@case("mta_sts_hostile_records")
def _(env):
    """_mta-sts TXT as it goes wrong: two v=STSv1 records (no policy), a
    record with escape bytes (shown escaped, never raw), a record split
    into strings (joined), an id too long; none is fetched, none changes
    the verdict. A valid record whose policy host has no address: a fetch
    error, verdict unchanged."""
    begin(env)
    mx(env)
    sts = "_mta-sts.dane.test"
    cases = [
        (["v=STSv1; id=1;", "v=STSv1; id=2;"], "invalid"),
        (["v=STSv1; id=1\x1b[31m;"], "invalid"),
        (["v=STSv1; id=" + "1" * 40], "invalid"),
    ]
    for txt, want in cases:
        env.dns.zone[sts] = {"TXT": txt, "AD": True}
        r = env.run(RCPT)
        r.expect_exit(0)
        m = field(r.doc, "tls_policy.mta_sts")
        eq(m["status"], want, "mta_sts.status for %r" % txt)
        eq(m["fetch"], None, "a fetch for an invalid record")
        check("mta_sts_invalid" in kinds(r.doc), "findings %r" % kinds(r.doc))
        check("\x1b" not in r.text, "a raw escape byte reached the output")
    # An unrelated record, however long, is discarded before the cap
    # counts (RFC 8461 3.1): the MTA-STS record beside it stands.
    env.dns.zone[sts] = {"TXT": ["v=STSv1; id=abc123;", "site-verification=" + "x" * 1500]}
    r = env.run(RCPT)
    r.expect_exit(0)
    m = field(r.doc, "tls_policy.mta_sts")
    eq((m["status"], m["id"]), ("fetch_error", "abc123"), "no address for mta-sts.dane.test")
    # A record longer than 255 octets comes as several strings: joined.
    env.dns.zone[sts] = {"TXT": ["v=STSv1; id=xyz789; ext=" + "y" * 300]}
    r = env.run(RCPT)
    r.expect_exit(0)
    m = field(r.doc, "tls_policy.mta_sts")
    eq((m["status"], m["id"]), ("fetch_error", "xyz789"), "a record split into strings")
    check(m["txt"].endswith("y" * 300), "the record's strings were not joined")
    check("mta_sts_fetch_error" in kinds(r.doc), "findings %r" % kinds(r.doc))
    check("tls_rpt_missing" in kinds(r.doc), "findings %r" % kinds(r.doc))


# --- who the receiver thinks you are ----------------------------------------------

PTR_NAME = "1.0.0.127.in-addr.arpa"


def ehlo_hello(ip="127.0.0.1"):
    """An Exim-style EHLO reply that names the client, plain and in TLS."""
    lines = ["250-%s Hello %s [%s]" % (MX_NAME, HELO, ip), "250-PIPELINING", "250-STARTTLS",
             "250 8BITMIME"]
    tls = ["250-%s Hello %s [%s]" % (MX_NAME, HELO, ip), "250-PIPELINING", "250 8BITMIME"]
    return dict(replies={"EHLO": lines}, tls_replies={"EHLO": tls})


def egress_of(doc, ip):
    es = [e for e in doc.get("egress") or [] if e.get("address") == ip]
    check(len(es) == 1, "egress %r has no single entry for %s" % (doc.get("egress"), ip))
    return es[0]


@case("identity_echoed_ptr_fcrdns_helo")
def _(env):
    """The address a server names in its EHLO reply is the egress; its PTR
    and the PTR name's A confirm it (FCrDNS); the HELO name is a resolving
    FQDN that is the PTR name: no identity finding at all."""
    begin(env)
    env.dns.zone[PTR_NAME] = {"PTR": [HELO]}
    env.dns.zone[HELO] = {"A": ["127.0.0.1"]}
    mx(env, **ehlo_hello())
    r = env.run(RCPT)
    r.expect_exit(0)
    eq(field(probe_at(r.doc, MX), "echoed_address"), "127.0.0.1", "echoed_address")
    e = egress_of(r.doc, "127.0.0.1")
    eq((e["source"], e["ptr"], e["fcrdns"]), ("echoed", HELO, True), "egress")
    eq(field(r.doc, "helo"), {"name": HELO, "fqdn": True, "resolves": True, "matches_ptr": True},
       "helo")
    bad = [k for k in kinds(r.doc) if k.startswith(("egress_", "helo_"))]
    eq(bad, [], "identity findings")


@case("identity_findings")
def _(env):
    """A PTR whose name points elsewhere: egress_fcrdns_mismatch, and the
    HELO name is not the PTR: helo_mismatch. No PTR at all: egress_no_ptr.
    A HELO name without a dot: helo_not_fqdn. The verdict is the RCPT's."""
    begin(env)
    env.dns.zone[PTR_NAME] = {"PTR": ["other.dane.test"]}
    env.dns.zone["other.dane.test"] = {"A": ["127.9.9.9"]}
    env.dns.zone.pop(HELO, None)
    mx(env, **ehlo_hello())
    r = env.run(RCPT)
    r.expect_exit(0)
    e = egress_of(r.doc, "127.0.0.1")
    eq((e["ptr"], e["fcrdns"]), ("other.dane.test", False), "egress ptr, fcrdns")
    for k in ("egress_fcrdns_mismatch", "helo_mismatch", "helo_unresolved"):
        check(k in kinds(r.doc), "findings %r lack %s" % (kinds(r.doc), k))
    eq(field(r.doc, "helo.resolves"), False, "helo.resolves")
    del env.dns.zone[PTR_NAME]
    r = env.run(RCPT)
    r.expect_exit(0)
    eq(egress_of(r.doc, "127.0.0.1")["ptr"], None, "ptr")
    check("egress_no_ptr" in kinds(r.doc), "findings %r lack egress_no_ptr" % kinds(r.doc))
    eq(field(r.doc, "helo.matches_ptr"), None, "helo.matches_ptr without a PTR")
    r = env.run("--helo", "vm", RCPT)
    r.expect_exit(0)
    eq(field(r.doc, "helo.fqdn"), False, "helo.fqdn of 'vm'")
    check("helo_not_fqdn" in kinds(r.doc), "findings %r lack helo_not_fqdn" % kinds(r.doc))


@case("identity_echoed_is_only_a_literal")
def _(env):
    """Only a bracketed address literal counts, never the server's own
    address (a banner that names itself), never bytes around an escape;
    RFC 5321's IPv6: form is read; with nothing named, the local address
    (here loopback, so listed but judged no further)."""
    begin(env)
    for line, want in [
        ("250-%s [127.0.6.2] Hello [bogus] [300.1.2.3]" % MX_NAME, None),
        ("250-%s Hello x [127.0.0.1\x1b[31m]" % MX_NAME, None),
        ("250-%s Hello x [IPv6:::1]" % MX_NAME, "::1"),
    ]:
        srv = mx(env, replies={"EHLO": [line, "250-STARTTLS", "250 8BITMIME"]},
                 tls_replies={"EHLO": [line, "250 8BITMIME"]})
        r = env.run(RCPT)
        r.expect_exit(0)
        eq(field(probe_at(r.doc, MX), "echoed_address"), want, "echoed_address from %r" % line)
        if want is None:
            e = egress_of(r.doc, "127.0.0.1")
            eq(e["source"], "local", "egress source")
            check("egress_no_ptr" not in kinds(r.doc), "a loopback local address judged")
        srv.stop()


@case("identity_block_lists")
def _(env):
    """The echoed address looked up in each --dnsbl zone (a fake zone
    here: no real list is ever asked): listed with its code, refused
    (127.255.255.254), not listed; none asks nothing."""
    begin(env)
    mx(env, **ehlo_hello())
    env.dns.zone["1.0.0.127.bl-a.dane.test"] = {"A": ["127.0.0.2"]}
    env.dns.zone["1.0.0.127.bl-b.dane.test"] = {"A": ["127.255.255.254"]}
    r = env.run("--dnsbl", "bl-a.dane.test,bl-b.dane.test,bl-c.dane.test", RCPT)
    r.expect_exit(0)  # a listing is a finding; the receiver's reply decides
    got = {d["zone"]: (d["status"], d["codes"]) for d in egress_of(r.doc, "127.0.0.1")["dnsbl"]}
    eq(got, {"bl-a.dane.test": ("listed", ["127.0.0.2"]),
             "bl-b.dane.test": ("refused", ["127.255.255.254"]),
             "bl-c.dane.test": ("not_listed", [])}, "dnsbl results")
    eq(kinds(r.doc).count("egress_listed"), 1, "egress_listed findings")
    r = env.run("--dnsbl", "none", RCPT)
    r.expect_exit(0)
    eq(egress_of(r.doc, "127.0.0.1")["dnsbl"], [], "dnsbl with none")


@case("identity_block_list_ipv6")
def _(env):
    """An IPv6 address a server echoes ("[IPv6:...]", RFC 5321 4.1.3) is
    looked up by its nibbles (RFC 5782 2.4): listed where the fake zone
    lists it, not_listed elsewhere."""
    begin(env)
    ip = "2001:db8::25"
    nib = ".".join(reversed("20010db8000000000000000000000025"))
    env.dns.zone[nib + ".bl-a.dane.test"] = {"A": ["127.0.0.4"]}
    mx(env, **ehlo_hello("IPv6:" + ip))
    r = env.run("--dnsbl", "bl-a.dane.test,bl-b.dane.test", RCPT)
    r.expect_exit(0)
    eq(field(probe_at(r.doc, MX), "echoed_address"), ip, "echoed_address")
    got = {d["zone"]: (d["status"], d["codes"]) for d in egress_of(r.doc, ip)["dnsbl"]}
    eq(got, {"bl-a.dane.test": ("listed", ["127.0.0.4"]),
             "bl-b.dane.test": ("not_listed", [])}, "dnsbl results for IPv6")
    check(("%s.bl-a.dane.test" % nib, "A") in [q[:2] for q in env.dns.queries],
          "no nibble-format query")


@case("identity_listed_and_refused_for_it")
def _(env):
    """A 5xx that cites a block list the egress address is on: the verdict
    is rejected, and its reason is the listing (the next step: removal)."""
    begin(env)
    env.dns.zone["1.0.0.127.bl-a.dane.test"] = {"A": ["127.0.0.2"]}
    sc = ehlo_hello()
    sc["rcpt"] = {RCPT: "554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked "
                        "using bl-a.dane.test"}
    mx(env, **sc)
    r = env.run("--dnsbl", "bl-a.dane.test", RCPT)
    r.expect_exit(77)
    eq(field(r.doc, "verdict.reason"), "finding", "verdict.reason")
    f = r.doc["findings"][r.doc["verdict"]["finding"]]
    eq((f["kind"], f["address"]), ("egress_listed", "127.0.0.1"), "the verdict's finding")


# --- second opinions: the control recipient and the catch-all test ------------

POSTMASTER = "postmaster@dane.test"
DENIED = "554 5.7.1 <{rcpt}>: Client host rejected: Access denied"


def rcpt_lines(srv):
    return [l for c in srv.conns for l in c.received if l.upper().startswith("RCPT ")]


def recipients_of(p):
    return [(x["role"], x["address"], x["code"]) for x in field(p, "recipients")]


def kind_findings(doc, kind):
    return [f for f in doc.get("findings") or [] if f.get("kind") == kind]


def no_plain_ehlo_pipelining():
    """EHLO without PIPELINING: every RCPT waits for the reply before it."""
    return dict(replies={"EHLO": ["250-" + MX_NAME, "250-STARTTLS", "250 8BITMIME"]},
                tls_replies={"EHLO": ["250-" + MX_NAME, "250 8BITMIME"]})


@case("recipients_rejects_everyone")
def _(env):
    """The target and postmaster refused alike (a client restriction, as
    Postfix's reject at RCPT time): rejects_everyone is the verdict's
    reason, the outcome stays the target's rejected; the same with
    PIPELINING and without. With a block-list listing the refusal cites,
    the listing is the reason, and rejects_everyone is still reported."""
    begin(env)
    for extra in ({}, no_plain_ehlo_pipelining()):
        sc = dict(replies={"RCPT": DENIED.format(rcpt="x")})
        if extra:
            sc["replies"] = dict(extra["replies"], RCPT=DENIED.format(rcpt="x"))
            sc["tls_replies"] = extra["tls_replies"]
        srv = mx(env, **sc)
        r = env.run(RCPT)
        r.expect_exit(77)
        doc = r.doc
        eq(field(doc, "verdict.outcome"), "rejected", "verdict.outcome")
        eq(field(doc, "verdict.reason"), "finding", "verdict.reason")
        f = doc["findings"][doc["verdict"]["finding"]]
        eq(f["kind"], "rejects_everyone", "the verdict's finding")
        p = probe_at(doc, MX)
        eq(recipients_of(p), [("target", RCPT, 554), ("control", POSTMASTER, 554)],
           "recipients")
        steps = field(p, "steps")
        eq((steps[f["step"]]["role"], steps[f["other_step"]]["role"]), ("target", "control"),
           "the finding's steps")
        eq(p["deciding_step"], f["step"], "the target's RCPT decided")
        eq(rcpt_lines(srv), ["RCPT TO:<%s>" % RCPT, "RCPT TO:<%s>" % POSTMASTER],
           "RCPTs on the wire")
        srv.stop()
    # Human summary: the control line, and the same verdict reason.
    srv = mx(env, replies={"RCPT": DENIED.format(rcpt="x")})
    r = env.run(RCPT, json_out=False)
    r.expect_exit(77)
    out = r.out.decode("utf-8", "replace")
    check("control <%s>: 554 5.7.1" % POSTMASTER in out, "no control line in %s" % clip(out, 900))
    srv.stop()
    # Listed, and the refusal cites the list: the listing is the reason.
    env.dns.zone["1.0.0.127.bl-a.dane.test"] = {"A": ["127.0.0.2"]}
    sc = ehlo_hello()
    sc["replies"]["RCPT"] = ("554 5.7.1 Service unavailable; Client host [127.0.0.1] "
                             "blocked using bl-a.dane.test")
    mx(env, **sc)
    r = env.run("--dnsbl", "bl-a.dane.test", RCPT)
    r.expect_exit(77)
    f = r.doc["findings"][r.doc["verdict"]["finding"]]
    eq(f["kind"], "egress_listed", "the verdict's finding with a listing")
    eq(len(kind_findings(r.doc, "rejects_everyone")), 1, "rejects_everyone beside it")


@case("recipients_refused_mailbox_is_not_everyone")
def _(env):
    """Negatives: the target unknown and postmaster accepted is a mailbox
    refusal (no rejects_everyone, reason rejected); a 4xx target against a
    5xx postmaster is not alike; greylisting both is the server's way with
    every new sender, not a judgement of this one."""
    begin(env)
    cases = [
        ({RCPT: "550 5.1.1 <%s>: Recipient address rejected: User unknown" % RCPT}, None, 77,
         "rejected"),
        ({RCPT: "450 4.7.1 <%s>: try later" % RCPT,
          POSTMASTER: "550 5.7.1 <%s>: Access denied" % POSTMASTER}, None, 75, "tempfail"),
        ({}, "450 4.2.0 <x>: Recipient address rejected: Greylisted", 75, None),
        # Both unknown: a domain without a postmaster, not a refused sender.
        ({}, "550 5.1.1 <x>: Recipient address rejected: User unknown", 77, "rejected"),
    ]
    for rcpt, default, code, reason in cases:
        sc = dict(rcpt=rcpt)
        if default:
            sc["replies"] = {"RCPT": default}
        srv = mx(env, **sc)
        r = env.run(RCPT)
        r.expect_exit(code)
        check(not kind_findings(r.doc, "rejects_everyone"),
              "rejects_everyone for %s" % clip(rcpt or default))
        if reason:
            eq(field(r.doc, "verdict.reason"), reason, "verdict.reason")
        eq([x[0] for x in recipients_of(probe_at(r.doc, MX))], ["target", "control"], "roles")
        # Postmaster refused for good (5xx) is RFC 5321 broken, whatever
        # the target got; a 4xx to it is not.
        eq(len(kind_findings(r.doc, "postmaster_refused")),
           0 if rcpt.get(RCPT, "").startswith("550 5.1.1") or
           (default or "").startswith("450") else 1,
           "postmaster_refused for %s" % clip(rcpt or default))
        srv.stop()
    # MAIL FROM refused, the RCPTs pipelined behind it get "503 need MAIL":
    # nothing is said about the recipients at all.
    srv = mx(env, replies={"MAIL": "550 5.7.1 sender refused",
                           "RCPT": "503 5.5.1 Error: need MAIL command"})
    r = env.run(RCPT)
    r.expect_exit(77)
    eq(field(r.doc, "verdict.reason"), "rejected", "verdict.reason after a refused MAIL")
    for k in ("rejects_everyone", "postmaster_refused", "catch_all"):
        check(not kind_findings(r.doc, k), "%s after a refused MAIL FROM" % k)
    srv.stop()


@case("recipients_postmaster_refused")
def _(env):
    """The target accepted and postmaster refused: the verdict is the
    target's (accepted, exit 0), and postmaster_refused says RFC 5321 is
    broken; with postmaster accepted there is no such finding."""
    begin(env)
    srv = mx(env, rcpt={POSTMASTER: "550 5.1.1 <%s>: User unknown" % POSTMASTER})
    r = env.run(RCPT)
    r.expect_exit(0)
    eq(field(r.doc, "verdict.reason"), "accepted", "verdict.reason")
    f = kind_findings(r.doc, "postmaster_refused")
    eq(len(f), 1, "postmaster_refused findings")
    eq((f[0]["code"], f[0]["host"]), (550, MX_NAME), "the finding's code and host")
    srv.stop()
    # A 4xx to postmaster (greylisting keys on the recipient) proves nothing.
    srv = mx(env, rcpt={POSTMASTER: "450 4.2.0 <%s>: Greylisted" % POSTMASTER})
    r = env.run(RCPT)
    r.expect_exit(0)
    check(not kind_findings(r.doc, "postmaster_refused"), "postmaster_refused for a 450")
    srv.stop()
    mx(env)
    r = env.run(RCPT)
    r.expect_exit(0)
    check(not kind_findings(r.doc, "postmaster_refused"), "postmaster_refused when accepted")


@case("recipients_no_control")
def _(env):
    """--no-control sends the target alone; a target that is the postmaster
    (any case) gets no second postmaster; a DOMAIN probe has no RCPT."""
    begin(env)
    for args, target, want in ((["--no-control"], RCPT, [RCPT]),
                               ([], "PostMaster@dane.test", ["PostMaster@dane.test"]),
                               ([], "dane.test", [])):
        srv = mx(env)
        r = env.run(*(args + [target]))
        r.expect_exit(0)
        eq(rcpt_lines(srv), ["RCPT TO:<%s>" % a for a in want], "RCPTs for %s %s" % (args, target))
        eq([x[1] for x in recipients_of(probe_at(r.doc, MX))], want, "recipients")
        srv.stop()


@case("recipients_catch_all")
def _(env):
    """--catch-all asks for a random 16-character local part after the
    target and postmaster: a server that accepts it is a catch-all (the
    finding), one that refuses it is not; each run draws a new local part;
    a DOMAIN probe asks it after MAIL, without a control recipient."""
    begin(env)
    import re as _re
    seen = []
    for accept_all in (True, False):
        sc = {} if accept_all else dict(
            rcpt={RCPT: "250 2.1.5 Ok", POSTMASTER: "250 2.1.5 Ok"},
            replies={"RCPT": "550 5.1.1 <x>: Recipient address rejected: User unknown"})
        srv = mx(env, **sc)
        r = env.run("--catch-all", RCPT)
        r.expect_exit(0)
        rs = recipients_of(probe_at(r.doc, MX))
        eq([x[0] for x in rs], ["target", "control", "catch_all"], "roles")
        rand = rs[2][1]
        check(_re.fullmatch(r"[a-z][a-z0-9]{15}@dane\.test", rand), "catch-all address %r" % rand)
        seen.append(rand)
        eq(rcpt_lines(srv)[-1], "RCPT TO:<%s>" % rand, "the last RCPT on the wire")
        eq(len(kind_findings(r.doc, "catch_all")), 1 if accept_all else 0,
           "catch_all findings (server accepts all: %s)" % accept_all)
        eq(rs[2][2], 250 if accept_all else 550, "the catch-all reply")
        srv.stop()
    check(seen[0] != seen[1], "the same random local part twice: %s" % seen)
    srv = mx(env)
    r = env.run("--catch-all", "dane.test")
    r.expect_exit(0)
    rs = recipients_of(probe_at(r.doc, MX))
    eq([x[0] for x in rs], ["catch_all"], "roles of a DOMAIN probe")
    eq(len(kind_findings(r.doc, "catch_all")), 1, "catch_all for a DOMAIN")
    srv.stop()
    # Without --catch-all: nothing random on the wire, no finding.
    srv = mx(env)
    r = env.run(RCPT)
    eq(len(rcpt_lines(srv)), 2, "RCPTs without --catch-all")
    check(not kind_findings(r.doc, "catch_all"), "catch_all without --catch-all")


@case("recipients_catch_all_skipped_at_big_provider")
def _(env):
    """A domain whose MX is a Google host (a fake zone on loopback): the
    catch-all test is not asked of it, and catch_all_skipped says so."""
    begin(env)
    host = "alt1.aspmx.l.google.com"
    env.dns.zone["bigmx.dane.test"] = {"MX": [[10, host]]}
    env.dns.zone[host] = {"A": [MX]}
    srv = mx(env, name=host)
    r = env.run("--catch-all", "alice@bigmx.dane.test")
    r.expect_exit(0)
    eq(rcpt_lines(srv), ["RCPT TO:<alice@bigmx.dane.test>", "RCPT TO:<postmaster@bigmx.dane.test>"],
       "RCPTs at a big provider")
    f = kind_findings(r.doc, "catch_all_skipped")
    eq([x["host"] for x in f], [host], "catch_all_skipped findings")
    check(not kind_findings(r.doc, "catch_all"), "catch_all at a big provider")


def main(argv=None):
    return harness_main(CASES, make_env, __doc__.split("\n\n")[0], argv)


if __name__ == "__main__":
    sys.exit(main())
