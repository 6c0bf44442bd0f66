/*
 * codes_stage.c - what a reply means at one stage of the dialogue (a 554
 * at the greeting is not a 554 at RCPT), what RSET and QUIT replies mean
 * after the verdict, what a reply class says when nothing more specific
 * is known, and what a step that went well says. Part of the code table:
 * static data plus lookups, no I/O.
 */
#include "smtpprobe/codes.h"

#include <stddef.h>

#include "codes_table.h"

/* clang-format off */

static const struct codes_stage_rule stage_rules[] = {
    {STAGE_BANNER, 554, CLASS_PERMANENT, CAT_SERVICE_UNAVAILABLE,
     "The server refused the session at its greeting: it will not talk "
     "to your IP address (often a blocklist or reputation decision), or "
     "there is no mail service here.",
     "Read the greeting text for a blocklist or policy reference, check "
     "your sending IP against public blocklists, and ask the receiver's "
     "postmaster from another network if it stays unclear."},
    {STAGE_BANNER, 421, CLASS_TRANSIENT, CAT_SERVICE_UNAVAILABLE,
     "The server is busy, shutting down, or limiting connections from "
     "your IP, and closed the session at its greeting.",
     "Retry later; if it lasts, the receiver may be throttling your IP "
     "address."},
    {STAGE_BANNER, 0, CLASS_PERMANENT, CAT_SERVICE_UNAVAILABLE,
     "The server refused the session at its greeting.",
     "Read the greeting text; the receiver does not accept mail from "
     "you here. Contact its postmaster."},
    {STAGE_BANNER, 0, CLASS_TRANSIENT, CAT_SERVICE_UNAVAILABLE,
     "The server is temporarily not accepting sessions.", "Retry later."},
    {STAGE_EHLO, 0, CLASS_PERMANENT, CAT_HELO_REJECTED,
     "The server rejected the EHLO greeting or the name sent in it.",
     "Send a fully qualified host name that resolves in DNS and matches "
     "your IP's reverse DNS (--helo NAME)."},
    {STAGE_HELO, 0, CLASS_PERMANENT, CAT_HELO_REJECTED,
     "The server rejected the HELO greeting or the name sent in it.",
     "Send a fully qualified host name that resolves in DNS and matches "
     "your IP's reverse DNS (--helo NAME)."},
    {STAGE_STARTTLS, 0, CLASS_TRANSIENT, CAT_TLS,
     "The server advertised STARTTLS but cannot start TLS now "
     "(RFC 3207: 454 TLS not available).",
     "Retry later; if it lasts, the receiver's TLS setup (certificate, "
     "key) is broken and its postmaster should check it."},
    {STAGE_STARTTLS, 0, CLASS_PERMANENT, CAT_TLS,
     "The server refused STARTTLS.",
     "The receiver's TLS is misconfigured or disabled; tell its "
     "postmaster, or probe with --starttls never to see the rest."},
    {STAGE_AUTH, 0, CLASS_PERMANENT, CAT_AUTH_FAILED,
     "The server refused the authentication.",
     "Check the user name and password, and that this account may send "
     "through this server."},
    {STAGE_AUTH, 0, CLASS_TRANSIENT, CAT_AUTH_FAILED,
     "Authentication failed for a temporary reason on the server.",
     "Retry later; if it lasts, the server's authentication backend is "
     "failing."},
    {STAGE_MAIL, 550, CLASS_PERMANENT, CAT_POLICY,
     "The server rejected the sender address (MAIL FROM).",
     "Check the sender domain's SPF/DMARC and that the sender address "
     "exists; try --from with an address of a domain you control."},
    {STAGE_MAIL, 553, CLASS_PERMANENT, CAT_BAD_ADDRESS,
     "The server rejected the sender address as not allowed or "
     "malformed.",
     "Use a valid sender address of a domain you control (--from)."},
    {STAGE_MAIL, 501, CLASS_PERMANENT, CAT_BAD_ADDRESS,
     "The server found the sender address malformed.",
     "Use a plain, valid sender address (--from)."},
    {STAGE_RCPT, 554, CLASS_PERMANENT, CAT_POLICY,
     "The server refused the recipient by local policy.",
     "Read the reply text for the reason; the mailbox's administrator "
     "can tell which policy applies."},
    {STAGE_RCPT, 503, CLASS_PERMANENT, CAT_PROTOCOL,
     "The server refused RCPT TO because MAIL FROM was not accepted "
     "first.",
     "See the reply to MAIL FROM: it is the real reason."},
};

