#!/usr/bin/env python3
"""Hold every packet of an NFQUEUE for a fixed time, then accept it.

A user-space stand-in for `tc qdisc ... netem delay` on kernels without
sch_netem. The packets to delay are sent to the queue by an iptables
NFQUEUE rule (xt_NFQUEUE; nft's own `queue` may be missing from the
kernel) in the OUTPUT chain of the lab's namespace; on loopback every packet
crosses OUTPUT once, so a delay of D here is D each way, RTT = 2 D.

Talks nfnetlink_queue over a raw netlink socket (no library needed), keeps
the verdicts in arrival order in a FIFO (the delay is constant) and logs one
line per packet: monotonic time, proto, src:port > dst:port, TCP flags, payload
length, for bench.py to count flights and round trips.

Usage: nfqdelay.py --queue N --delay-ms MS --log FILE [--ready FILE]
"""

import argparse
import collections
import os
import select
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET = 0
NFQNL_MSG_VERDICT = 1
NFQNL_MSG_CONFIG = 2
NFQA_CFG_CMD = 1
NFQA_CFG_PARAMS = 2
NFQA_CFG_QUEUE_MAXLEN = 3
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_PACKET = 2
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NFQA_PAYLOAD = 10
NF_ACCEPT = 1
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLMSG_ERROR = 2
NLMSG_DONE = 3
COPY_RANGE = 128  # IP + TCP headers are enough for the log


def nlattr(atype, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, atype) + payload + b"\0" * ((4 - n % 4) % 4)


def nlmsg(mtype, flags, seq, queue, attrs):
    body = struct.pack("=BB", socket.AF_UNSPEC, 0) + struct.pack("!H", queue) + attrs
    return struct.pack("=IHHII", 16 + len(body), mtype, flags, seq, 0) + body


def parse_attrs(buf):
    attrs = {}
    i = 0
    while i + 4 <= len(buf):
        n, t = struct.unpack_from("=HH", buf, i)
        if n < 4:
            break
        attrs[t & 0x3FFF] = buf[i + 4 : i + n]
        i += (n + 3) & ~3
    return attrs


def describe(pkt):
    """One log field set for an IPv4 packet (the lab's delayed path is IPv4)."""
    if len(pkt) < 20 or pkt[0] >> 4 != 4:
        return "other - - - 0"
    ihl = (pkt[0] & 15) * 4
    total = struct.unpack_from("!H", pkt, 2)[0]
    proto = pkt[9]
    src = socket.inet_ntoa(pkt[12:16])
    dst = socket.inet_ntoa(pkt[16:20])
    if proto == 6 and len(pkt) >= ihl + 14:
        sport, dport = struct.unpack_from("!HH", pkt, ihl)
        doff = (pkt[ihl + 12] >> 4) * 4
        fl = pkt[ihl + 13]
        flags = "".join(c for c, b in (("S", 2), ("A", 16), ("F", 1), ("R", 4), ("P", 8)) if fl & b) or "-"
        return "tcp %s:%d %s:%d %s %d" % (src, sport, dst, dport, flags, total - ihl - doff)
    if proto == 17 and len(pkt) >= ihl + 8:
        sport, dport, ulen = struct.unpack_from("!HHH", pkt, ihl)
        return "udp %s:%d %s:%d - %d" % (src, sport, dst, dport, ulen - 8)
    return "ip%d %s %s - %d" % (proto, src, dst, total - ihl)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--queue", type=int, default=7)
    ap.add_argument("--delay-ms", type=float, default=25.0)
    ap.add_argument("--log", required=True)
    ap.add_argument("--ready")
    opts = ap.parse_args()
    delay = opts.delay_ms / 1000.0

    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((0, 0))
    qtype = lambda m: (NFNL_SUBSYS_QUEUE << 8) | m  # noqa: E731
    seq = 1
    for attrs in (
        nlattr(NFQA_CFG_CMD, struct.pack("!BxH", NFQNL_CFG_CMD_BIND, socket.AF_INET)),
        nlattr(NFQA_CFG_PARAMS, struct.pack("!IB", COPY_RANGE, NFQNL_COPY_PACKET)),
        nlattr(NFQA_CFG_QUEUE_MAXLEN, struct.pack("!I", 8192)),
    ):
        s.send(nlmsg(qtype(NFQNL_MSG_CONFIG), NLM_F_REQUEST | NLM_F_ACK, seq, opts.queue, attrs))
        resp = s.recv(65536)
        mtype = struct.unpack_from("=H", resp, 4)[0]
        if mtype == NLMSG_ERROR:
            err = struct.unpack_from("=i", resp, 16)[0]
            if err != 0:
                sys.exit("nfqdelay: config of queue %d failed: %s" % (opts.queue, os.strerror(-err)))
        seq += 1

    log = open(opts.log, "a", buffering=1)
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    signal.signal(signal.SIGINT, lambda *a: stop.append(1))
    if opts.ready:
        with open(opts.ready, "w") as f:
            f.write("%d\n" % os.getpid())

    pending = collections.deque()  # (due, packet id), in arrival order
    vtype = qtype(NFQNL_MSG_VERDICT)
    while not stop:
        now = time.monotonic()
        while pending and pending[0][0] <= now:
            _, pid = pending.popleft()
            s.send(nlmsg(vtype, NLM_F_REQUEST, 0, opts.queue,
                         nlattr(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, pid))))
        wait = max(0.0, pending[0][0] - now) if pending else 0.5
        try:
            r, _, _ = select.select([s], [], [], wait)
        except InterruptedError:
            continue
        if not r:
            continue
        data = s.recv(1 << 20)
        t = time.monotonic()
        i = 0
        while i + 16 <= len(data):
            n, mtype = struct.unpack_from("=IH", data, i)
            if n < 16:
                break
            if mtype == qtype(NFQNL_MSG_PACKET):
                attrs = parse_attrs(data[i + 20 : i + n])
                hdr = attrs.get(NFQA_PACKET_HDR)
                if hdr:
                    pid = struct.unpack_from("!I", hdr)[0]
                    pending.append((t + delay, pid))
                    log.write("%.6f %s\n" % (t, describe(attrs.get(NFQA_PAYLOAD, b""))))
            i += (n + 3) & ~3
    # Let what is held go on its way before leaving.
    for _, pid in pending:
        s.send(nlmsg(vtype, NLM_F_REQUEST, 0, opts.queue,
                     nlattr(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, pid))))
    log.close()


if __name__ == "__main__":
    main()
