/*
 * bounce.c - see bounce.h.
 *
 * The message is copied once, cut at BOUNCE_MAX_BYTES, with CRLF and CR
 * made LF and NUL made a space, so every later step works on a
 * NUL-terminated text. MIME (RFC 2045, 2046): a header block up to the
 * first empty line, Content-Type's type and boundary, parts between
 * "--boundary" lines, nested at most BOUNCE_MAX_DEPTH deep and
 * BOUNCE_MAX_PARTS in all; quoted-printable and base64 bodies are decoded
 * (into new buffers no longer than what they decode). A
 * message/delivery-status part (RFC 3464; message/global-delivery-status,
 * RFC 6533) gives the recipients; text/plain parts are read for the
 * plain-text formats, and also fill in what a DSN does not say (the
 * Postfix text names the stage, "in reply to RCPT TO command"). Returned
 * messages (message/rfc822, text/rfc822-headers) are never read: the
 * original mail may itself quote a bounce.
 *
 * The plain-text formats, by the lines that mark them (the MTAs' own
 * wording, from their bounce templates):
 *   Postfix  "<rcpt>: host X[ip] said: ..." and indented continuations
 *   qmail    "<rcpt>:" then "Remote host said: ..." up to an empty line
 *   Exim     "...address(es) failed:", then "  rcpt" and its indented
 *            details ("host X [ip]", "SMTP error from remote mail
 *            server after RCPT TO:<rcpt>:", the reply)
 *   Exchange "rcpt" then "Remote Server returned '550 ...'" or
 *            "#550 5.1.1 ... ##"
 *   Gmail    "Delivery to the following recipient failed permanently:"
 *            or "Your message wasn't delivered to rcpt", then "The error
 *            that the other server returned was:" or "The response from
 *            the remote server was:" and the reply
 */
#include "smtpprobe/bounce.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpprobe/reply.h"

#define HEADER_VALUE_MAX 1024
#define BOUNDARY_MAX	 200

struct ctx {
	struct bounce *b;
	int parts;
	int oom;
	char **texts; /* decoded text/plain bodies, owned */
	size_t ntexts;
};

const char *bounce_format_name(enum bounce_format f)
{
	switch (f) {
	case BF_DSN: return "dsn";
	case BF_POSTFIX: return "postfix";
	case BF_QMAIL: return "qmail";
	case BF_EXIM: return "exim";
	case BF_EXCHANGE: return "exchange";
	case BF_GMAIL: return "gmail";
	default: return "none";
	}
}

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* [s, end) starts with prefix, ignoring ASCII case. */
static int starts_n(const char *s, const char *end, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (s >= end ||
		    lower((unsigned char)*s) != lower((unsigned char)*prefix))
			return 0;
	return 1;
}

static int starts(const char *s, const char *prefix)
{
	return starts_n(s, s + strlen(s), prefix);
}

/* needle in [s, end), ignoring ASCII case. */
static const char *find_n(const char *s, const char *end, const char *needle)
{
	for (; s < end; s++)
		if (starts_n(s, end, needle))
			return s;
	return NULL;
}

static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl : end;
}

static const char *next_line(const char *p, const char *end)
{
	const char *e = line_end(p, end);

	return e < end ? e + 1 : end;
}

