/*
 * addr.c - see addr.h. The checks run in this order, so the message names
 * the most dangerous fault first: raw bytes (controls, UTF-8, spaces),
 * then shape (brackets, '@'), then lengths and grammar of each part.
 */
#include "smtpprobe/addr.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "smtpprobe/bounds.h"
#include "smtpprobe/sanitize.h"

static const char *const messages[ADDR_E__COUNT] = {
    [ADDR_OK] = "ok",
    [ADDR_E_EMPTY] = "empty",
    [ADDR_E_TOO_LONG_INPUT] = "longer than 1024 octets",
    [ADDR_E_NUL] = "contains a NUL byte",
    [ADDR_E_CRLF] = "contains a line break (CR or LF)",
    [ADDR_E_CONTROL] = "contains a control character",
    [ADDR_E_INVISIBLE] =
	"contains an invisible or bidirectional control character",
    [ADDR_E_UTF8] = "is not valid UTF-8",
    [ADDR_E_SPACE] = "contains a space outside quotes",
    [ADDR_E_BRACKETS] = "unbalanced angle brackets",
    [ADDR_E_NO_LOCAL] = "empty local part before '@'",
    [ADDR_E_NO_DOMAIN] = "empty domain",
    [ADDR_E_NOT_MAILBOX] = "not a mailbox: expected local@domain or <>",
    [ADDR_E_LOCAL_LONG] = "local part longer than 64 octets",
    [ADDR_E_LOCAL_DOT] = "local part has a leading, trailing or double dot",
    [ADDR_E_LOCAL_CHAR] =
	"local part has a character that is only allowed in quotes",
    [ADDR_E_LOCAL_QUOTE] = "local part has a misplaced or unterminated quote",
    [ADDR_E_DOMAIN_LONG] = "domain longer than 255 octets",
    [ADDR_E_LABEL_EMPTY] = "domain has an empty label (leading or double dot)",
    [ADDR_E_LABEL_LONG] = "domain label longer than 63 octets",
    [ADDR_E_LABEL_HYPHEN] = "domain label starts or ends with a hyphen",
    [ADDR_E_LABEL_CHAR] =
	"domain has a character other than letters, digits, '-' and '.'",
    [ADDR_E_NUMERIC_TLD] =
	"last domain label is all digits: an IP address is not a domain name",
    [ADDR_E_IDN] = "domain is not a valid internationalised name (IDNA)",
    [ADDR_E_LITERAL] =
	"address literals like [192.0.2.1] are not supported yet",
    [ADDR_E_BAD_LITERAL] =
	"bad address literal: expected [192.0.2.1] or [IPv6:2001:db8::1]",
    [ADDR_E_PATH_LONG] = "address longer than 254 octets (256 with < >)",
};

const char *addr_strerror(int err)
{
	if (err < 0 || err >= ADDR_E__COUNT || !messages[err])
		return "invalid";
	return messages[err];
}

/* ASCII classes by value: <ctype.h> would follow the locale. */
static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 5322 atext, as RFC 5321 4.1.2 uses it for Atom. */
static int is_atext(unsigned char c)
{
	return is_alpha(c) || is_digit(c) ||
	       (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static int has_non_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

/* One non-ASCII character: valid UTF-8 and nothing that hides or reorders
 * text, because the user reads this address back in our report. */
static int scan_utf8(const char *s, size_t len, size_t *n)
{
	unsigned long cp;

	*n = sanitize_utf8_decode((const unsigned char *)s, len, &cp);
	if (*n == 0)
		return ADDR_E_UTF8;
	if (cp <= 0x9f)
		return ADDR_E_CONTROL; /* C1 */
	if (sanitize_is_dangerous(cp))
		return ADDR_E_INVISIBLE;
	return ADDR_OK;
}

/*
 * The byte-level gate every input passes first. Quotes are tracked only to
 * allow spaces inside a quoted local part; the grammar checks later decide
 * whether the quotes themselves are well placed.
 */
static int scan_text(const char *s, size_t len)
{
	int quoted = 0, esc = 0;

	if (len == 0)
		return ADDR_E_EMPTY;
	if (len > ADDR_INPUT_MAX)
		return ADDR_E_TOO_LONG_INPUT;
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		size_t n = 1;
		int rc = ADDR_OK;

		if (c == '\0')
			rc = ADDR_E_NUL;
		else if (c == '\r' || c == '\n')
			rc = ADDR_E_CRLF;
		else if (c < 0x20 || c == 0x7f)
			rc = ADDR_E_CONTROL;
		else if (c >= 0x80)
			rc = scan_utf8(s + i, len - i, &n);
		else if (c == ' ' && !quoted)
			rc = ADDR_E_SPACE;
		if (rc)
			return rc;
		if (esc)
			esc = 0;
		else if (c == '\\' && quoted)
			esc = 1;
		else if (c == '"')
			quoted = !quoted;
		i += n;
	}
	return ADDR_OK;
}

/* One label of an ASCII domain: 1-63 letters, digits, inner hyphens. */
static int check_label(const char *l, size_t len)
{
	if (len == 0)
		return ADDR_E_LABEL_EMPTY;
	if (len > DNS_LABEL_MAX)
		return ADDR_E_LABEL_LONG;
	if (l[0] == '-' || l[len - 1] == '-')
		return ADDR_E_LABEL_HYPHEN;
	return ADDR_OK;
}

static int all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_digit((unsigned char)s[i]))
			return 0;
	return len > 0;
}

