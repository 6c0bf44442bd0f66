/*
 * identity.h - who the receiver thinks you are, pure: the client address
 * each server names (the bracketed literal in its banner or EHLO reply,
 * as Exim's "Hello name [203.0.113.5]"), the egress addresses of the run,
 * their reverse DNS and whether it confirms forward (FCrDNS), and the
 * HELO name's checks. Raw answers go in; the record's identity comes out.
 *
 * An echoed address is only what that one server saw (a NAT, a proxy or
 * a lying server may differ); it is never trusted as more. A local
 * address counts only when it is public, unless nothing else is known.
 */
#ifndef SMTPPROBE_IDENTITY_H
#define SMTPPROBE_IDENTITY_H

#include "smtpprobe/record.h"

/* The first valid IPv4/IPv6 literal in brackets in the lines of r, other
 * than skip (the server's own address); 1 with it in out, else 0. */
int identity_find_echoed(const struct reply *r, const char *skip, char *out,
			 size_t n);

/* While the sessions run: each probe's echoed address once its replies
 * hold one, and the egress list (distinct addresses: echoed ones and
 * public local ones), appended to as they become known. */
void identity_update(struct run_record *rec);

/* After the sessions: the same, and the local addresses even when private
 * if nothing else is known. */
void identity_collect(struct run_record *rec);

/* "1.0.0.127.in-addr.arpa" / ip6.arpa name of egress address i into
 * out; -1 when it is not an address. */
int identity_ptr_name(const char *ip, char *out, size_t n);

/* The PTR answer for egress i: the first name kept (sanitised). Returns
 * 1 when a forward lookup of it is due (its A or AAAA, by the address's
 * family). */
int identity_take_ptr(struct run_record *rec, size_t i, int status,
		      const unsigned char *abuf, int alen, long now_ms);

/* The forward answer of egress i's PTR name: does it hold the address? */
void identity_take_forward(struct run_record *rec, size_t i, int status,
			   const unsigned char *abuf, int alen, long now_ms);

/* The block-list name of an egress address in zone ("5.113.0.203.zone";
 * an IPv6 address by its 32 nibbles, RFC 5782 2.4); -1 when it does not
 * fit. */
int identity_dnsbl_name(const char *ip, const char *zone, char *out, size_t n);

/* The block-list answer for egress i in zone z. */
void identity_take_dnsbl(struct run_record *rec, size_t i, size_t z, int status,
			 const unsigned char *abuf, int alen, long now_ms);

/* What a block list's answer code means, for the lists that document
 * theirs (Spamhaus ZEN: SBL, CSS, XBL, DROP, PBL; Barracuda; SpamCop);
 * "listed" otherwise. */
const char *identity_dnsbl_meaning(const char *zone, const char *code);
/* Where to look a listing up and ask for its removal, or NULL. */
const char *identity_dnsbl_page(const char *zone);

/* The HELO name's own A / AAAA answers (asked beside the MX lookup). */
void identity_take_helo(struct run_record *rec, int family, int status,
			const unsigned char *abuf, int alen, long now_ms);

/* Every answer is in: helo.fqdn and helo.matches_ptr. */
void identity_finish(struct run_record *rec);

#endif
