/*
 * codes.h - the code table: static knowledge about SMTP replies and local
 * failures. Pure data plus lookups; no I/O, no allocation.
 *
 * Three layers, consulted by the interpreter in this order of precedence
 * for the category: text patterns (only within the class the code decides),
 * enhanced codes (RFC 3463 class.subject.detail), basic 3-digit codes.
 */
#ifndef SMTPPROBE_CODES_H
#define SMTPPROBE_CODES_H

#include <stddef.h>

#include "smtpprobe/types.h"

/* A basic 3-digit reply code. */
struct code_info {
	int code;
	enum category category; /* the usual meaning, before context */
	const char *meaning;	/* what the code says, one sentence */
	const char *cause;	/* the likely cause, one sentence */
	const char *remedy;	/* what to do, one sentence */
};

/* An RFC 3463 enhanced code, keyed by subject and detail; the class (2, 4
 * or 5) comes from the reply. */
struct enhanced_info {
	int subject;
	int detail;
	enum category category;
	const char *meaning;
	const char *remedy;
};

/* RFC 3463 subject (the middle number) when the detail is not known. */
struct enhanced_subject_info {
	int subject;
	const char *meaning;
};

/* Bit masks of reply classes a text pattern applies to. */
#define PAT_2XX 0x1
#define PAT_4XX 0x2
#define PAT_5XX 0x4
#define PAT_ERR (PAT_4XX | PAT_5XX)
/* Generic wording ("denied", "blocked"): weighed below the codes that say
 * something specific (codes_table.h). */
#define PAT_WEAK 0x8

/* Wording real servers use. A pattern matches when every one of its
 * needles (up to 3, NULL-terminated) occurs in the reply text,
 * case-insensitively. The code's class is decided first; a pattern only
 * refines the category and the remedy within the classes in its mask. */
struct text_pattern {
	const char *needles[4];
	unsigned classes;
	enum category category;
	const char *explanation;
	const char *remedy;
};