static int blank_line(const char *p, const char *e)
{
	for (; p < e; p++)
		if (*p != ' ' && *p != '\t')
			return 0;
	return 1;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* Copy [p, p+n) into dst (size dsz), trimmed, cut at dsz - 1. */
static void copy_trim(char *dst, size_t dsz, const char *p, size_t n)
{
	while (n && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n >= dsz)
		n = dsz - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

/* ---- headers ---- */

/* A header line: a field name (printable, no colon or space), a colon. */
static int header_line(const char *p, const char *e)
{
	const char *q = p;

	while (q<e && * q> ' ' && *q < 127 && *q != ':')
		q++;
	return q > p && q < e && *q == ':';
}

/* Where the body starts: after the first empty line; end if none. */
static const char *body_of(const char *p, const char *end)
{
	while (p < end) {
		const char *e = line_end(p, end);

		if (blank_line(p, e))
			return e < end ? e + 1 : end;
		p = e < end ? e + 1 : end;
	}
	return end;
}

/* The unfolded value of field name in the header block [p, end) (which
 * ends at the first empty line), cut at vsz - 1; 0 if absent. */
static int header_value(const char *p, const char *end, const char *name,
			char *v, size_t vsz)
{
	size_t nlen = strlen(name), o = 0;

	while (p < end) {
		const char *e = line_end(p, end);

		if (blank_line(p, e))
			return 0;
		if ((size_t)(e - p) > nlen && p[nlen] == ':' &&
		    starts_n(p, e, name)) {
			const char *q = p + nlen + 1;
			for (;;) {
				q = skip_ws(q, e);
				if (o && q < e && o < vsz - 1)
					v[o++] = ' ';
				while (q < e && o < vsz - 1)
					v[o++] = *q++;
				p = e < end ? e + 1 : end;
				if (p >= end || (*p != ' ' && *p != '\t'))
					break;
				e = line_end(p, end);
				if (blank_line(p, e))
					break;
				q = p;
			}
			while (o && v[o - 1] == ' ')
				o--;
			v[o] = '\0';
			return 1;
		}
		p = e < end ? e + 1 : end;
	}
	return 0;
}

/* Content-Type's type/subtype, lower-cased, into t; its boundary into bd
 * ("" if none). */
static void content_type(const char *hp, const char *hend, char *t, size_t tsz,
			 char *bd, size_t bdsz)
{
	char v[HEADER_VALUE_MAX];
	size_t o = 0;
	const char *p, *vend;

	t[0] = bd[0] = '\0';
	if (!header_value(hp, hend, "Content-Type", v, sizeof v))
		return;
	for (p = v; *p && *p != ';' && *p != ' ' && o < tsz - 1; p++)
		t[o++] = (char)lower((unsigned char)*p);
	t[o] = '\0';
	vend = v + strlen(v);
	p = find_n(v, vend, "boundary=");
	if (!p)
		return;
	p += 9;
	o = 0;
	if (*p == '"') {
		for (p++; *p && *p != '"' && o < bdsz - 1; p++)
			bd[o++] = *p;
	} else {
		for (; *p && *p != ';' && *p != ' ' && o < bdsz - 1; p++)
			bd[o++] = *p;
	}
	bd[o] = '\0';
}

/* ---- transfer encodings ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static char *decode_qp(const char *p, const char *end)
{
	char *out = malloc((size_t)(end - p) + 1), *o = out;

	if (!out)
		return NULL;
	while (p < end) {
		if (*p == '=' && p + 1 < end && p[1] == '\n') {
			p += 2;
		} else if (*p == '=' && p + 2 < end && hexval(p[1]) >= 0 &&
			   hexval(p[2]) >= 0) {
			int c = hexval(p[1]) * 16 + hexval(p[2]);
			*o++ = c ? (char)c : ' ';
			p += 3;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static char *decode_b64(const char *p, const char *end)
{
	char *out = malloc((size_t)(end - p) + 1), *o = out;
	unsigned acc = 0;
	int bits = 0;

	if (!out)
		return NULL;
	for (; p < end && *p != '='; p++) {
		int v = b64val((unsigned char)*p);

		if (v < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			char c = (char)((acc >> bits) & 0xff);
			/* Keep the text NUL-free and LF-only. */
			if (c == '\r')
				continue;
			*o++ = c ? c : ' ';
		}
	}
	*o = '\0';
	return out;
}

static char *decode_body(const char *hp, const char *hend, const char *p,
			 const char *end)
{
	char cte[64];
	char *out;

	if (header_value(hp, hend, "Content-Transfer-Encoding", cte,
			 sizeof cte)) {
		if (starts(cte, "quoted-printable"))
			return decode_qp(p, end);
		if (starts(cte, "base64"))
			return decode_b64(p, end);
	}
	out = malloc((size_t)(end - p) + 1);
	if (!out)
		return NULL;
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
	return out;
}