/* RSET and QUIT come after the verdict: whatever they get is explained as
 * an answer to them, never as a greeting, a TLS go-ahead or unsolicited
 * data. They outrank the reply text and the codes for the words (the
 * category still comes from those). */
#define AFTER_VERDICT                                                          \
	" The verdict was decided before this reply, which does not change " \
	"it."

static const struct codes_stage_rule closing_rules[] = {
    {STAGE_RSET, 220, CLASS_SUCCESS, CAT_SUCCESS,
     "The server answered RSET with 220, a greeting or a go-ahead for TLS: "
     "its replies are out of step with the commands, or it is "
     "broken." AFTER_VERDICT,
     "Tell the server's administrator: RSET must be answered with 250 "
     "(RFC 5321 4.1.1.5)."},
    {STAGE_RSET, 0, CLASS_SUCCESS, CAT_SUCCESS,
     "The server reset the transaction (RSET): the probe's envelope is "
     "discarded and nothing is delivered.",
     "Nothing to do."},
    {STAGE_RSET, 354, CLASS_INTERMEDIATE, CAT_INTERMEDIATE,
     "The server answered RSET with 354, the go-ahead for message data: it "
     "is confused about where the dialogue is. smtpprobe never sends DATA; "
     "it ended the session with QUIT, and without the final \".\" no "
     "message can be delivered." AFTER_VERDICT,
     "Tell the server's administrator: RSET must be answered with 250 "
     "(RFC 5321 4.1.1.5)."},
    {STAGE_RSET, 0, CLASS_INTERMEDIATE, CAT_INTERMEDIATE,
     "The server answered RSET with an intermediate (3xx) reply, which RSET "
     "never gets from a server in step with the dialogue." AFTER_VERDICT,
     "Tell the server's administrator: RSET must be answered with 250 "
     "(RFC 5321 4.1.1.5)."},
    {STAGE_RSET, 421, CLASS_TRANSIENT, CAT_SERVICE_UNAVAILABLE,
     "The server closed the session in answer to RSET (421)." AFTER_VERDICT,
     "Nothing to fix for delivery; if it happens on every session, the "
     "server is shutting down or limiting connections."},
    {STAGE_RSET, 530, CLASS_PERMANENT, CAT_PROTOCOL,
     "The server demanded authentication for RSET, which RFC 5321 lets "
     "every client send at any time." AFTER_VERDICT,
     "Tell the server's administrator: RSET must be answered with 250 "
     "even before AUTH (RFC 5321 4.1.1.5)."},
    {STAGE_RSET, 0, CLASS_TRANSIENT, CAT_PROTOCOL,
     "The server refused RSET for a temporary reason." AFTER_VERDICT,
     "Nothing to fix for delivery; a sending server that reuses the "
     "connection would open a new one."},
    {STAGE_RSET, 0, CLASS_PERMANENT, CAT_PROTOCOL,
     "The server refused RSET or did not understand it, though every SMTP "
     "server must accept it (RFC 5321 4.5.1)." AFTER_VERDICT,
     "Tell the server's administrator: RSET must be answered with 250; "
     "senders that reuse connections fail on such a server."},
    {STAGE_QUIT, 0, CLASS_SUCCESS, CAT_SUCCESS,
     "The server acknowledged QUIT and closes the session.", "Nothing to do."},
    {STAGE_QUIT, 0, CLASS_INTERMEDIATE, CAT_INTERMEDIATE,
     "The server answered QUIT with an intermediate (3xx) reply instead of "
     "221; smtpprobe closed the connection anyway." AFTER_VERDICT,
     "Tell the server's administrator: QUIT must be answered with 221 "
     "(RFC 5321 4.1.1.10)."},
    {STAGE_QUIT, 421, CLASS_TRANSIENT, CAT_SERVICE_UNAVAILABLE,
     "The server answered QUIT with 421 and closed: the session was ending "
     "anyway." AFTER_VERDICT,
     "Nothing to do."},
    {STAGE_QUIT, 0, CLASS_TRANSIENT, CAT_PROTOCOL,
     "The server refused QUIT for a temporary reason instead of answering "
     "221; smtpprobe closed the connection anyway." AFTER_VERDICT,
     "Harmless for delivery; tell the server's administrator that QUIT "
     "must be answered with 221 (RFC 5321 4.1.1.10)."},
    {STAGE_QUIT, 0, CLASS_PERMANENT, CAT_PROTOCOL,
     "The server refused QUIT or did not understand it, instead of "
     "answering 221; smtpprobe closed the connection anyway." AFTER_VERDICT,
     "Harmless for delivery; tell the server's administrator that QUIT "
     "must be answered with 221 (RFC 5321 4.1.1.10)."},
};