/* Failures that happen on this side or in the network, not in a reply. */
enum local_error {
	LE_NONE,
	/* DNS */
	LE_DNS_NXDOMAIN,
	LE_DNS_NODATA,
	LE_DNS_SERVFAIL,
	LE_DNS_REFUSED,
	LE_DNS_TIMEOUT,
	LE_DNS_MALFORMED,
	LE_DNS_NULL_MX,
	LE_DNS_NO_ADDRESS,	/* MX target has no A/AAAA */
	LE_DNS_NO_SERVER,	/* no resolver reachable or configured
				   (ARES_ECONNREFUSED, ARES_ENOSERVER) */
	LE_DNS_NOT_IMPLEMENTED, /* resolver lacks the query (ARES_ENOTIMP) */
	LE_DNS_BAD_NAME,	/* the name is not a valid DNS name
				   (ARES_EBADNAME) */
	LE_DNS_CONFIG,		/* resolver configuration unreadable
				   (ARES_EFILE, ARES_ENOTINITIALIZED) */
	LE_DNS_NO_MEMORY,	/* ARES_ENOMEM */
	LE_DNS_ERROR,		/* any other resolver failure */
	/* connect */
	LE_CONN_REFUSED,
	LE_CONN_TIMEOUT,
	LE_CONN_UNREACHABLE, /* ENETUNREACH / EHOSTUNREACH */
	LE_CONN_RESET,
	LE_CONN_CLOSED,		    /* peer closed the connection (EOF) */
	LE_CONN_NO_SOURCE_ADDRESS,  /* EADDRNOTAVAIL */
	LE_CONN_FAMILY_UNSUPPORTED, /* EAFNOSUPPORT */
	LE_CONN_FORBIDDEN,	    /* EACCES, EPERM: local firewall/policy */
	LE_CONN_NO_RESOURCES,	    /* EMFILE, ENFILE, ENOBUFS, ENOMEM */
	LE_CONN_ERROR,		    /* any other errno */
	LE_REPLY_TIMEOUT, /* connected, but a reply did not come in time */
	/* TLS */
	LE_TLS_HANDSHAKE, /* handshake failed (alert, no shared protocol...) */
	LE_TLS_TIMEOUT,
	LE_TLS_VERIFY,	     /* certificate did not verify (detail separate) */
	LE_TLS_NAME,	     /* certificate chain ok, name does not match */
	LE_TLS_NOT_OFFERED,  /* STARTTLS required but not offered */
	LE_TLS_REFUSED,	     /* STARTTLS answered with an error */
	LE_TLS_CERT_EXPIRED, /* X509_V_ERR_CERT_HAS_EXPIRED */
	LE_TLS_CERT_NOT_YET_VALID, /* X509_V_ERR_CERT_NOT_YET_VALID */
	LE_TLS_SELF_SIGNED,	   /* ..._SELF_SIGNED_CERT(_IN_CHAIN) */
	LE_TLS_UNKNOWN_CA,	   /* ..._UNABLE_TO_GET_ISSUER_CERT(_LOCALLY),
				      ..._UNABLE_TO_VERIFY_LEAF_SIGNATURE */
	LE_TLS_CHAIN_TOO_LONG,	   /* X509_V_ERR_CERT_CHAIN_TOO_LONG,
				      ..._PATH_LENGTH_EXCEEDED */
	LE_TLS_NO_SHARED_PROTOCOL, /* SSL_R_UNSUPPORTED_PROTOCOL,
				      SSL_R_TLSV1_ALERT_PROTOCOL_VERSION */
	LE_TLS_NO_SHARED_CIPHER,   /* SSL_R_NO_SHARED_CIPHER,
				      SSL_R_NO_CIPHERS_AVAILABLE */
	LE_TLS_ALERT,		   /* any other alert from the server */
	LE_TLS_ON_PLAIN_PORT, /* TLS bytes where a plain greeting belongs */
	LE_TLS_PLAINTEXT_ON_IMPLICIT, /* port 465 answered with plaintext */
	LE_TLS_DANE_MISMATCH,	      /* DANE: no usable TLSA record matched */
	LE_TLS_DANE_NAME,   /* DANE-TA matched; no reference name fits */
	LE_DNS_TLSA_LOOKUP, /* DANE: the TLSA lookup failed (SERVFAIL) */
	/* protocol */
	LE_PROTO_MALFORMED, /* reply did not parse */
	LE_PROTO_LINE_TOO_LONG,
	LE_PROTO_TOO_MANY_LINES,
	LE_PROTO_INJECTION,   /* bytes after 220 to STARTTLS */
	LE_PROTO_UNSOLICITED, /* data nobody asked for */
	LE_PROTO_UNEXPECTED,  /* a reply code that makes no sense here */
	LE_PROTO_CLOSED_MID_REPLY,
	LE_RUN_DEADLINE, /* the run's overall deadline cut this probe */
	/* capabilities the probe needs but the server lacks */
	LE_AUTH_UNAVAILABLE,	 /* --auth, but no AUTH PLAIN/LOGIN offered */
	LE_SMTPUTF8_UNAVAILABLE, /* UTF-8 local part, no SMTPUTF8 offered */
	/* --proxy: the proxy itself (category proxy), then what it says of
	 * its own connection to the mail host (REP 3-6: network) */
	LE_PROXY_REFUSED,	     /* connecting to the proxy: ECONNREFUSED */
	LE_PROXY_UNREACHABLE,	     /* connecting to the proxy: other errno */
	LE_PROXY_TIMEOUT,	     /* no connection or no handshake in time */
	LE_PROXY_CLOSED,	     /* closed or reset mid-handshake */
	LE_PROXY_GARBAGE,	     /* not a SOCKS5 answer */
	LE_PROXY_NO_METHOD,	     /* method selection 0xFF */
	LE_PROXY_METHOD_UNSUPPORTED, /* chose a method not offered */
	LE_PROXY_AUTH_FAILED,	     /* RFC 1929 STATUS not 0 */
	LE_PROXY_BAD_ADDRESS_TYPE,   /* CONNECT reply with a bad ATYP */
	LE_PROXY_GENERAL_FAILURE,    /* REP 0x01 */
	LE_PROXY_FORBIDDEN,	     /* REP 0x02: ruleset */
	LE_PROXY_NET_UNREACHABLE,    /* REP 0x03 */
	LE_PROXY_HOST_UNREACHABLE,   /* REP 0x04 */
	LE_PROXY_TARGET_REFUSED,     /* REP 0x05: the mail host refused */
	LE_PROXY_TTL_EXPIRED,	     /* REP 0x06 */
	LE_PROXY_COMMAND_UNSUPPORTED, /* REP 0x07 */
	LE_PROXY_ATYP_UNSUPPORTED,    /* REP 0x08: e.g. no IPv6 */
	LE_PROXY_UNASSIGNED_REPLY,    /* REP 0x09-0xFF */
	LE__COUNT
};

