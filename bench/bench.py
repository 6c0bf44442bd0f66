#!/usr/bin/env python3
"""The smtpprobe benchmark driver; run by bench.sh inside the lab's namespace.

bench.sh has already: brought the lab up, started nfqdelay.py (25 ms each
way for every packet to or from 127.0.2.0/24) and bind-mounted a
resolv.conf naming the delayed resolver 127.0.2.53, so smtpprobe and swaks
resolve and connect over the same delayed path. This script measures and
prints; it asserts nothing (it is not a test).

  (1) the RTT really obtained; smtpprobe (STARTTLS, to RCPT) and swaks
      (--quit-after RCPT --tls) interleaved, N runs each: wall time, network
      time to the RCPT reply, and round trips counted on the wire from the
      delayer's packet log; against the floor of 9 RTT.
  (2) a domain with 3 MX hosts, one behind a DROP: wall time / --timeout.
  (3) peak RSS of one probe (/usr/bin/time -v); `--explain 550` wall time.
  (4) the TLS policy's cost: benchpol.lab.test (DANE: a signed 3 1 1
      record; MTA-STS: a policy fetched from a delayed nginx) probed with
      the default --tls-policy enforce and with --tls-policy off,
      interleaved; the difference of the median wall times, in RTT.
"""

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import struct
import subprocess
import tempfile
import time

ZONE = "lab.test"
SERVICE_PORTS = {25, 53, 465, 587}


def median(xs):
    return statistics.median(xs) if xs else float("nan")


# ------------------------------------------------------------ RTT


def tcp_rtt(host, port, n):
    out = []
    for _ in range(n):
        t = time.monotonic()
        s = socket.create_connection((host, port), timeout=5)
        out.append(time.monotonic() - t)
        s.close()
        time.sleep(0.05)
    return out


def dns_rtt(server, name, n):
    q = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", 15, 1)
    out = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(5)
        t = time.monotonic()
        s.sendto(q, (server, 53))
        s.recv(4096)
        out.append(time.monotonic() - t)
        s.close()
        time.sleep(0.02)
    return out


# ------------------------------------------------------------ packet log


class Pkt:
    __slots__ = ("t", "proto", "src", "sport", "dst", "dport", "flags", "plen")


def read_log(path):
    pkts = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 6 or parts[1] not in ("tcp", "udp"):
                continue
            p = Pkt()
            p.t = float(parts[0])
            p.proto = parts[1]
            p.src, sport = parts[2].rsplit(":", 1)
            p.dst, dport = parts[3].rsplit(":", 1)
            p.sport, p.dport = int(sport), int(dport)
            p.flags = parts[4]
            p.plen = int(parts[5])
            pkts.append(p)
    return pkts


def flights(pkts):
    """Group the packets that matter into one-way flights.

    A packet matters if it carries a request or an answer: any UDP (DNS),
    a TCP SYN, a TCP segment with payload, and the client's ACK completing
    the handshake (the server sends its banner on it). Pure ACKs, FIN-only
    and RST segments are left out: they are not turns of the dialogue.
    Packets within 10 ms of each other in the same direction form one
    flight (the one-way delay is 25 ms, so causally chained sends are at
    least that far apart). Returns [(t, 'C'|'S'), ...].
    """
    synack_seen = set()
    acked = set()
    sig = []
    for p in sorted(pkts, key=lambda p: p.t):
        client = p.dport in SERVICE_PORTS
        flow = (p.src, p.sport, p.dst, p.dport) if client else (p.dst, p.dport, p.src, p.sport)
        keep = False
        if p.proto == "udp":
            keep = True
        elif "S" in p.flags:
            keep = True
            if "A" in p.flags:
                synack_seen.add(flow)
        elif p.plen > 0:
            keep = True
        elif client and p.flags == "A" and flow in synack_seen and flow not in acked:
            keep = True
        if client and p.proto == "tcp" and flow in synack_seen and "S" not in p.flags:
            acked.add(flow)
        if keep:
            sig.append((p.t, "C" if client else "S"))
    out = []
    for t, d in sig:
        if out and out[-1][1] == d and t - out[-1][2] <= 0.010:
            out[-1][2] = t
            continue
        out.append([t, d, t])
    return [(f[0], f[1]) for f in out]


def turns(fl):
    """Indices of the client flights that got an answer (one round trip each)."""
    return [i for i in range(len(fl) - 1) if fl[i][1] == "C" and fl[i + 1][1] == "S"]