/* ---- recipients ---- */

static struct bounce_recipient *add_rcpt(struct ctx *c, const char *addr,
					 size_t n)
{
	struct bounce *b = c->b;
	struct bounce_recipient *r;

	if (b->n >= BOUNCE_MAX_RECIPIENTS)
		return NULL;
	if ((b->n & (b->n - 1)) == 0) {
		size_t cap = b->n ? b->n * 2 : 1;
		r = realloc(b->rcpt, cap * sizeof *r);
		if (!r) {
			c->oom = 1;
			return NULL;
		}
		b->rcpt = r;
	}
	r = &b->rcpt[b->n++];
	memset(r, 0, sizeof *r);
	copy_trim(r->addr, sizeof r->addr, addr, n);
	return r;
}

/* An address as a bounce writes it: "<a@b>", "rfc822; a@b", "a@b". */
static void clean_addr(char *a)
{
	char *p = a, *semi = strchr(a, ';');
	size_t n;

	if (semi)
		p = semi + 1;
	while (*p == ' ' || *p == '<')
		p++;
	n = strcspn(p, "> ");
	memmove(a, p, n);
	a[n] = '\0';
}

static void set_diag(struct ctx *c, struct bounce_recipient *r, const char *p,
		     size_t n)
{
	if (n > BOUNCE_DIAG_MAX)
		n = BOUNCE_DIAG_MAX;
	free(r->diagnostic);
	r->diagnostic = malloc(n + 1);
	if (!r->diagnostic) {
		c->oom = 1;
		return;
	}
	memcpy(r->diagnostic, p, n);
	r->diagnostic[n] = '\0';
}

/* ---- RFC 3464 ---- */

/* The value of field name in block [p, end), its continuation lines kept
 * as lines of their own (a folded multi-line reply stays multi-line). */
static int dsn_field(const char *p, const char *end, const char *name,
		     const char **vp, const char **ve)
{
	size_t nlen = strlen(name);

	while (p < end) {
		const char *e = line_end(p, end);

		if ((size_t)(e - p) > nlen && p[nlen] == ':' &&
		    starts_n(p, e, name)) {
			*vp = skip_ws(p + nlen + 1, e);
			for (p = next_line(p, end); p < end;
			     p = next_line(p, end)) {
				const char *le = line_end(p, end);
				if ((*p != ' ' && *p != '\t') ||
				    blank_line(p, le))
					break;
				e = le;
			}
			*ve = e;
			return 1;
		}
		p = next_line(p, end);
	}
	return 0;
}

static int dsn_short(const char *p, const char *end, const char *name, char *v,
		     size_t vsz)
{
	const char *vp, *ve;

	if (!dsn_field(p, end, name, &vp, &ve))
		return 0;
	copy_trim(v, vsz, vp, (size_t)(line_end(vp, ve) - vp));
	return 1;
}

static void dsn_block(struct ctx *c, const char *p, const char *end)
{
	char fin[BOUNCE_ADDR_MAX + 1] = "", orig[BOUNCE_ADDR_MAX + 1] = "";
	char status[64] = "", action[64] = "", mta[BOUNCE_HOST_MAX + 1] = "";
	const char *dp, *de;
	struct bounce_recipient *r;
	size_t n;

	dsn_short(p, end, "Final-Recipient", fin, sizeof fin);
	dsn_short(p, end, "Original-Recipient", orig, sizeof orig);
	if (!fin[0] && !orig[0])
		return; /* the per-message block */
	dsn_short(p, end, "Action", action, sizeof action);
	dsn_short(p, end, "Status", status, sizeof status);
	for (n = 0; action[n]; n++)
		action[n] = (char)lower((unsigned char)action[n]);
	if (action[0] && !starts(action, "failed") &&
	    !starts(action, "delayed"))
		return; /* delivered, relayed, expanded */
	if (!action[0] && status[0] != '4' && status[0] != '5')
		return;
	clean_addr(fin);
	clean_addr(orig);
	r = add_rcpt(c, fin[0] ? fin : orig, strlen(fin[0] ? fin : orig));
	if (!r)
		return;
	snprintf(r->orig, sizeof r->orig, "%s", orig);
	n = strcspn(action, " ;(");
	copy_trim(r->action, sizeof r->action, action, n);
	if (reply_enhanced(status, strlen(status), status[0] - '0',
			   r->status) == 0)
		r->status[0] = '\0';
	if (dsn_short(p, end, "Remote-MTA", mta, sizeof mta)) {
		clean_addr(mta);
		snprintf(r->remote_mta, sizeof r->remote_mta, "%s", mta);
	}
	if (dsn_field(p, end, "Diagnostic-Code", &dp, &de))
		set_diag(c, r, dp, (size_t)(de - dp));
}

