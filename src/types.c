/*
 * types.c - names of the shared enums, exactly as smtpprobe-json(5) spells
 * them, and the mapping from verdict to exit status (sysexits.h values).
 */
#include "smtpprobe/types.h"

#include <sysexits.h>

static const char *const stage_names[STAGE__COUNT] = {
    [STAGE_CONNECT] = "connect",   [STAGE_BANNER] = "banner",
    [STAGE_EHLO] = "ehlo",	   [STAGE_HELO] = "helo",
    [STAGE_STARTTLS] = "starttls", [STAGE_TLS] = "tls",
    [STAGE_AUTH] = "auth",	   [STAGE_MAIL] = "mail",
    [STAGE_RCPT] = "rcpt",	   [STAGE_RSET] = "rset",
    [STAGE_QUIT] = "quit",
};

static const char *const rcpt_role_names[RCPT__COUNT] = {
    [RCPT_NONE] = "none",
    [RCPT_TARGET] = "target",
    [RCPT_CONTROL] = "control",
    [RCPT_CATCH_ALL] = "catch_all",
};

static const char *const outcome_names[OUTCOME__COUNT] = {
    [OUTCOME_NONE] = "none",
    [OUTCOME_ACCEPTED] = "accepted",
    [OUTCOME_REJECTED] = "rejected",
    [OUTCOME_TEMPFAIL] = "tempfail",
    [OUTCOME_REFUSED] = "refused",
    [OUTCOME_TIMEOUT] = "timeout",
    [OUTCOME_UNREACHABLE] = "unreachable",
    [OUTCOME_TLS_ERROR] = "tls_error",
    [OUTCOME_PROTOCOL_ERROR] = "protocol_error",
    [OUTCOME_SKIPPED] = "skipped",
};

static const char *const verdict_names[VERDICT__COUNT] = {
    [VERDICT_ACCEPTED] = "accepted",
    [VERDICT_REJECTED] = "rejected",
    [VERDICT_TEMPFAIL] = "tempfail",
    [VERDICT_UNREACHABLE] = "unreachable",
    [VERDICT_NO_MAIL_HOST] = "no_mail_host",
    [VERDICT_DNS_ERROR] = "dns_error",
    [VERDICT_PROTOCOL_ERROR] = "protocol_error",
    [VERDICT_TLS_ERROR] = "tls_error",
    [VERDICT_BAD_ADDRESS] = "bad_address",
};

static const char *const category_names[CAT__COUNT] = {
    [CAT_SUCCESS] = "success",
    [CAT_INTERMEDIATE] = "intermediate",
    [CAT_MAILBOX_UNKNOWN] = "mailbox_unknown",
    [CAT_MAILBOX_FULL] = "mailbox_full",
    [CAT_MAILBOX_DISABLED] = "mailbox_disabled",
    [CAT_BAD_ADDRESS] = "bad_address",
    [CAT_DOMAIN_UNKNOWN] = "domain_unknown",
    [CAT_RELAY_DENIED] = "relay_denied",
    [CAT_AUTH_REQUIRED] = "auth_required",
    [CAT_AUTH_FAILED] = "auth_failed",
    [CAT_TLS_REQUIRED] = "tls_required",
    [CAT_IP_BLOCKLISTED] = "ip_blocklisted",
    [CAT_REPUTATION] = "reputation",
    [CAT_SENDER_AUTH] = "sender_auth",
    [CAT_REVERSE_DNS] = "reverse_dns",
    [CAT_HELO_REJECTED] = "helo_rejected",
    [CAT_GREYLISTED] = "greylisted",
    [CAT_RATE_LIMITED] = "rate_limited",
    [CAT_CONTENT_REJECTED] = "content_rejected",
    [CAT_MESSAGE_TOO_LARGE] = "message_too_large",
    [CAT_SERVICE_UNAVAILABLE] = "service_unavailable",
    [CAT_STORAGE] = "storage",
    [CAT_ROUTING] = "routing",
    [CAT_PROTOCOL] = "protocol",
    [CAT_POLICY] = "policy",
    [CAT_UNKNOWN] = "unknown",
    [CAT_DNS] = "dns",
    [CAT_NETWORK] = "network",
    [CAT_TLS] = "tls",
    [CAT_PROXY] = "proxy",
};

static const char *const class_names[] = {
    [CLASS_NONE] = "none",
    [CLASS_SUCCESS] = "success",
    [CLASS_INTERMEDIATE] = "intermediate",
    [CLASS_TRANSIENT] = "transient",
    [CLASS_PERMANENT] = "permanent",
};

const char *stage_name(enum stage s)
{
	return (unsigned)s < STAGE__COUNT ? stage_names[s] : "?";
}

const char *rcpt_role_name(enum rcpt_role r)
{
	return (unsigned)r < RCPT__COUNT ? rcpt_role_names[r] : "?";
}

const char *outcome_name(enum outcome o)
{
	return (unsigned)o < OUTCOME__COUNT ? outcome_names[o] : "?";
}

const char *verdict_outcome_name(enum verdict_outcome v)
{
	return (unsigned)v < VERDICT__COUNT ? verdict_names[v] : "?";
}

const char *category_name(enum category c)
{
	return (unsigned)c < CAT__COUNT ? category_names[c] : "unknown";
}

const char *reply_class_name(enum reply_class c)
{
	return (unsigned)c <= CLASS_PERMANENT ? class_names[c] : "none";
}

enum reply_class reply_class_of(int code)
{
	switch (code / 100) {
	case 2: return CLASS_SUCCESS;
	case 3: return CLASS_INTERMEDIATE;
	case 4: return CLASS_TRANSIENT;
	case 5: return CLASS_PERMANENT;
	default: return CLASS_NONE;
	}
}

int verdict_exit_status(enum verdict_outcome v)
{
	switch (v) {
	case VERDICT_ACCEPTED: return EX_OK;
	case VERDICT_REJECTED: return EX_NOPERM;	 /* 77 */
	case VERDICT_TEMPFAIL: return EX_TEMPFAIL;	 /* 75 */
	case VERDICT_UNREACHABLE: return EX_UNAVAILABLE; /* 69 */
	case VERDICT_NO_MAIL_HOST: return EX_NOHOST;	 /* 68 */
	case VERDICT_DNS_ERROR: return EX_TEMPFAIL;	 /* SERVFAIL, timeout */
	case VERDICT_PROTOCOL_ERROR: return EX_PROTOCOL; /* 76 */
	case VERDICT_TLS_ERROR: return EX_UNAVAILABLE;
	case VERDICT_BAD_ADDRESS: return EX_DATAERR; /* 65 */
	default: return EX_SOFTWARE;
	}
}
