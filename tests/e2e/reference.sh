#!/bin/bash
# Reference results for the lab's TLS-policy fixtures, from the reference
# tools rather than from smtpprobe (needs root and a lab that is up):
#
#   tests/e2e/reference.sh        writes $LAB_DIR/reference.json (and prints its path)
#
# - dane: Postfix's posttls-finger at security level "dane" (DNSSEC through
#   the lab's validating unbound, the lab CA as its CAfile) for every DANE
#   domain and insecure.test, and for each of the domain's MX hosts alone
#   ("[host]"); per run the trust level it reports ("Verified",
#   "Untrusted", ..., "failed" when it gave up, "no-starttls" when the
#   server offered no STARTTLS), what it said about DANE ("match",
#   "mismatch", "unusable", "defer", "none", or "not-reached" without
#   STARTTLS) and the lines that say so;
# - sts: curl of https://mta-sts.DOMAIN/.well-known/mta-sts.txt for every
#   MTA-STS domain (lab CA, no redirects followed, the address the lab's DNS
#   gives): http_code, content_type, redirect_url, curl_exit, error, body;
# - dnssec: dig +dnssec at the validating ($LAB_RESOLVER) and the
#   non-validating ($LAB_RESOLVER_NOVAL) resolver for every TLSA name, ". SOA"
#   and the secure names beside the bogus TLSA: rcode and the AD bit;
# - recipients: swaks (--quit-after RCPT, the null sender) asking each
#   second-opinion domain's MX for a target, postmaster and a made-up local
#   part in one transaction: each RCPT's reply code and enhanced code;
# - dnsbl: dig of the lab's block-list names for 127.0.0.1: the A answers;
# - ports: swaks --quit-after connect (2 s) to the dropping and the dead
#   host on 25, 587 and 465: "connected", "refused" or "timeout";
# - ptr: dig -x for the lab's client addresses (rcode and PTR names) and
#   the A answer of each PTR name and of the HELO names the scenarios use;
# - exim_hello: the first line of Exim's EHLO reply as swaks sees it, and
#   the bracketed address in it;
# - proxy: curl --socks5 (local resolution, as smtpprobe --proxy) through
#   the lab's danted to mx1:25 and to the host its rules block, each an
#   SMTP NOOP: curl's exit status, the greeting it got, its SOCKS5 lines,
#   and the client address Postfix logged for the session (danted's
#   external address).
#
# Every command runs inside the lab's namespace (the script enters it
# itself when started outside).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lab-env.sh
. "$here/lab-env.sh"
export PATH="$PATH:/usr/sbin:/sbin"

lab_require_root "reference.sh: needs root"
if ! [ -f "$LAB_DIR/up" ] || ! lab_ns_exists; then
	echo "reference.sh: the lab is not up (tests/e2e/lab-up.sh)" >&2
	exit 1
fi
for tool in posttls-finger curl dig swaks; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "reference.sh: missing $tool" >&2
		exit 1
	}
done
if [ "$(ip netns identify $$ 2>/dev/null)" != "$LAB_NS" ]; then
	exec ip netns exec "$LAB_NS" "$0" "$@"
fi

# posttls-finger reads main.cf from MAIL_CONFIG: a directory of its own.
ptf=$LAB_DIR/posttls-finger
mkdir -p "$ptf"
cat >"$ptf/main.cf" <<EOF
# posttls-finger only (tests/e2e/reference.sh); no Postfix runs from here.
compatibility_level = 3.6
myhostname = reference.$LAB_ZONE
smtp_dns_support_level = dnssec
smtp_tls_CAfile = $LAB_DIR/pki/ca.pem
EOF

export LAB_DIR LAB_ZONE LAB_RESOLVER LAB_RESOLVER_NOVAL LAB_DANE_DOMAINS LAB_STS_DOMAINS
export LAB_PROXY LAB_PROXY_PORT LAB_MX1 LAB_DENY
MAIL_CONFIG=$ptf exec python3 - "$LAB_DIR/reference.json" <<'PY'
import json, os, re, subprocess, sys, time

out_path = sys.argv[1]
lab_dir = os.environ["LAB_DIR"]
zone = os.environ["LAB_ZONE"]
val = os.environ["LAB_RESOLVER"]
noval = os.environ["LAB_RESOLVER_NOVAL"]
ca = os.path.join(lab_dir, "pki", "ca.pem")


def run(cmd, timeout=30):
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def dig(server, name, qtype):
    rc, out, _ = run(["dig", "+dnssec", "+noall", "+comments", "+answer", "+tries=1",
                      "+time=5", "@" + server, name, qtype])
    m = re.search(r"status: (\w+)", out)
    f = re.search(r";; flags:([^;]*);", out)
    flags = f.group(1).split() if f else []
    answer = []
    for line in out.splitlines():
        if line.startswith(";") or not line.strip():
            continue
        parts = line.split(None, 4)
        if len(parts) == 5 and parts[3] == qtype:
            answer.append(parts[4])
    return {"rcode": m.group(1) if m else "no answer (dig exit %d)" % rc,
            "ad": "ad" in flags, "answer": answer}