def analyse(pkts, t0, t1, tail):
    """Round trips of one run; tail = client turns after the RCPT reply.

    Also the time the server sat on an answer: two server flights in a row
    with no client request between them mean the second waited for a pure
    ACK (Nagle's algorithm on the server meeting delayed ACKs on the
    client), not for anything the client asked.
    """
    fl = flights([p for p in pkts if t0 <= p.t <= t1])
    if not fl:
        return None
    tr = turns(fl)
    first = fl[0][0]
    res = {"turns_total": len(tr), "turns_to_rcpt": len(tr) - tail,
           "net_to_rcpt": None, "stall": None}
    if len(tr) > tail:
        # The turn after the RCPT reply starts the moment that reply arrives.
        end = fl[tr[len(tr) - tail]][0]
        res["net_to_rcpt"] = end - first
        res["stall"] = sum(fl[i + 1][0] - fl[i][0] for i in range(len(fl) - 1)
                           if fl[i][1] == "S" and fl[i + 1][1] == "S" and fl[i + 1][0] < end)
    return res


# ------------------------------------------------------------ runs


def run(cmd, env=None):
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    t1 = time.monotonic()
    return t0, t1, p


def probe_cmd(opts, domain):
    return [opts.binary, "--json", "--ca-file", opts.ca, "alice@%s.%s" % (domain, ZONE)]


def swaks_cmd(opts):
    return [
        opts.swaks, "--to", "alice@bench." + ZONE, "--from", "<>", "--helo", "vm",
        "--quit-after", "RCPT", "--tls", "--tls-verify", "--tls-ca-path", opts.ca,
        "--timeout", "10",
    ]


