#!/usr/bin/python3
"""--batch against scripted servers: one NDJSON document per target with
its input_line, a malformed line answered in its own document while the
run goes on, standard input, one DNS resolution per domain, the
connection caps, a host that says slow down left alone for a while, and
a reader that goes away.

    tests/integration/test_batch.py --binary build/smtpprobe [-k NAME] [-v]

Prints "ok NAME" or "FAIL NAME: why" per case and "N passed, M failed".

The fake world (nothing outside 127.0.0.0/8 is contacted):
  fakedns          127.0.0.1:<free port>
  a.batch.test     MX mx-a (127.0.7.2); b.batch.test MX mx-b (127.0.7.3);
                   both fake SMTP servers on one free port P (--port P)
  d0..d7.batch.test  MX mx-slow (127.0.7.4), a server that waits before
                   each reply, so connections overlap (one domain's targets
                   share a connection: the caps need many domains)
  e0..e7.batch.test  MX mx-a and mx-b in turn
"""

import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
from harness import (  # noqa: E402
    Env, check, clip, eq, main as harness_main, make_registry, verbs)

TIMEOUT = 3
HELO = "probe.batch.test"
MXA, MXA_NAME = "127.0.7.2", "mx-a.batch.test"
MXB, MXB_NAME = "127.0.7.3", "mx-b.batch.test"
MXS, MXS_NAME = "127.0.7.4", "mx-slow.batch.test"

ZONE = {
    "a.batch.test": {"MX": [[10, MXA_NAME]]},
    "b.batch.test": {"MX": [[10, MXB_NAME]]},
    "slow.batch.test": {"MX": [[10, MXS_NAME]]},
    MXA_NAME: {"A": [MXA]},
    MXB_NAME: {"A": [MXB]},
    MXS_NAME: {"A": [MXS]},
}
for _i in range(8):
    ZONE["d%d.batch.test" % _i] = {"MX": [[10, MXS_NAME]]}
    ZONE["e%d.batch.test" % _i] = {"MX": [[10, (MXA_NAME, MXB_NAME)[_i % 2]]]}

CASES, case = make_registry()


def make_env(binary, tmp):
    return Env(binary, tmp, ZONE, [MXA_NAME, MXB_NAME, MXS_NAME], [MXA, MXB, MXS],
               TIMEOUT, HELO)