def mx_hosts(domain):
    r = dig(val, domain, "MX")
    mx = []
    for a in r["answer"]:
        pref, host = a.split()
        mx.append((int(pref), host.rstrip(".")))
    return [h for _, h in sorted(mx)]


def finger(dest):
    # Without -c: the SMTP chat shows whether STARTTLS was offered at all.
    rc, out, err = run(["posttls-finger", "-l", "dane", "-F", ca, dest])
    lines = [l for l in (out + err).splitlines() if l.strip()]
    tls = [l for l in lines if "TLS connection established" in l]
    failed = [l for l in lines if "Failed to establish session" in l
              or "fatal:" in l]
    ehlo = [l for l in lines if re.search(r": < 250[- ]", l)]
    if tls:
        m = re.search(r"posttls-finger: (\S+) TLS connection established", tls[0])
        level, line = (m.group(1) if m else "?"), tls[0]
    elif failed:
        level, line = "failed", failed[0]
    elif ehlo and not any("STARTTLS" in l for l in ehlo):
        connected = [l for l in lines if "Connected to" in l]
        level = "no-starttls"
        line = (connected[0] if connected else ehlo[0]) + " (no STARTTLS in the EHLO reply)"
    else:
        level, line = "unknown", lines[-1] if lines else ""
    dane_lines = [l for l in lines if re.search(
        r"DANE|TLSA|verification failed|matched peername", l)]
    text = "\n".join(lines)
    if level == "no-starttls":
        dane = "not-reached"
    elif "Matched DANE" in text:
        dane = "match"
    elif "no matching DANE TLSA records" in text:
        dane = "mismatch"
    elif "TLSA lookup error" in text or "TLSA lookup problem" in text:
        dane = "defer"
    elif "unsupported TLSA" in text or "unusable TLSA" in text:
        dane = "unusable"
    else:
        dane = "none"
    return {"level": level, "dane": dane, "line": line,
            "dane_lines": dane_lines, "exit": rc}


ref = {"dane": {}, "sts": {}, "dnssec": {}, "recipients": {}, "dnsbl": {}, "ports": {},
       "ptr": {}, "helo": {}, "exim_hello": None}

tlsa_names = []
for d in os.environ["LAB_DANE_DOMAINS"].split():
    r = finger(d)
    hosts = mx_hosts(d)
    r["mx"] = {}
    for h in hosts:
        r["mx"][h] = finger("[%s]" % h)
        n = "_25._tcp." + h
        if n not in tlsa_names:
            tlsa_names.append(n)
    ref["dane"][d] = r

names = [(".", "SOA")] + [(n, "TLSA") for n in tlsa_names]
# The TLSA record sits at the CNAME target's name (dane-cname).
names.append(("_25._tcp.dane-ee." + zone, "TLSA"))
# Beside the bogus TLSA, the MX and the address stay secure.
names += [("dane-bogus." + zone, "MX"), ("dane-bogus-mx." + zone, "A")]
for n, t in names:
    key = n if t in ("TLSA", "SOA") else "%s %s" % (n, t)
    if key in ref["dnssec"]:
        continue
    v, nv = dig(val, n, t), dig(noval, n, t)
    ref["dnssec"][key] = {"type": t,
                          "validating": {"rcode": v["rcode"], "ad": v["ad"]},
                          "nonvalidating": {"rcode": nv["rcode"], "ad": nv["ad"]},
                          "answer": v["answer"] or nv["answer"]}

for d in os.environ["LAB_STS_DOMAINS"].split():
    host = "mta-sts." + d
    a = dig(val, host, "A")["answer"]
    entry = {"address": a[0] if a else None,
             "txt": dig(val, "_mta-sts." + d, "TXT")["answer"],
             "tlsrpt": dig(val, "_smtp._tls." + d, "TXT")["answer"]}
    if a:
        rc, out, err = run(["curl", "--cacert", ca, "--resolve", "%s:443:%s" % (host, a[0]),
                            "--proto", "=https", "--max-redirs", "0", "--max-time", "10",
                            "-sS", "-o", "-", "-w",
                            "\n%{http_code}\t%{content_type}\t%{redirect_url}",
                            "https://%s/.well-known/mta-sts.txt" % host])
        body, _, trailer = out.rpartition("\n")
        code, ctype, redirect = (trailer.split("\t") + ["", ""])[:3]
        entry.update({"http_code": int(code) if code.isdigit() else 0,
                      "content_type": ctype, "redirect_url": redirect,
                      "curl_exit": rc, "error": err.strip().splitlines()[0] if err.strip() else "",
                      "body": body})
    else:
        entry.update({"http_code": 0, "content_type": "", "redirect_url": "",
                      "curl_exit": None, "error": "no address for " + host, "body": ""})
    ref["sts"][d] = entry