def probe_facts(stdout):
    d = json.loads(stdout)
    p = d["probes"][0]
    # The target's RCPT (the control recipient's follows it, pipelined).
    rcpt = [s for s in p["steps"] if s["stage"] == "rcpt" and s.get("role") == "target"]
    idx = p["steps"].index(rcpt[-1])
    tail = sum(1 for s in p["steps"][idx + 1 :] if s.get("sent") and s["stage"] != "rcpt")
    return {
        "outcome": d["verdict"]["outcome"],
        "tls": p["tls"]["mode"],
        "rcpt_ms": rcpt[-1].get("reply_ms"),
        "tail": tail,
        "tail_cmds": [s["sent"] for s in p["steps"][idx + 1 :]
                      if s.get("sent") and s["stage"] != "rcpt"],
        "quit_unawaited": "quit_unawaited" in (p.get("notes") or []),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--packets", required=True)
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--swaks", default=shutil.which("swaks") or "swaks")
    ap.add_argument("--timeout", type=int, default=5)
    ap.add_argument("--delay-ms", type=float, default=25.0)
    opts = ap.parse_args()

    print("== smtpprobe benchmark: %d ms added each way in user space (NFQUEUE), "
          "%d runs each, interleaved" % (opts.delay_ms, opts.runs))

    # --- warm up caches (unbound, Postfix processes, page cache)
    for _ in range(2):
        run(probe_cmd(opts, "bench"))
    have_swaks = shutil.which(opts.swaks) is not None
    if have_swaks:
        run(swaks_cmd(opts))

    # --- the RTT we really got
    rtt_tcp = tcp_rtt("127.0.2.1", 25, 10)
    rtt_dns = dns_rtt("127.0.2.53", "bench." + ZONE, 10)
    rtt = median(rtt_tcp)
    print("measured RTT: TCP connect median %.1f ms (min %.1f, max %.1f); "
          "DNS query median %.1f ms" % (rtt * 1e3, min(rtt_tcp) * 1e3, max(rtt_tcp) * 1e3,
                                       median(rtt_dns) * 1e3))
    print("floor: DNS MX, DNS A/AAAA, TCP + banner (2), EHLO, STARTTLS, TLS 1.3, EHLO, "
          "MAIL+RCPT pipelined = 9 RTT = %.0f ms" % (9 * rtt * 1e3))

    # --- interleaved runs
    kinds = [("smtpprobe", "bench")]
    if have_swaks:
        kinds.append(("swaks", None))
    samples = {k: [] for k, _ in kinds}
    bad = []
    for i in range(opts.runs):
        for name, dom in kinds:
            time.sleep(0.15)
            cmd = probe_cmd(opts, dom) if dom else swaks_cmd(opts)
            t0, t1, p = run(cmd)
            s = {"t0": t0, "t1": t1, "wall": t1 - t0, "rc": p.returncode}
            if dom:
                try:
                    s.update(probe_facts(p.stdout))
                except (ValueError, KeyError, IndexError) as e:
                    s["err"] = str(e)
            else:
                s["tail"] = 1  # swaks sends QUIT after the RCPT reply
                s["tail_cmds"] = ["QUIT"]
                s["ok"] = b"250 2.1.5" in p.stdout
            if p.returncode != 0:
                bad.append("%s run %d: exit %d %s" % (name, i, p.returncode, p.stderr[-200:]))
            samples[name].append(s)
    time.sleep(0.2)
    pkts = read_log(opts.packets)
    for name, _ in kinds:
        for s in samples[name]:
            a = analyse(pkts, s["t0"], s["t1"], s["tail"])
            s.update(a or {})

    def col(name, key, scale=1.0):
        xs = [s[key] * scale for s in samples[name] if s.get(key) is not None]
        return median(xs)

    print()
    hdr = "%-44s" % "(1) STARTTLS dialogue to RCPT, medians" + "".join(
        "%24s" % n for n, _ in kinds)
    print(hdr)
    rows = [
        ("wall time, whole process (ms)", lambda n: col(n, "wall", 1e3), "%.0f"),
        ("  = RTT", lambda n: col(n, "wall") / rtt, "%.1f"),
        ("network time to the RCPT reply (ms)", lambda n: col(n, "net_to_rcpt", 1e3), "%.0f"),
        ("  = RTT  (floor 9, target <= 10)", lambda n: col(n, "net_to_rcpt") / rtt, "%.1f"),
        ("  of which the server sat on a reply (ms)", lambda n: col(n, "stall", 1e3), "%.0f"),
        ("  less that wait = RTT", lambda n: (col(n, "net_to_rcpt") - col(n, "stall")) / rtt, "%.1f"),
        ("round trips to RCPT, counted on the wire", lambda n: col(n, "turns_to_rcpt"), "%.0f"),
        ("round trips in all (with the tail below)", lambda n: col(n, "turns_total"), "%.0f"),
    ]
    for label, f, fmt in rows:
        print("%-44s" % label + "".join("%24s" % (fmt % f(n)) for n, _ in kinds))
    if samples["smtpprobe"]:
        print("%-44s" % "smtpprobe's own clock: RCPT reply at (ms)" + "".join(
            "%24s" % ("%.0f" % col(n, "rcpt_ms") if n.startswith("smtpprobe") else "-")
            for n, _ in kinds))
    print("%-44s" % "commands after the RCPT reply (the tail)" + "".join(
        "%24s" % "+".join(samples[n][0].get("tail_cmds", [])) for n, _ in kinds))
    if bad:
        print("runs that failed: %d (first: %s)" % (len(bad), bad[0]))

    # --- (2) 3 MX hosts, one dropping
    t = opts.timeout
    walls = []
    rc3 = None
    for _ in range(3):
        t0, t1, p = run([opts.binary, "--json", "--ca-file", opts.ca, "--dns-server", "127.0.0.53",
                         "-t", str(t), "alice@three." + ZONE])
        walls.append(t1 - t0)
        rc3 = p.returncode
    print()
    print("(2) 3 MX hosts (MX 10 DROPped, 20 and 30 accept), --timeout %d: wall %s s, exit %s"
          % (t, ", ".join("%.2f" % w for w in walls), rc3))

    # --- (3) peak RSS and --explain
    rss = []
    tv = shutil.which("time") and "/usr/bin/time"
    if tv and os.path.exists(tv):
        for _ in range(5):
            p = subprocess.run([tv, "-v", opts.binary, "--ca-file", opts.ca, "--dns-server",
                                "127.0.0.53", "alice@ok." + ZONE],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            m = re.search(rb"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
            if m:
                rss.append(int(m.group(1)))
    explain_ms = None
    how = ""
    hf = shutil.which("hyperfine")
    if hf:
        with tempfile.NamedTemporaryFile(suffix=".json") as tf:
            subprocess.run([hf, "-N", "--warmup", "20", "--runs", "300", "--export-json", tf.name,
                            "%s --explain 550" % opts.binary],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                r = json.load(open(tf.name))["results"][0]
                explain_ms = r["median"] * 1e3
                how = "hyperfine, median of 300 (mean %.2f ms)" % (r["mean"] * 1e3)
            except (ValueError, KeyError, IndexError):
                explain_ms = None
    if explain_ms is None:
        xs = []
        for _ in range(200):
            t0 = time.monotonic()
            subprocess.run([opts.binary, "--explain", "550"], stdout=subprocess.DEVNULL)
            xs.append(time.monotonic() - t0)
        explain_ms = median(xs) * 1e3
        how = "fork/exec loop, median of 200"
    print("(3) peak RSS of one probe (/usr/bin/time -v, 5 runs): %s kB; "
          "--explain 550: %.2f ms (%s)" % (", ".join(map(str, rss)) or "n/a", explain_ms, how))

    # --- (4) the TLS policy's cost
    pol = {"enforce": [], "off": []}
    pol_bad = []
    for i in range(opts.runs):
        for mode in ("enforce", "off"):
            time.sleep(0.15)
            cmd = probe_cmd(opts, "benchpol") + ["--tls-policy", mode]
            t0, t1, p = run(cmd)
            pol[mode].append(t1 - t0)
            try:
                d = json.loads(p.stdout)
                dane = d["probes"][0]["tls"]["dane"]
                sts = (d["tls_policy"]["mta_sts"] or {}).get("status")
            except (ValueError, KeyError, IndexError):
                dane = sts = None
            want = ("matched", "ok") if mode == "enforce" else ("not_applicable", None)
            if p.returncode != 0 or (dane, sts) != want:
                pol_bad.append("%s run %d: exit %d, dane %s, mta_sts %s"
                               % (mode, i, p.returncode, dane, sts))
    pol_diff = (median(pol["enforce"]) - median(pol["off"])) / rtt
    print("(4) benchpol (DANE + MTA-STS) wall, median of %d: enforce %.1f ms, off %.1f ms: "
          "+%.2f RTT%s" % (opts.runs, median(pol["enforce"]) * 1e3, median(pol["off"]) * 1e3,
                          pol_diff, ("; BAD: " + "; ".join(pol_bad)) if pol_bad else ""))

    # --- measured vs target
    p_rtt = col("smtpprobe", "net_to_rcpt") / rtt
    p_turns = col("smtpprobe", "turns_to_rcpt")
    p_own = (col("smtpprobe", "net_to_rcpt") - col("smtpprobe", "stall")) / rtt
    print()
    print("%-58s %14s %12s %6s" % ("measure", "measured", "target", "met"))
    table = [
        ("RTT obtained (TCP connect median)", "%.1f ms" % (rtt * 1e3), "50 ms",
         abs(rtt * 1e3 - 2 * opts.delay_ms) <= 5),
        ("smtpprobe to RCPT reply, time / RTT", "%.1f RTT" % p_rtt, "<= 10 RTT", p_rtt <= 10.05),
        ("smtpprobe round trips to RCPT (wire)", "%.0f" % p_turns, "<= 10", p_turns <= 10),
        ("smtpprobe wall time, whole process / RTT (QUIT unawaited)",
         "%.1f RTT" % (col("smtpprobe", "wall") / rtt), "<= 10.5 RTT",
         col("smtpprobe", "wall") / rtt <= 10.5
         and all(s.get("quit_unawaited") for s in samples["smtpprobe"])),
        ("smtpprobe to RCPT less the server's Nagle wait, / RTT", "%.1f RTT" % p_own,
         "<= 10 RTT", p_own <= 10.05),
    ]
    if have_swaks:
        s_rtt = col("swaks", "net_to_rcpt") / rtt
        table.append(("swaks to RCPT reply, time / RTT (reference)", "%.1f RTT" % s_rtt,
                      "~16 (wall)", None))
        table.append(("swaks wall time / RTT (reference)", "%.1f RTT" % (col("swaks", "wall") / rtt),
                      "~16", None))
    table += [
        ("3 MX, one DROPping: worst wall / --timeout", "%.2f x" % (max(walls) / t), "<= 1.2 x",
         max(walls) / t <= 1.2),
        ("peak RSS of one probe", "%.1f MB" % (max(rss) / 1024.0) if rss else "n/a", "<= 8 MB",
         bool(rss) and max(rss) <= 8 * 1024),
        ("--explain 550 wall time", "%.2f ms" % explain_ms, "<= 5 ms", explain_ms <= 5),
        ("DANE + MTA-STS (enforce) minus --tls-policy off, wall", "%+.2f RTT" % pol_diff,
         "<= 1 RTT", pol_diff <= 1.0 and not pol_bad),
    ]
    for label, got, want, ok in table:
        mark = "-" if ok is None else ("yes" if ok else "NO")
        print("%-58s %14s %12s %6s" % (label, got, want, mark))


if __name__ == "__main__":
    main()