/* RFC 5321 4.1.2 Domain: sub-domains of Let-dig [Ldh-str]. A single label
 * is allowed ("localhost"-style names are legal, if unusual). */
static int check_ldh(const char *d, size_t len)
{
	size_t start = 0;

	if (len == 0)
		return ADDR_E_NO_DOMAIN;
	if (len > DOMAIN_MAX)
		return ADDR_E_DOMAIN_LONG;
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)d[i] : '.';
		int rc;

		if (c != '.') {
			if (!is_alpha(c) && !is_digit(c) && c != '-')
				return ADDR_E_LABEL_CHAR;
			continue;
		}
		rc = check_label(d + start, i - start);
		if (rc)
			return rc;
		start = i + 1;
	}
	/* No top-level domain is numeric (RFC 3696 2): "192.0.2.1" here is
	 * an IP address typed where a name belongs. */
	for (start = len; start > 0 && d[start - 1] != '.'; start--)
		;
	if (all_digits(d + start, len - start))
		return ADDR_E_NUMERIC_TLD;
	return ADDR_OK;
}

static int idn_error(int rc)
{
	if (rc == IDN2_TOO_BIG_DOMAIN)
		return ADDR_E_DOMAIN_LONG;
	if (rc == IDN2_TOO_BIG_LABEL)
		return ADDR_E_LABEL_LONG;
	return ADDR_E_IDN;
}

/* UTF-8 to A-labels. Non-transitional UTS 46 first (IDNA2008, "ß" stays
 * "ß"); transitional as a fallback for names only IDNA2003 accepts. */
static int idn_to_ascii(const char *in, size_t len, char **ace)
{
	char buf[ADDR_INPUT_MAX + 1];
	int rc;

	memcpy(buf, in, len);
	buf[len] = '\0';
	rc = idn2_to_ascii_8z(buf, ace, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK)
		rc = idn2_to_ascii_8z(buf, ace,
				      IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
	return rc == IDN2_OK ? ADDR_OK : idn_error(rc);
}

/* Bytes already passed scan_text. ASCII names skip libidn2 on purpose: its
 * UTS 46 mapping would lower-case them, and they need no conversion. */
static int domain_to_ascii(const char *in, size_t len, char *out, size_t outsz)
{
	char *ace = NULL;
	const char *d = in;
	int rc;

	if (len > 0 && in[0] == '[')
		return ADDR_E_LITERAL;
	if (has_non_ascii(in, len)) {
		rc = idn_to_ascii(in, len, &ace);
		if (rc)
			return rc;
		d = ace;
		len = strlen(ace);
	}
	/* "example.com." is the same name, fully qualified. */
	if (len > 0 && d[len - 1] == '.')
		len--;
	rc = check_ldh(d, len);
	if (rc == ADDR_OK && len >= outsz)
		rc = ADDR_E_DOMAIN_LONG;
	if (rc == ADDR_OK) {
		memcpy(out, d, len);
		out[len] = '\0';
	}
	idn2_free(ace);
	return rc;
}

/* RFC 5321 4.1.2 Quoted-string, with RFC 6531's UTF-8 in qtext. Byte
 * classes were checked by scan_text; here only the structure. */
static int check_quoted(const char *l, size_t len)
{
	if (len < 2 || l[len - 1] != '"')
		return ADDR_E_LOCAL_QUOTE;
	for (size_t i = 1; i < len - 1; i++) {
		if (l[i] == '\\') {
			/* quoted-pairSMTP is a backslash and printable ASCII;
			 * an escaped closing quote leaves the string open. */
			if (i + 1 >= len - 1 || (unsigned char)l[i + 1] >= 0x80)
				return ADDR_E_LOCAL_QUOTE;
			i++;
		} else if (l[i] == '"') {
			return ADDR_E_LOCAL_QUOTE;
		}
	}
	return ADDR_OK;
}

/* RFC 5321 4.1.2 Dot-string, with RFC 6531's UTF-8 in atext. */
static int check_dot_string(const char *l, size_t len)
{
	if (l[0] == '.' || l[len - 1] == '.')
		return ADDR_E_LOCAL_DOT;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)l[i];

		if (c == '.' && i + 1 < len && l[i + 1] == '.')
			return ADDR_E_LOCAL_DOT;
		if (c == '"')
			return ADDR_E_LOCAL_QUOTE;
		if (c != '.' && c < 0x80 && !is_atext(c))
			return ADDR_E_LOCAL_CHAR;
	}
	return ADDR_OK;
}