struct local_error_info {
	enum local_error error;
	const char
	    *name; /* short stable identifier, e.g. "connection_refused" */
	enum category category; /* dns, network, tls or protocol */
	const char *explanation;
	const char *remedy;
};

const struct code_info *codes_basic(int code);
const struct enhanced_info *codes_enhanced(int subject, int detail);
const struct enhanced_subject_info *codes_enhanced_subject(int subject);
/* First pattern matching text (lines joined by spaces) within class cls;
 * NULL if none. */
const struct text_pattern *codes_match_text(const char *text,
					    enum reply_class cls);
/* The same, among the specific patterns only (weak 0) or the generic ones
 * only (weak 1). */
const struct text_pattern *
codes_match_text_tier(const char *text, enum reply_class cls, int weak);
const struct local_error_info *codes_local(enum local_error e);
/* Its name ("reply_timeout"), or "local_error" for a value without one. */
const char *codes_local_name(enum local_error e);

/* Iteration, for tests and --explain listings. */
size_t codes_basic_count(void);
const struct code_info *codes_basic_at(size_t i);
size_t codes_enhanced_count(void);
const struct enhanced_info *codes_enhanced_at(size_t i);
size_t codes_pattern_count(void);
const struct text_pattern *codes_pattern_at(size_t i);

/* What a code means at one stage of the dialogue (codes_stage.c); code 0
 * stands for any code of the class cls. */
struct codes_stage_rule {
	enum stage stage;
	int code;
	enum reply_class cls;
	enum category category;
	const char *explanation;
	const char *remedy;
};

/* The rule for code at stage: an exact code first, then its class; NULL
 * when the stage has none. */
const struct codes_stage_rule *codes_stage_rule(enum stage st, int code);
/* RSET and QUIT, after the verdict: every reply is explained as an answer
 * to that command (they outrank text and codes for the words). */
const struct codes_stage_rule *codes_closing_rule(enum stage st, int code);

/* A category and its words. */
struct codes_words {
	enum category category;
	const char *explanation;
	const char *remedy;
};
/* What a reply class says when nothing more specific is known. */
const struct codes_words *codes_class_words(enum reply_class cls);
/* What a reply is taken to mean (codes_weigh): the evidence it rests on,
 * the rules of codes_table.h's header in their order. */
struct weigh_input {
	int code;	      /* basic code, 0 when absent */
	const char *enhanced; /* "5.7.1", or "" / NULL when absent */
	enum reply_class cls; /* CLASS_NONE: text alone, no code at all */
	const char *text;     /* the reply's words joined, or NULL */
	const struct codes_stage_rule *stage; /* the stage's rule, or NULL */
};

enum weigh_source {
	WEIGH_DEFINITE,	     /* an enhanced code with one meaning only */
	WEIGH_TEXT,	     /* explicit wording */
	WEIGH_ENHANCED,	     /* a known X.Y.Z, Z not 0 */
	WEIGH_STAGE,	     /* the code at the stage it answered */
	WEIGH_SUBJECT,	     /* the enhanced subject, X.Y.0 */
	WEIGH_BASIC,	     /* a basic code with one meaning */
	WEIGH_WEAK_TEXT,     /* generic wording */
	WEIGH_BASIC_DEFAULT, /* a catch-all basic code's usual reading */
	WEIGH_CLASS	     /* nothing more specific: the class */
};

/* The category and words of a reply; returns which rule decided. */
enum weigh_source codes_weigh(const struct weigh_input *in,
			      struct codes_words *out);

/* Who acts first on a category, and the first concrete step
 * (codes_action.c): defined for every category. */
enum codes_actor {
	ACT_NOBODY,	    /* nothing to do, or the retry does it */
	ACT_YOU,	    /* the sender */
	ACT_RECIPIENT,	    /* the person the mail was for */
	ACT_RECEIVER_ADMIN, /* the receiving domain's postmaster */
	ACT_PROVIDER	    /* whoever runs the sending IP or account */
};

struct codes_action {
	enum codes_actor who;
	const char *first_step;
};

const struct codes_action *codes_category_action(enum category c);
/* "you", "recipient", "receiver_admin", "provider", "nobody". */
const char *codes_actor_name(enum codes_actor a);

/* What a step that went well says (connect, TLS; else "nothing went
 * wrong"). */
const struct codes_words *codes_step_ok(enum stage st);

#endif