def write_list(env, name, lines, end="\n"):
    path = os.path.join(env.tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(end.join(lines) + end)
    return path


def by_line(docs):
    out = {}
    for d in docs:
        check("input_line" in d, "a document without input_line: %s" % clip(d))
        check(d["input_line"] not in out, "two documents for line %d" % d["input_line"])
        out[d["input_line"]] = d
    return out


def accept_all(env, addr, name, **kw):
    return env.smtp(addr, env.scenario(name, tls=False, rcpt={
        "nobody@a.batch.test": "550 5.1.1 <nobody@a.batch.test>: Recipient address rejected: "
                               "User unknown in local recipient table"}, **kw))


def most_at_once(conns):
    """The most connections the client had open at once: each from its
    accept to the client's last line (a client that does not wait for
    QUIT's reply is gone then; the server's own close comes later). The
    server's threads see that last line a few milliseconds late, so an
    end counts SLACK seconds early; the cases' connections last far
    longer than that (every reply is delayed)."""
    slack = 0.05
    edges = []
    for c in conns:
        end = c.t_last_line or c.t_close or c.t_open
        edges += [(c.t_open, 1), (max(c.t_open, end - slack), -1)]
    most = cur = 0
    for _, d in sorted(edges, key=lambda e: (e[0], e[1])):
        cur += d
        most = max(most, cur)
    return most


def mx_questions(env, domain):
    return [q for q in env.dns.queries if q[0] == domain and q[1] == "MX"]


@case("batch_file_one_document_per_target")
def batch_file(env):
    accept_all(env, MXA, MXA_NAME)
    accept_all(env, MXB, MXB_NAME)
    env.dns.clear()
    lines = ["# a customer's list", "alice@a.batch.test", "", "bob@a.batch.test",
             "not an address@@", "nobody@a.batch.test", "  carol@b.batch.test  ",
             "b.batch.test", "dave@A.Batch.Test"]
    path = write_list(env, "list.txt", lines)
    r = env.run("--batch", path, "--starttls", "never", "--no-control", "--dnsbl", "none")
    r.expect_exit(0)
    docs = by_line(r.docs)
    eq(sorted(docs), [2, 4, 5, 6, 7, 8, 9], "input_line of the documents")
    want = {2: ("accepted", 0), 4: ("accepted", 0), 5: ("bad_address", 65),
            6: ("rejected", 77), 7: ("accepted", 0), 8: ("accepted", 0),
            9: ("accepted", 0)}
    for line, (outcome, status) in want.items():
        v = docs[line]["verdict"]
        eq((v["outcome"], v["exit_status"]), (outcome, status), "line %d verdict" % line)
    eq(docs[7]["target"], "carol@b.batch.test", "line 7's target (trimmed)")
    # A DOMAIN beside an ADDRESS of that domain: still stops after MAIL.
    eq([s["stage"] for p in docs[8]["probes"] for s in p["steps"] if s["stage"] == "rcpt"],
       [], "line 8 (a DOMAIN) sent no RCPT")
    bad = docs[5]
    eq((bad["dns"]["status"], bad["probes"], bad["verdict"]["reason"]),
       ("not_asked", [], "bad_address"), "the malformed line's document")
    # Each target's document carries its own RCPT.
    for line in (2, 4, 6):
        rcpts = [s["sent"] for p in docs[line]["probes"] for s in p["steps"]
                 if s["stage"] == "rcpt"]
        eq(rcpts, ["RCPT TO:<%s>" % docs[line]["target"].lower()], "line %d RCPT" % line)
    # One MX question per domain, however many targets it has.
    eq(len(mx_questions(env, "a.batch.test")), 1, "MX questions for a.batch.test")
    eq(len(mx_questions(env, "b.batch.test")), 1, "MX questions for b.batch.test")
    check(not r.err.strip(), "stderr is not a terminal, so no progress: %s" % clip(r.err))


@case("batch_stdin_crlf_and_bom")
def batch_stdin(env):
    accept_all(env, MXA, MXA_NAME)
    data = b"\xef\xbb\xbfalice@a.batch.test\r\n#x\r\nnobody@a.batch.test\r\nbob@a.batch.test"
    r = env.run("--batch", "-", "--starttls", "never", "--no-control", "--dnsbl", "none",
                stdin=data)
    r.expect_exit(0)
    docs = by_line(r.docs)
    eq(sorted(docs), [1, 3, 4], "input_line of the documents")
    eq([docs[n]["verdict"]["outcome"] for n in (1, 3, 4)],
       ["accepted", "rejected", "accepted"], "outcomes")


@case("batch_bad_command_lines")
def batch_usage(env):
    path = write_list(env, "one.txt", ["alice@a.batch.test"])
    r = env.run("--batch", path, "alice@a.batch.test", json_out=False, network=False)
    r.expect_exit(64)
    r = env.run("--batch", os.path.join(env.tmp, "missing.txt"), json_out=False, network=False)
    r.expect_exit(65)
    r = env.run("--batch", env.tmp, json_out=False, network=False)
    r.expect_exit(65)
    for bad in (["--concurrency", "0"], ["--per-host", "x"], ["--concurrency", "1001"]):
        r = env.run("--batch", path, *bad, json_out=False, network=False)
        r.expect_exit(64)
    r = env.run("--batch", path, "-v", json_out=False, network=False)
    r.expect_exit(64)
    for run in env.runs:
        eq(len(run.err.decode().strip().splitlines()) in (1, 2), True,
           "one error line (and the --help hint): %s" % clip(run.err))


@case("batch_per_host_and_total_caps")
def batch_caps(env):
    srv = env.smtp(MXS, env.scenario(MXS_NAME, tls=False, delay=0.15, delays={"QUIT": 0}))
    lines = ["u@d%d.batch.test" % i for i in range(8)]
    path = write_list(env, "slow.txt", lines)
    r = env.run("--batch", path, "--starttls", "never", "--no-control", "--dnsbl", "none",
                "--per-host", "2")
    r.expect_exit(0)
    eq(len(r.docs), 8, "documents")
    eq(most_at_once(srv.conns), 2, "connections open at once to the one host (--per-host 2)")
    srv2 = env.smtp(MXA, env.scenario(MXA_NAME, tls=False, delay=0.15, delays={"QUIT": 0}))
    srv3 = env.smtp(MXB, env.scenario(MXB_NAME, tls=False, delay=0.15, delays={"QUIT": 0}))
    mixed = ["u@e%d.batch.test" % i for i in range(8)]
    path = write_list(env, "mixed.txt", mixed)
    r = env.run("--batch", path, "--starttls", "never", "--no-control", "--dnsbl", "none",
                "--per-host", "4", "--concurrency", "3")
    r.expect_exit(0)
    eq(len(r.docs), 8, "documents")
    # Exactly 3: the cap was reached (not a serial run) and kept.
    eq(most_at_once(srv2.conns + srv3.conns), 3, "connections open at once (--concurrency 3)")


@case("batch_one_domain_one_transaction")
def batch_shared(env):
    """Targets of one domain: one connection, one EHLO, one MAIL FROM,
    every RCPT TO pipelined in it, the control recipient once; each
    document carries the shared steps and its own RCPT only."""
    srv = accept_all(env, MXA, MXA_NAME)
    lines = ["alice@a.batch.test", "nobody@a.batch.test", "bob@a.batch.test",
             "carol@a.batch.test"]
    path = write_list(env, "shared.txt", lines)
    r = env.run("--batch", path, "--starttls", "never", "--dnsbl", "none")
    r.expect_exit(0)
    docs = by_line(r.docs)
    eq(len(srv.conns), 1, "connections for four targets of one domain")
    got = verbs(srv.conns[0].received)
    eq((got.count("EHLO"), got.count("MAIL"), got.count("RCPT")), (1, 1, 5),
       "EHLO, MAIL and RCPT (four targets and postmaster) on the wire")
    rcpts = [l for l in srv.conns[0].received if l.startswith("RCPT")]
    eq(rcpts[1], "RCPT TO:<postmaster@a.batch.test>",
       "the control recipient, once, right after the first target")
    for n, want in ((1, "accepted"), (2, "rejected"), (3, "accepted"), (4, "accepted")):
        d = docs[n]
        eq(d["verdict"]["outcome"], want, "line %d outcome" % n)
        p = d["probes"][0]
        mine = [s["sent"] for s in p["steps"] if s["stage"] == "rcpt" and s["role"] == "target"]
        eq(mine, ["RCPT TO:<%s>" % lines[n - 1]], "line %d: its own RCPT only" % n)
        eq(sorted(x["role"] for x in p["recipients"]), ["control", "target"],
           "line %d recipients" % n)
        eq(p["steps"][p["deciding_step"]]["sent"], "RCPT TO:<%s>" % lines[n - 1],
           "line %d: decided by its own reply" % n)
        check(any(s["stage"] == "ehlo" for s in p["steps"]), "line %d keeps the EHLO step" % n)


@case("batch_domain_and_addresses_of_it")
def batch_domain_mixed(env):
    """A DOMAIN line and ADDRESS lines of the same domain, in both orders:
    the DOMAIN stops after MAIL FROM, each ADDRESS gets its own verdict,
    and no empty RCPT TO:<> ever goes out."""
    srv = accept_all(env, MXA, MXA_NAME)
    for order in (["a.batch.test", "nobody@a.batch.test", "alice@a.batch.test"],
                  ["nobody@a.batch.test", "a.batch.test", "alice@a.batch.test"]):
        path = write_list(env, "mixed-domain.txt", order)
        r = env.run("--batch", path, "--starttls", "never", "--dnsbl", "none")
        r.expect_exit(0)
        docs = by_line(r.docs)
        for n, line in enumerate(order, 1):
            d = docs[n]
            rc = [s for p in d["probes"] for s in p["steps"] if s["stage"] == "rcpt"]
            if "@" not in line:
                eq((d["verdict"]["outcome"], rc), ("accepted", []), "%s: DOMAIN" % line)
            else:
                eq(d["verdict"]["outcome"], "rejected" if line.startswith("nobody") else
                   "accepted", "%s in %s" % (line, order))
    sent = [l for c in srv.conns for l in c.received]
    check("RCPT TO:<>" not in sent, "an empty RCPT TO went out: %s" % clip(sent))


@case("batch_too_many_recipients_next_connection")
def batch_452(env):
    """A server that takes two recipients per transaction: the rest get
    their answer in further connections, never the 452 as a verdict."""
    for limit, control in ((2, ["--no-control"]), (1, [])):
        srv = env.smtp(MXA, env.scenario(MXA_NAME, tls=False, rcpt_limit=limit))
        lines = ["u%d@a.batch.test" % i for i in range(6)]
        path = write_list(env, "many.txt", lines)
        r = env.run("--batch", path, "--starttls", "never", "--dnsbl", "none", *control)
        r.expect_exit(0)
        docs = by_line(r.docs)
        eq(sorted(docs), [1, 2, 3, 4, 5, 6], "one document per target (limit %d)" % limit)
        eq([docs[n]["verdict"]["outcome"] for n in range(1, 7)], ["accepted"] * 6,
           "outcomes (limit %d)" % limit)
        check(len(srv.conns) >= 2, "six targets, %d per transaction: %d connections"
              % (limit, len(srv.conns)))
        for n in range(1, 7):
            codes = [s["reply"]["code"] for p in docs[n]["probes"] for s in p["steps"]
                     if s["stage"] == "rcpt" and s["role"] == "target" and s.get("reply")]
            check(452 not in codes, "line %d's own RCPT got no 452 (limit %d): %s"
                  % (n, limit, codes))
        srv.stop()
        env.servers.remove(srv)


@case("batch_slow_down_pauses_the_host")
def batch_backoff(env):
    srv = env.smtp(MXA, env.scenario(MXA_NAME, tls=False, replies={
        "RCPT": "421 4.7.0 mx-a.batch.test Error: too many connections, slow down"}))
    lines = ["u%d@a.batch.test" % i for i in range(3)]
    path = write_list(env, "busy.txt", lines)
    r = env.run("--batch", path, "--starttls", "never", "--no-control", "--dnsbl", "none",
                "--per-host", "1")
    r.expect_exit(0)
    docs = r.docs
    eq([d["verdict"]["outcome"] for d in docs], ["tempfail"] * 3, "outcomes")
    opens = sorted(c.t_open for c in srv.conns)
    eq(len(opens), 3, "connections")
    gaps = [b - a for a, b in zip(opens, opens[1:])]
    # 1 s after the first 421, then 2 s after the second (doubling).
    check(gaps[0] >= 0.9, "the second connection waited for the pause: %.2f s" % gaps[0])
    check(gaps[1] >= 1.9, "the third waited for the doubled pause: %.2f s" % gaps[1])


@case("batch_reader_goes_away")
def batch_sigpipe(env):
    env.smtp(MXA, env.scenario(MXA_NAME, tls=False), quit="any",
             why="the reader went away: the batch stops its dialogues at once")
    lines = ["u%d@a.batch.test" % i for i in range(400)]
    path = write_list(env, "long.txt", lines)
    cmd = env.command(["--batch", path, "--starttls", "never", "--no-control",
                       "--dnsbl", "none"])
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = p.stdout.readline()
    p.stdout.close()
    try:
        rc = p.wait(10 * TIMEOUT)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        raise
    err = p.stderr.read()
    p.stderr.close()
    check(first.startswith(b"{"), "a first document came: %s" % clip(first))
    check(rc in (74, -signal.SIGPIPE), "exit status %s: 74 (EX_IOERR) or SIGPIPE" % rc)
    check(b"AddressSanitizer" not in err and b"runtime error" not in err,
          "no sanitizer report: %s" % clip(err))
    check(not err.strip(), "a reader that goes away is not an error to print: %s" % clip(err))
    check(time.monotonic() - t0 < 5 * TIMEOUT, "it ended promptly")


@case("batch_progress_on_a_terminal_only")
def batch_progress(env):
    """stderr a terminal: one progress line, redrawn (carriage returns),
    with the counts; the documents on stdout are untouched by it."""
    import pty
    env.smtp(MXA, env.scenario(MXA_NAME, tls=False))
    lines = ["u%d@a.batch.test" % i for i in range(40)] + ["bad line"]
    path = write_list(env, "tty.txt", lines)
    cmd = env.command(["--batch", path, "--starttls", "never", "--no-control",
                       "--dnsbl", "none"])
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
        os.close(slave)
        slave = -1
        out, _ = p.communicate(timeout=10 * TIMEOUT)
        err = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            err += chunk
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)
    eq(p.returncode, 0, "exit status")
    eq(len([l for l in out.splitlines() if l.startswith(b"{")]), 41, "documents on stdout")
    text = err.decode("utf-8", "replace")
    check("\r" in text, "the progress line is redrawn: %s" % clip(text))
    last = text.replace("\r\n", "\n").split("\r")[-1]
    check("41/41" in last, "the last progress line counts every target: %s" % clip(last))
    check("accepted 40" in last and "bad_address 1" in last,
          "the outcomes so far: %s" % clip(last))


def main(argv=None):
    return harness_main(CASES, make_env, __doc__.split("\n\n")[0], argv)


if __name__ == "__main__":
    sys.exit(main())