static void parse_dsn(struct ctx *c, const char *p, const char *end)
{
	size_t before = c->b->n;

	while (p < end) {
		const char *bs, *be;

		while (p < end && blank_line(p, line_end(p, end)))
			p = next_line(p, end);
		bs = p;
		while (p < end && !blank_line(p, line_end(p, end)))
			p = next_line(p, end);
		be = p;
		if (be > bs)
			dsn_block(c, bs, be);
	}
	if (c->b->n > before && c->b->format == BF_NONE)
		c->b->format = BF_DSN;
}

/* ---- MIME ---- */

static void keep_text(struct ctx *c, char *t)
{
	char **nt;

	if (!t) {
		c->oom = 1;
		return;
	}
	nt = realloc(c->texts, (c->ntexts + 1) * sizeof *nt);
	if (!nt) {
		free(t);
		c->oom = 1;
		return;
	}
	c->texts = nt;
	c->texts[c->ntexts++] = t;
}

/* A part that is a header block and a body: [p, end). */
static void part(struct ctx *c, const char *p, const char *end, int depth,
		 int has_headers);

static void multipart(struct ctx *c, const char *p, const char *end,
		      const char *bd, int depth)
{
	size_t bl = strlen(bd);
	const char *start = NULL;

	while (p < end) {
		const char *e = line_end(p, end);

		if ((size_t)(e - p) >= bl + 2 && p[0] == '-' && p[1] == '-' &&
		    memcmp(p + 2, bd, bl) == 0) {
			const char *after = p + 2 + bl;
			int last = e - after >= 2 && after[0] == '-' &&
				   after[1] == '-';

			/* "--b1" is not the boundary "b10": only "--" or
			 * white space may follow it. */
			if (!last && !blank_line(after, e)) {
				p = e < end ? e + 1 : end;
				continue;
			}

			if (start)
				part(c, start, p > start ? p - 1 : p, depth, 1);
			if (last || ++c->parts > BOUNCE_MAX_PARTS)
				return;
			start = e < end ? e + 1 : end;
		}
		p = e < end ? e + 1 : end;
	}
	if (start)
		part(c, start, end, depth, 1);
}

static void part(struct ctx *c, const char *p, const char *end, int depth,
		 int has_headers)
{
	char type[128], bd[BOUNDARY_MAX + 1];
	const char *body = has_headers ? body_of(p, end) : p;

	if (depth > BOUNCE_MAX_DEPTH || c->oom)
		return;
	if (has_headers)
		content_type(p, body, type, sizeof type, bd, sizeof bd);
	else
		type[0] = bd[0] = '\0';
	if (starts(type, "multipart/")) {
		if (bd[0])
			multipart(c, body, end, bd, depth + 1);
		return;
	}
	if (!strcmp(type, "message/delivery-status") ||
	    !strcmp(type, "message/global-delivery-status")) {
		char *t = decode_body(p, body, body, end);
		if (!t) {
			c->oom = 1;
			return;
		}
		parse_dsn(c, t, t + strlen(t));
		free(t);
		return;
	}
	if (!type[0] || !strcmp(type, "text/plain"))
		keep_text(c, has_headers ? decode_body(p, body, body, end)
					 : decode_body(p, p, p, end));
}

/* ---- plain-text formats ---- */

