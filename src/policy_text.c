/*
 * policy_text.c - see policy_text.h. Grammars from RFC 8461 3.1 and 3.2
 * (MTA-STS) and RFC 8460 3 (TLS-RPT); every read is checked against the
 * length given, nothing relies on a NUL.
 */
#include "smtpprobe/policy_text.h"

#include <stdio.h>
#include <string.h>

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static int is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* s[0..len) starts with the literal p (case-sensitive, as %s"" is). */
static int starts(const char *s, size_t len, const char *p)
{
	size_t n = strlen(p);

	return len >= n && memcmp(s, p, n) == 0;
}

static int eq_nocase(const char *a, size_t alen, const char *b)
{
	size_t n = strlen(b);

	if (alen != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return 0;
	return 1;
}

/* ---- the TXT records: "v=...; name=value; ..." ---- */

/* One field of a TXT record, as found by next_field(). */
struct field {
	const char *name, *value;
	size_t nlen, vlen;
};

/* After the version: *WSP ";" *WSP field, or the end (a trailing ";" is
 * allowed). The value runs to the next ';' (or the end), trailing WSP
 * dropped. Returns 1 with a field, 0 at the end, -1 on bad syntax. */
static int next_field(const char *s, size_t len, size_t *pos, struct field *f,
		      const char **error)
{
	size_t i = *pos;

	while (i < len && is_wsp((unsigned char)s[i]))
		i++;
	if (i == len)
		return 0;
	if (s[i] != ';') {
		*error = "fields must be separated by ';'";
		return -1;
	}
	i++;
	while (i < len && is_wsp((unsigned char)s[i]))
		i++;
	if (i == len) {
		*pos = i;
		return 0;
	}
	f->name = s + i;
	/* ALPHA / DIGIT, then up to 31 of ALPHA / DIGIT / "_" / "-" / "." */
	if (!is_alnum((unsigned char)s[i])) {
		*error = "a field name must start with a letter or digit";
		return -1;
	}
	while (i < len && (is_alnum((unsigned char)s[i]) || s[i] == '_' ||
			   s[i] == '-' || s[i] == '.'))
		i++;
	f->nlen = (size_t)(s + i - f->name);
	if (f->nlen > 32) {
		*error = "a field name is longer than 32 characters";
		return -1;
	}
	if (i == len || s[i] != '=') {
		*error = "a field has no '='";
		return -1;
	}
	i++;
	f->value = s + i;
	while (i < len && s[i] != ';') {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e) {
			*error = "a field value holds a control or non-ASCII "
				 "character";
			return -1;
		}
		i++;
	}
	f->vlen = (size_t)(s + i - f->value);
	while (f->vlen > 0 && is_wsp((unsigned char)f->value[f->vlen - 1]))
		f->vlen--;
	if (f->vlen == 0) {
		*error = "a field has an empty value";
		return -1;
	}
	*pos = i;
	return 1;
}

/* The version prefix, and what follows it: the end, WSP or ';'. */
static int version_at(const char *s, size_t len, const char *v)
{
	size_t n = strlen(v);

	return starts(s, len, v) &&
	       (len == n || s[n] == ';' || is_wsp((unsigned char)s[n]));
}

/* An extension value has no '=' and no space (RFC 8461 3.1). */
static int plain_value(const struct field *f)
{
	for (size_t i = 0; i < f->vlen; i++)
		if (f->value[i] == '=' || is_wsp((unsigned char)f->value[i]))
			return 0;
	return 1;
}

