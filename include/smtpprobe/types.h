/*
 * types.h - the shared vocabulary: stages, outcomes, categories.
 *
 * The string names are the ones smtpprobe-json(5) fixes for the JSON output;
 * each enum has a names table in types.c and a *_name() accessor.
 */
#ifndef SMTPPROBE_TYPES_H
#define SMTPPROBE_TYPES_H

/* Where in the dialogue a step happened. */
enum stage {
	STAGE_CONNECT,
	STAGE_BANNER,
	STAGE_EHLO,
	STAGE_HELO,
	STAGE_STARTTLS,
	STAGE_TLS,
	STAGE_AUTH,
	STAGE_MAIL,
	STAGE_RCPT,
	STAGE_RSET,
	STAGE_QUIT,
	STAGE__COUNT
};

/* Why a RCPT TO was sent: the target decides; the others are second
 * opinions about what the target's reply means. */
enum rcpt_role {
	RCPT_NONE,	/* not a RCPT step */
	RCPT_TARGET,	/* the address asked about */
	RCPT_CONTROL,	/* postmaster@DOMAIN (RFC 5321 4.5.1) */
	RCPT_CATCH_ALL, /* a random local part at the domain */
	RCPT__COUNT
};

/* What happened to one probe (host x address x port). */
enum outcome {
	OUTCOME_NONE, /* still running / not decided */
	OUTCOME_ACCEPTED,
	OUTCOME_REJECTED,
	OUTCOME_TEMPFAIL,
	OUTCOME_REFUSED,
	OUTCOME_TIMEOUT,
	OUTCOME_UNREACHABLE,
	OUTCOME_TLS_ERROR,
	OUTCOME_PROTOCOL_ERROR,
	OUTCOME_SKIPPED,
	OUTCOME__COUNT
};

/* What the whole run amounts to. */
enum verdict_outcome {
	VERDICT_ACCEPTED,
	VERDICT_REJECTED,
	VERDICT_TEMPFAIL,
	VERDICT_UNREACHABLE,
	VERDICT_NO_MAIL_HOST,
	VERDICT_DNS_ERROR,
	VERDICT_PROTOCOL_ERROR,
	VERDICT_TLS_ERROR,
	VERDICT_BAD_ADDRESS, /* a batch line that is no ADDRESS or DOMAIN */
	VERDICT__COUNT
};

/* What a reply (or a local failure) means, in one word (smtpprobe-json(5)). */
enum category {
	CAT_SUCCESS,
	CAT_INTERMEDIATE,
	CAT_MAILBOX_UNKNOWN,
	CAT_MAILBOX_FULL,
	CAT_MAILBOX_DISABLED,
	CAT_BAD_ADDRESS,
	CAT_DOMAIN_UNKNOWN,
	CAT_RELAY_DENIED,
	CAT_AUTH_REQUIRED,
	CAT_AUTH_FAILED,
	CAT_TLS_REQUIRED,
	CAT_IP_BLOCKLISTED,
	CAT_REPUTATION,
	CAT_SENDER_AUTH,
	CAT_REVERSE_DNS,
	CAT_HELO_REJECTED,
	CAT_GREYLISTED,
	CAT_RATE_LIMITED,
	CAT_CONTENT_REJECTED,
	CAT_MESSAGE_TOO_LARGE,
	CAT_SERVICE_UNAVAILABLE,
	CAT_STORAGE,
	CAT_ROUTING,
	CAT_PROTOCOL,
	CAT_POLICY,
	CAT_UNKNOWN,
	CAT_DNS,
	CAT_NETWORK,
	CAT_TLS,
	CAT_PROXY, /* the --proxy setup or the proxy itself */
	CAT__COUNT
};

/* Reply class from the first digit. */
enum reply_class {
	CLASS_NONE,
	CLASS_SUCCESS,	    /* 2xx */
	CLASS_INTERMEDIATE, /* 3xx */
	CLASS_TRANSIENT,    /* 4xx */
	CLASS_PERMANENT	    /* 5xx */
};

const char *stage_name(enum stage s);
const char *rcpt_role_name(enum rcpt_role r);
const char *outcome_name(enum outcome o);
const char *verdict_outcome_name(enum verdict_outcome v);
const char *category_name(enum category c);
const char *reply_class_name(enum reply_class c);
enum reply_class reply_class_of(int code);
/* Exit status (sysexits) for a verdict. */
int verdict_exit_status(enum verdict_outcome v);

#endif