/* A recipient already listed (by address, ignoring case), or NULL. */
static struct bounce_recipient *listed(struct ctx *c, const char *a, size_t n)
{
	for (size_t i = 0; i < c->b->n; i++) {
		struct bounce_recipient *r = &c->b->rcpt[i];
		size_t k;

		if (strlen(r->addr) != n && strlen(r->orig) != n)
			continue;
		for (k = 0; k < n; k++)
			if (lower((unsigned char)r->addr[k]) !=
			    lower((unsigned char)a[k]))
				break;
		if (k == n && r->addr[k] == '\0')
			return r;
		for (k = 0; k < n; k++)
			if (lower((unsigned char)r->orig[k]) !=
			    lower((unsigned char)a[k]))
				break;
		if (k == n && r->orig[k] == '\0')
			return r;
	}
	return NULL;
}

/* A recipient found in text with its diagnostic: a new one, or more
 * about one the DSN listed (the text's version names the stage). */
static void text_rcpt(struct ctx *c, enum bounce_format f, const char *a,
		      size_t an, const char *d, size_t dn)
{
	struct bounce_recipient *r;

	if (an == 0 || an > BOUNCE_ADDR_MAX || !memchr(a, '@', an))
		return;
	r = listed(c, a, an);
	if (r) {
		if (dn &&
		    (!r->diagnostic || find_n(d, d + dn, "(in reply to ") ||
		     find_n(d, d + dn, " after ")))
			set_diag(c, r, d, dn);
		return;
	}
	if (c->b->format != BF_NONE && c->b->format != f &&
	    c->b->format != BF_DSN)
		f = c->b->format;
	r = add_rcpt(c, a, an);
	if (!r)
		return;
	if (c->b->format == BF_NONE)
		c->b->format = f;
	if (dn)
		set_diag(c, r, d, dn);
}

/* An address on a line of its own ("  bob@example.org", "<bob@x>"). */
static int bare_addr(const char *p, const char *e, const char **ap, size_t *an)
{
	p = skip_ws(p, e);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == ':'))
		e--;
	if (p < e && *p == '<' && e[-1] == '>')
		p++, e--;
	if (e <= p || (size_t)(e - p) > BOUNCE_ADDR_MAX ||
	    !memchr(p, '@', (size_t)(e - p)))
		return 0;
	for (const char *q = p; q < e; q++)
		if (*q == ' ' || *q == '\t' || *q == '<' || *q == '>')
			return 0;
	*ap = p;
	*an = (size_t)(e - p);
	return 1;
}

/* Postfix and qmail: "<rcpt>: text" at the start of a line, and the lines
 * after it up to an empty line or the next such line. */
static void scan_angle(struct ctx *c, const char *t, const char *end)
{
	enum bounce_format f =
	    find_n(t, end, "qmail-send program") ? BF_QMAIL : BF_POSTFIX;

	for (const char *p = t; p < end;) {
		const char *e = line_end(p, end), *gt, *colon, *ds, *q;

		if (*p != '<' || !(gt = memchr(p, '>', (size_t)(e - p)))) {
			p = next_line(p, end);
			continue;
		}
		colon = memchr(gt, ':', (size_t)(e - gt));
		/* "<a> (expanded from <b>): ..." */
		if (!colon || (colon != gt + 1 &&
			       !starts_n(gt + 1, e, " (expanded from"))) {
			p = next_line(p, end);
			continue;
		}
		ds = skip_ws(colon + 1, e);
		for (q = next_line(p, end); q < end; q = next_line(q, end)) {
			const char *qe = line_end(q, end);
			if (blank_line(q, qe) || *q == '<' ||
			    starts_n(q, qe, "Giving up on "))
				break;
		}
		text_rcpt(c, f, p + 1, (size_t)(gt - p - 1), ds,
			  (size_t)((q > ds ? q : ds) - ds));
		p = q;
	}
}

/* Exim: after "...address(es) failed:", "  rcpt" and its indented
 * details. */