# The second opinions: what Postfix answers the target, the postmaster and
# a made-up local part, as swaks sees it (the probe's own are random).
for d, local in (("ok", "nobody"), ("ok", "alice"), ("everyone", "alice"),
                 ("listed", "alice"), ("catchall", "alice")):
    dom = "%s.%s" % (d, zone)
    host = mx_hosts(dom)[0]
    addr = dig(val, host, "A")["answer"][0]
    rcpts = ["%s@%s" % (local, dom), "postmaster@" + dom, "zq7k3v9m2x5w8p4t@" + dom]
    rc, out, err = run(["swaks", "--server", addr, "--from", "<>", "--helo",
                        "reference." + zone, "--quit-after", "RCPT", "--to", ",".join(rcpts)])
    got, asked = {}, None
    for line in (out + err).splitlines():
        m = re.match(r"\s*-> RCPT TO:<([^>]*)>", line)
        if m:
            asked = m.group(1)
            continue
        m = re.match(r"\s*<(?:-|\*\*)\s+(\d{3})[ -](\d\.\d{1,3}\.\d{1,3})?", line)
        if m and asked:
            got[asked] = {"code": int(m.group(1)), "enhanced": m.group(2)}
            asked = None
    ref["recipients"]["%s@%s" % (local, dom)] = {
        "mx": addr, "target": got.get(rcpts[0]), "control": got.get(rcpts[1]),
        "made_up": got.get(rcpts[2]), "swaks_exit": rc}

for z in ("bl." + zone, "refuse." + zone):
    ref["dnsbl"][z] = sorted(dig(val, "1.0.0.127." + z, "A")["answer"])

for host in ("drop." + zone, "deadhost." + zone):
    addr = dig(val, host, "A")["answer"][0]
    for port in (25, 587, 465):
        rc, out, err = run(["swaks", "--server", "%s:%d" % (addr, port), "--quit-after",
                            "connect", "--timeout", "2"])
        text = out + err
        if "=== Connected to" in text:
            res = "connected"
        elif "Connection refused" in text:
            res = "refused"
        elif "timeout" in text.lower():
            res = "timeout"
        else:
            res = "error"
        ref["ports"]["%s:%d" % (addr, port)] = res

for ip in ("127.0.0.1", "127.0.0.7", "127.0.0.8"):
    rc, out, _ = run(["dig", "+noall", "+comments", "+answer", "@" + val, "-x", ip])
    m = re.search(r"status: (\w+)", out)
    names = [l.split()[-1].rstrip(".") for l in out.splitlines()
             if l.strip() and not l.startswith(";") and " PTR " in l.replace("\t", " ")]
    ref["ptr"][ip] = {"rcode": m.group(1) if m else "?", "names": names,
                      "forward": {n: dig(val, n, "A")["answer"] for n in names}}
rc, out, err = run(["swaks", "--server", dig(val, "eximhost." + zone, "A")["answer"][0],
                    "--from", "<>", "--helo", "reference." + zone, "--quit-after", "EHLO"])
for line in (out + err).splitlines():
    m = re.match(r"\s*<-\s+250-(\S+ Hello .*\[([0-9a-fA-F.:]+)\])\s*$", line)
    if m:
        ref["exim_hello"] = {"line": m.group(1), "address": m.group(2)}
        break

for n in ("localhost", "mx1." + zone, "nosuch." + zone):
    ref["helo"][n] = dig(val, n, "A")["answer"]

# Through danted: what curl --socks5 sees, and whom Postfix saw.
ref["proxy"] = {}
proxy = "%s:%s" % (os.environ["LAB_PROXY"], os.environ["LAB_PROXY_PORT"])
maillog = os.path.join(lab_dir, "log", "postfix.log")
for name, addr in (("mx1", os.environ["LAB_MX1"]), ("blocked", os.environ["LAB_DENY"])):
    with open(maillog, errors="replace") as f:
        before = len(f.read().splitlines())
    rc, out, err = run(["curl", "-sv", "--max-time", "10", "--socks5", proxy,
                        "smtp://%s:25/reference.%s" % (addr, zone), "-X", "NOOP"])
    lines = err.splitlines()
    banner = next((l[2:].strip() for l in lines if l.startswith("< 220")), None)
    client = None
    for _ in range(50):  # postlogd writes asynchronously
        with open(maillog, errors="replace") as f:
            new = f.read().splitlines()[before:]
        m = [re.search(r" connect from \S*\[([0-9a-fA-F.:]+)\]", l) for l in new]
        m = [x.group(1) for x in m if x]
        if m or banner is None:
            client = m[0] if m else None
            break
        time.sleep(0.1)
    ref["proxy"][name] = {"address": addr, "curl_exit": rc, "banner": banner,
                          "socks": [l[2:].strip() for l in lines if "SOCKS5" in l],
                          "postfix_client": client}

with open(out_path, "w") as f:
    json.dump(ref, f, indent=2, sort_keys=False)
    f.write("\n")
print(out_path)
PY