int sts_parse_txt(const char *txt, size_t len, struct sts_txt *out)
{
	size_t pos = 7; /* strlen("v=STSv1") */
	struct field f;
	int rc;

	memset(out, 0, sizeof *out);
	if (!txt || !version_at(txt, len, "v=STSv1"))
		return 1;
	while ((rc = next_field(txt, len, &pos, &f, &out->error)) > 0) {
		if (!plain_value(&f)) {
			out->error = "a field value holds '=' or a space";
			return -1;
		}
		if (f.nlen == 2 && memcmp(f.name, "id", 2) == 0) {
			if (out->id[0]) {
				out->error = "more than one id field";
				return -1;
			}
			if (f.vlen > STS_ID_MAX) {
				out->error = "the id is longer than 32 "
					     "characters";
				return -1;
			}
			for (size_t i = 0; i < f.vlen; i++) {
				if (!is_alnum((unsigned char)f.value[i])) {
					out->error = "the id holds a character "
						     "other than a letter or "
						     "digit";
					return -1;
				}
			}
			memcpy(out->id, f.value, f.vlen);
			out->id[f.vlen] = '\0';
		}
	}
	if (rc < 0)
		return -1;
	if (!out->id[0]) {
		out->error = "no id field";
		return -1;
	}
	return 0;
}

/* One reporting URI: mailto: or https:, printable ASCII, no space. */
static int take_uri(struct tlsrpt *out, const char *u, size_t n)
{
	static const char *const schemes[] = {"mailto:", "https:"};
	int known = 0;

	for (size_t k = 0; k < 2; k++) {
		size_t sl = strlen(schemes[k]);
		if (n > sl && eq_nocase(u, sl, schemes[k]))
			known = 1;
	}
	if (!known) {
		out->error = "a rua URI is neither mailto: nor https:";
		return -1;
	}
	if (n > TLSRPT_URI_MAX) {
		out->error = "a rua URI is too long";
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] > 0x7e) {
			out->error = "a rua URI holds a space, control or "
				     "non-ASCII character";
			return -1;
		}
	}
	if (out->nrua >= TLSRPT_RUA_CAP) {
		out->error = "more rua URIs than smtpprobe keeps";
		return -1;
	}
	memcpy(out->rua[out->nrua], u, n);
	out->rua[out->nrua++][n] = '\0';
	return 0;
}

/* rua = uri *(*WSP "," *WSP uri) */
static int take_rua(struct tlsrpt *out, const struct field *f)
{
	size_t i = 0;

	while (i < f->vlen) {
		size_t start = i, end;

		while (i < f->vlen && f->value[i] != ',')
			i++;
		end = i;
		while (start < end && is_wsp((unsigned char)f->value[start]))
			start++;
		while (end > start && is_wsp((unsigned char)f->value[end - 1]))
			end--;
		if (end == start) {
			out->error = "an empty rua URI";
			return -1;
		}
		if (take_uri(out, f->value + start, end - start) < 0)
			return -1;
		if (i < f->vlen)
			i++; /* the ',' */
		if (i == f->vlen && f->value[i - 1] == ',') {
			out->error = "an empty rua URI";
			return -1;
		}
	}
	return 0;
}

int tlsrpt_parse_txt(const char *txt, size_t len, struct tlsrpt *out)
{
	size_t pos = 10; /* strlen("v=TLSRPTv1") */
	struct field f;
	int rc, seen = 0;

	memset(out, 0, sizeof *out);
	if (!txt || !version_at(txt, len, "v=TLSRPTv1"))
		return 1;
	while ((rc = next_field(txt, len, &pos, &f, &out->error)) > 0) {
		if (f.nlen == 3 && memcmp(f.name, "rua", 3) == 0) {
			if (seen++) {
				out->error = "more than one rua field";
				return -1;
			}
			if (take_rua(out, &f) < 0)
				return -1;
		} else if (!plain_value(&f)) {
			out->error = "a field value holds '=' or a space";
			return -1;
		}
	}
	if (rc < 0)
		return -1;
	if (!seen) {
		out->error = "no rua field";
		return -1;
	}
	return 0;
}

/* ---- the policy file ---- */

const char *sts_mode_name(enum sts_mode m)
{
	switch (m) {
	case STS_MODE_ENFORCE: return "enforce";
	case STS_MODE_TESTING: return "testing";
	default: return "none";
	}
}