static void scan_exim(struct ctx *c, const char *t, const char *end)
{
	const char *p = find_n(t, end, "address(es) failed:");

	if (!p)
		p = find_n(t, end, "could not be delivered to one or more");
	if (!p)
		return;
	for (p = next_line(p, end); p < end;) {
		const char *e = line_end(p, end), *a, *q, *ds;
		size_t an, indent = (size_t)(skip_ws(p, e) - p);

		if (starts_n(p, e, "------ ") ||
		    starts_n(p, e, "Reporting-MTA"))
			return;
		if (indent == 0 || !bare_addr(p, e, &a, &an)) {
			p = next_line(p, end);
			continue;
		}
		ds = next_line(p, end);
		for (q = ds; q < end; q = next_line(q, end)) {
			const char *qe = line_end(q, end);
			if (blank_line(q, qe) ||
			    (size_t)(skip_ws(q, qe) - q) <= indent)
				break;
		}
		/* The details without their indentation: each is a line of
		 * its own ("host X [ip]", the SMTP error, the reply). */
		{
			char d[BOUNCE_DIAG_MAX];
			size_t o = 0;

			for (const char *l = ds; l < q && o < sizeof d - 1;
			     l = next_line(l, q)) {
				const char *ls = skip_ws(l, q),
					   *le = line_end(l, q);
				if (o)
					d[o++] = '\n';
				while (ls < le && o < sizeof d - 1)
					d[o++] = *ls++;
			}
			text_rcpt(c, BF_EXIM, a, an, d, o);
		}
		p = q;
	}
}

/* Exchange: the recipient on a line of its own, then "Remote Server
 * returned '...'" or "#550 5.1.1 ... ##". */
static void scan_exchange(struct ctx *c, const char *t, const char *end)
{
	const char *a = NULL;
	size_t an = 0;

	for (const char *p = t; p < end; p = next_line(p, end)) {
		const char *e = line_end(p, end), *s = skip_ws(p, e);
		const char *na;
		size_t nn;

		if (starts_n(s, e, "Remote Server returned ")) {
			if (a)
				text_rcpt(c, BF_EXCHANGE, a, an, s,
					  (size_t)(e - s));
			a = NULL;
		} else if (*s == '#' && e - s > 4 &&
			   isdigit((unsigned char)s[1])) {
			const char *de = e;
			while (de > s && (de[-1] == '#' || de[-1] == ' '))
				de--;
			if (a && de > s + 1)
				text_rcpt(c, BF_EXCHANGE, a, an, s + 1,
					  (size_t)(de - s - 1));
			a = NULL;
		} else if (bare_addr(p, e, &na, &nn)) {
			a = na, an = nn;
		} else if (!blank_line(p, e) && a &&
			   !starts_n(s, e, "Generating server")) {
			/* Only the line right after the address counts. */
			a = NULL;
		}
	}
}

/* Gmail: the recipients after "Delivery to the following recipient...",
 * or in "Your message wasn't delivered to X", and the reply after "The
 * error that the other server returned was:" or "The response from the
 * remote server was:" (or "The response was:"). */