static int check_local(const char *l, size_t len)
{
	if (len == 0)
		return ADDR_E_NO_LOCAL;
	if (len > LOCAL_PART_MAX)
		return ADDR_E_LOCAL_LONG;
	if (l[0] == '"')
		return check_quoted(l, len);
	return check_dot_string(l, len);
}

/* Drop one pair of enclosing angle brackets: people paste "<a@b>". */
static int strip_brackets(const char **s, size_t *len)
{
	int open = *len > 0 && (*s)[0] == '<';
	int close = *len > 0 && (*s)[*len - 1] == '>';

	if (open != close || (open && *len < 2))
		return ADDR_E_BRACKETS;
	if (open) {
		(*s)++;
		*len -= 2;
	}
	return ADDR_OK;
}

/* local@domain, split at the last '@': a quoted local part may hold '@',
 * a domain never does. */
static int parse_mailbox(const char *s, size_t len, size_t at,
			 struct mail_addr *out)
{
	size_t dlen = len - at - 1;
	int rc;

	rc = check_local(s, at);
	if (rc)
		return rc;
	if (dlen == 0)
		return ADDR_E_NO_DOMAIN;
	rc = domain_to_ascii(s + at + 1, dlen, out->domain, sizeof out->domain);
	if (rc)
		return rc;
	dlen = strlen(out->domain);
	if (at + 1 + dlen > ADDR_PATH_MAX)
		return ADDR_E_PATH_LONG;
	memcpy(out->local, s, at);
	out->local[at] = '\0';
	memcpy(out->path, s, at);
	out->path[at] = '@';
	memcpy(out->path + at + 1, out->domain, dlen + 1);
	out->is_address = 1;
	out->need_smtputf8 = has_non_ascii(s, at);
	return ADDR_OK;
}

int addr_parse_target(const char *in, size_t len, struct mail_addr *out)
{
	const char *at;
	int rc;

	memset(out, 0, sizeof *out);
	rc = scan_text(in, len);
	if (rc == ADDR_OK)
		rc = strip_brackets(&in, &len);
	if (rc)
		return rc;
	if (len == 0)
		return ADDR_E_EMPTY;
	at = NULL;
	for (size_t i = len; i > 0; i--) {
		if (in[i - 1] == '@') {
			at = in + i - 1;
			break;
		}
	}
	if (at)
		rc = parse_mailbox(in, len, (size_t)(at - in), out);
	else
		rc = domain_to_ascii(in, len, out->domain, sizeof out->domain);
	if (rc)
		memset(out, 0, sizeof *out);
	return rc;
}

int addr_parse_sender(const char *in, size_t len, struct mail_addr *out)
{
	int rc;

	memset(out, 0, sizeof *out);
	if (len == 0 || (len == 2 && in[0] == '<' && in[1] == '>'))
		return ADDR_OK; /* the null reverse-path, RFC 5321 4.5.5 */
	rc = addr_parse_target(in, len, out);
	if (rc == ADDR_OK && !out->is_address) {
		memset(out, 0, sizeof *out);
		rc = ADDR_E_NOT_MAILBOX;
	}
	return rc;
}

int addr_parse_domain(const char *in, size_t len, char *out, size_t outsz)
{
	int rc = scan_text(in, len);

	if (outsz > 0)
		out[0] = '\0';
	if (rc)
		return rc;
	return domain_to_ascii(in, len, out, outsz);
}

/* "[192.0.2.1]" or "[IPv6:...]" (RFC 5321 4.1.3); the tag is matched
 * without case, as ABNF strings are, and written in its usual case. */
static int parse_literal(const char *in, size_t len, char *out, size_t outsz)
{
	char ip[64];
	unsigned char bin[16];
	size_t iplen;
	int v6;

	if (len < 3 || in[len - 1] != ']')
		return ADDR_E_BAD_LITERAL;
	v6 = len > 6 && strncasecmp(in + 1, "IPv6:", 5) == 0;
	iplen = len - 2 - (v6 ? 5 : 0);
	if (iplen >= sizeof ip)
		return ADDR_E_BAD_LITERAL;
	memcpy(ip, in + 1 + (v6 ? 5 : 0), iplen);
	ip[iplen] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, ip, bin) != 1)
		return ADDR_E_BAD_LITERAL;
	if ((size_t)snprintf(out, outsz, v6 ? "[IPv6:%s]" : "[%s]", ip) >=
	    outsz)
		return ADDR_E_BAD_LITERAL;
	return ADDR_OK;
}

int addr_parse_helo(const char *in, size_t len, char *out, size_t outsz)
{
	int rc = scan_text(in, len);

	if (outsz > 0)
		out[0] = '\0';
	if (rc)
		return rc;
	if (in[0] == '[')
		rc = parse_literal(in, len, out, outsz);
	else
		rc = domain_to_ascii(in, len, out, outsz);
	if (rc && outsz > 0)
		out[0] = '\0';
	return rc;
}

int addr_ip_family(const char *s)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, buf) == 1)
		return AF_INET6;
	return 0;
}

int addr_is_ip_literal(const char *s)
{
	return addr_ip_family(s) != 0;
}