/* A domain name, or "*." and one, as an mx value: labels of letters,
 * digits and hyphens, 1 to DNS_LABEL_MAX each, DNS_NAME_MAX in all. */
static int valid_pattern(const char *v, size_t n)
{
	size_t i = 0, label = 0;

	if (n >= 2 && v[0] == '*' && v[1] == '.')
		i = 2;
	if (n > 0 && v[n - 1] == '.')
		n--;
	if (n <= i || n > DNS_NAME_MAX)
		return 0;
	for (; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (is_alnum(c) || c == '-') {
			if (++label > DNS_LABEL_MAX)
				return 0;
		} else {
			return 0;
		}
	}
	return label > 0;
}

/* "192.0.2.1", "2001:db8::1", "[192.0.2.1]": digits, dots, colons and
 * hex only, with a colon or four numeric labels. */
static int looks_like_address(const char *v, size_t n)
{
	size_t digits_dots = 0, colons = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == ':')
			colons++;
		else if ((c >= '0' && c <= '9') || c == '.')
			digits_dots++;
		else if (!(c == '[' || c == ']' || (c >= 'a' && c <= 'f') ||
			   (c >= 'A' && c <= 'F')))
			return 0;
	}
	return n > 0 && (colons >= 2 || digits_dots == n ||
			 (v[0] == '[' && v[n - 1] == ']'));
}

/* A key an admin meant as "mx": "nmx", "mxs", "mx-host", "MX"... (keys
 * are case-sensitive; only "mx" counts). */
static int mx_typo(const char *k, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if ((k[i] == 'm' || k[i] == 'M') &&
		    (k[i + 1] == 'x' || k[i + 1] == 'X'))
			return n <= 8;
	return 0;
}

static int parse_max_age(const char *v, size_t n, long *out)
{
	long x = 0;

	if (n == 0 || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (v[i] - '0');
		if (x > STS_MAX_AGE_MAX)
			return -1;
	}
	*out = x;
	return 0;
}

/* One "key: value" line (no line end). */
static int policy_line(struct sts_policy *p, const char *l, size_t n,
		       unsigned *seen)
{
	size_t k = 0, v;

	while (k < n && l[k] != ':')
		k++;
	if (k == n || k == 0) {
		p->error = "a line is not \"key: value\"";
		return -1;
	}
	for (size_t i = 0; i < k; i++) {
		if (!is_alnum((unsigned char)l[i]) && l[i] != '_' &&
		    l[i] != '-' && l[i] != '.') {
			p->error = "a key holds a character it may not";
			return -1;
		}
	}
	v = k + 1;
	while (v < n && is_wsp((unsigned char)l[v]))
		v++;
	while (n > v && is_wsp((unsigned char)l[n - 1]))
		n--;
	const char *val = l + v;
	size_t vn = n - v;
	for (size_t i = 0; i < vn; i++) {
		if ((unsigned char)val[i] < 0x20 ||
		    (unsigned char)val[i] > 0x7e) {
			p->error = "a value holds a control or non-ASCII "
				   "character";
			return -1;
		}
	}
	if (k == 7 && memcmp(l, "version", 7) == 0) {
		if ((*seen & 1) || vn != 5 || memcmp(val, "STSv1", 5) != 0) {
			p->error = (*seen & 1) ? "version given twice"
					       : "version is not STSv1";
			return -1;
		}
		*seen |= 1;
	} else if (k == 4 && memcmp(l, "mode", 4) == 0) {
		if (*seen & 2) {
			p->error = "mode given twice";
			return -1;
		}
		if (vn == 7 && memcmp(val, "enforce", 7) == 0)
			p->mode = STS_MODE_ENFORCE;
		else if (vn == 7 && memcmp(val, "testing", 7) == 0)
			p->mode = STS_MODE_TESTING;
		else if (vn == 4 && memcmp(val, "none", 4) == 0)
			p->mode = STS_MODE_NONE;
		else {
			p->error = "mode is not enforce, testing or none";
			return -1;
		}
		*seen |= 2;
	} else if (k == 7 && memcmp(l, "max_age", 7) == 0) {
		if ((*seen & 4) || parse_max_age(val, vn, &p->max_age) < 0) {
			p->error = (*seen & 4) ? "max_age given twice"
					       : "max_age is not a number from "
						 "0 to 31557600";
			return -1;
		}
		*seen |= 4;
	} else if (k == 2 && memcmp(l, "mx", 2) == 0) {
		if (looks_like_address(val, vn)) {
			p->error = "an mx value is an IP address: the policy "
				   "names MX hosts by name (RFC 8461 3.2)";
			return -1;
		}
		if (!valid_pattern(val, vn)) {
			p->error = "an mx value is not a host name or "
				   "\"*.\" and one";
			return -1;
		}
		if (p->nmx >= STS_MX_CAP) {
			p->error = "more mx lines than smtpprobe keeps";
			return -1;
		}
		if (vn > 0 && val[vn - 1] == '.')
			vn--;
		for (size_t i = 0; i < vn; i++)
			p->mx[p->nmx][i] = lower(val[i]);
		p->mx[p->nmx++][vn] = '\0';
	}
	/* Any other key: an extension, ignored (RFC 8461 3.2); one that
	 * looks like a mistyped mx is remembered, to name the mistake. */
	else if (!p->typo[0] && k < sizeof p->typo && mx_typo(l, k)) {
		memcpy(p->typo, l, k);
		p->typo[k] = '\0';
	}
	return 0;
}