static void scan_gmail(struct ctx *c, const char *t, const char *end)
{
	static const char *const intro[] = {
	    "The error that the other server returned was:",
	    "The response from the remote server was:",
	    "The response was:",
	};
	const char *rcpt[8];
	size_t rn[8], nr = 0;
	const char *d = NULL, *de = NULL, *p, *mta, *q = NULL;

	p = find_n(t, end, "Delivery to the following recipient");
	if (p) {
		for (p = next_line(p, end); p < end && nr < 8;
		     p = next_line(p, end)) {
			const char *e = line_end(p, end);
			if (blank_line(p, e)) {
				if (nr)
					break;
				continue;
			}
			if (!bare_addr(p, e, &rcpt[nr], &rn[nr]))
				break;
			nr++;
		}
	}
	p = find_n(t, end, "wasn't delivered to ");
	if (!p)
		p = find_n(t, end, "was not delivered to ");
	if (!p)
		p = find_n(t, end, "Your message to ");
	if (!nr && p) {
		const char *s = find_n(p, end, " to ") + 4;
		const char *e = line_end(s, end), *w = s;
		while (w < e && *w != ' ')
			w++;
		rcpt[0] = s, rn[0] = (size_t)(w - s), nr = 1;
	}
	if (!nr)
		return;
	for (size_t i = 0; i < sizeof intro / sizeof intro[0] && !d; i++) {
		p = find_n(t, end, intro[i]);
		if (!p)
			continue;
		p = next_line(p, end);
		while (p < end && blank_line(p, line_end(p, end)))
			p = next_line(p, end);
		d = p;
		while (p < end && !blank_line(p, line_end(p, end)))
			p = next_line(p, end);
		de = p > d && p[-1] == '\n' ? p - 1 : p;
	}
	/* "...for the recipient domain example.org by mx.example.org.
	 * [192.0.2.1]." names the remote MTA. */
	mta = find_n(t, end, "for the recipient domain ");
	if (mta) {
		const char *le = line_end(mta, end);
		mta = find_n(mta, le, " by ");
		if (mta) {
			mta += 4;
			for (q = mta; q < le && *q != ' ' && *q != '['; q++)
				;
			while (q > mta && q[-1] == '.')
				q--;
		}
	}
	for (size_t i = 0; i < nr; i++) {
		struct bounce_recipient *r;

		text_rcpt(c, BF_GMAIL, rcpt[i], rn[i], d ? d : "",
			  d ? (size_t)(de - d) : 0);
		r = listed(c, rcpt[i], rn[i]);
		if (r && mta && q > mta && !r->remote_mta[0])
			copy_trim(r->remote_mta, sizeof r->remote_mta, mta,
				  (size_t)(q - mta));
	}
}

static void scan_text(struct ctx *c, const char *t)
{
	const char *end = t + strlen(t);

	if (find_n(t, end, "Delivery to the following recipient") ||
	    find_n(t, end, "wasn't delivered to ") ||
	    find_n(t, end, "was not delivered to ") ||
	    find_n(t, end, "Your message to "))
		scan_gmail(c, t, end);
	scan_exim(c, t, end);
	scan_exchange(c, t, end);
	scan_angle(c, t, end);
}

/* ---- the message ---- */

int bounce_parse(const char *buf, size_t len, struct bounce *out)
{
	struct ctx c = {out, 0, 0, NULL, 0};
	char *m, *o;
	const char *end, *body;

	memset(out, 0, sizeof *out);
	if (len > BOUNCE_MAX_BYTES) {
		len = BOUNCE_MAX_BYTES;
		out->truncated = 1;
	}
	m = malloc(len + 1);
	if (!m)
		return -1;
	o = m;
	for (size_t i = 0; i < len; i++) {
		char ch = buf[i];

		if (ch == '\r') {
			if (i + 1 < len && buf[i + 1] == '\n')
				continue;
			ch = '\n';
		}
		*o++ = ch ? ch : ' ';
	}
	*o = '\0';
	end = o;
	/* A message with headers, or a pasted body (a DSN part, a bounce's
	 * text) without them. */
	if (m < end && header_line(m, line_end(m, end))) {
		char type[128], bd[BOUNDARY_MAX + 1];

		body = body_of(m, end);
		content_type(m, body, type, sizeof type, bd, sizeof bd);
		if (!type[0] && (find_n(m, body, "\nFinal-Recipient:") ||
				 starts_n(m, body, "Final-Recipient:") ||
				 find_n(m, body, "\nOriginal-Recipient:") ||
				 starts_n(m, body, "Reporting-MTA:")))
			parse_dsn(&c, m, end);
		else
			part(&c, m, end, 0, 1);
	} else {
		part(&c, m, end, 0, 0);
	}
	for (size_t i = 0; i < c.ntexts; i++) {
		if (!c.oom)
			scan_text(&c, c.texts[i]);
		free(c.texts[i]);
	}
	free(c.texts);
	free(m);
	return c.oom ? -1 : 0;
}

void bounce_free(struct bounce *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->rcpt[i].diagnostic);
	free(b->rcpt);
	b->rcpt = NULL;
	b->n = 0;
}