/* clang-format on */

static const struct codes_stage_rule *
find_rule(const struct codes_stage_rule *rules, size_t n, enum stage st,
	  int code)
{
	enum reply_class cls = reply_class_of(code);

	for (size_t i = 0; i < n; i++)
		if (rules[i].stage == st && rules[i].code == code)
			return &rules[i];
	for (size_t i = 0; i < n; i++)
		if (rules[i].stage == st && rules[i].code == 0 &&
		    rules[i].cls == cls)
			return &rules[i];
	return NULL;
}

const struct codes_stage_rule *codes_stage_rule(enum stage st, int code)
{
	return find_rule(stage_rules, ARRAY_LEN(stage_rules), st, code);
}

const struct codes_stage_rule *codes_closing_rule(enum stage st, int code)
{
	return find_rule(closing_rules, ARRAY_LEN(closing_rules), st, code);
}

static const struct codes_words class_words[] = {
    [CLASS_NONE] = {CAT_PROTOCOL, "The reply has no valid SMTP code.",
		    "The server is broken or is not an SMTP server; tell its "
		    "administrator."},
    [CLASS_SUCCESS] = {CAT_SUCCESS, "The server accepted the command.",
		       "Nothing to do."},
    [CLASS_INTERMEDIATE] = {CAT_INTERMEDIATE,
			    "The server waits for more input.",
			    "Nothing to do."},
    [CLASS_TRANSIENT] = {CAT_UNKNOWN,
			 "A temporary failure: a sending server would queue "
			 "the message and retry.",
			 "Retry later; read the reply text for the reason."},
    [CLASS_PERMANENT] = {CAT_UNKNOWN,
			 "A permanent failure: a sending server would bounce "
			 "the message.",
			 "Read the reply text for the reason and contact the "
			 "receiver's postmaster."},
};

const struct codes_words *codes_class_words(enum reply_class cls)
{
	return (unsigned)cls < ARRAY_LEN(class_words)
		   ? &class_words[cls]
		   : &class_words[CLASS_NONE];
}

static const struct codes_words connect_ok = {
    CAT_SUCCESS, "The TCP connection was established.", "Nothing to do."};
static const struct codes_words tls_ok = {
    CAT_SUCCESS,
    "The TLS handshake completed; see the certificate facts for whether it "
    "was verified.",
    "Nothing to do."};
static const struct codes_words nothing_wrong = {
    CAT_UNKNOWN, "Nothing went wrong here.", "Nothing to do."};

const struct codes_words *codes_step_ok(enum stage st)
{
	switch (st) {
	case STAGE_CONNECT: return &connect_ok;
	case STAGE_TLS: return &tls_ok;
	default: return &nothing_wrong;
	}
}