int sts_parse_policy(const char *body, size_t len, struct sts_policy *out)
{
	size_t i = 0;
	unsigned seen = 0;

	memset(out, 0, sizeof *out);
	if (!body) {
		out->error = "no policy";
		return -1;
	}
	while (i < len) {
		size_t start = i, end;

		while (i < len && body[i] != '\n')
			i++;
		end = i;
		if (i < len)
			i++; /* the LF */
		if (end > start && body[end - 1] == '\r')
			end--;
		else if (i > start && body[i - 1] == '\n')
			out->lf_only = 1;
		if (end == start)
			continue;
		if (policy_line(out, body + start, end - start, &seen) < 0)
			return -1;
	}
	if ((seen & 7) != 7) {
		out->error = !(seen & 1)   ? "no version line"
			     : !(seen & 2) ? "no mode line"
					   : "no max_age line";
		return -1;
	}
	if (out->mode != STS_MODE_NONE && out->nmx == 0) {
		if (out->typo[0]) {
			snprintf(out->error_buf, sizeof out->error_buf,
				 "no mx line, but a \"%s:\" line: a typo for "
				 "\"mx:\"? (keys are case-sensitive)",
				 out->typo);
			out->error = out->error_buf;
		} else {
			out->error = "no mx line";
		}
		return -1;
	}
	return 0;
}

int sts_mx_matches(const char *pattern, const char *host)
{
	size_t pl = strlen(pattern), hl = strlen(host);

	if (pl > 0 && pattern[pl - 1] == '.')
		pl--;
	if (hl > 0 && host[hl - 1] == '.')
		hl--;
	if (pl == 0 || hl == 0)
		return 0;
	if (pl >= 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* "*.example.net": one label, then ".example.net". */
		size_t suffix = pl - 1; /* ".example.net" */
		const char *dot = memchr(host, '.', hl);
		if (!dot || (size_t)(host + hl - dot) != suffix || dot == host)
			return 0;
		for (size_t i = 0; i < suffix; i++)
			if (lower(dot[i]) != lower(pattern[1 + i]))
				return 0;
		return 1;
	}
	if (pl != hl)
		return 0;
	for (size_t i = 0; i < pl; i++)
		if (lower(pattern[i]) != lower(host[i]))
			return 0;
	return 1;
}

int sts_policy_lists(const struct sts_policy *p, const char *host)
{
	for (size_t i = 0; i < p->nmx; i++)
		if (sts_mx_matches(p->mx[i], host))
			return 1;
	return 0;
}
