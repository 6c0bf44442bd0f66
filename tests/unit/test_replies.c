/*
 * test_replies.c - the interpreter against real-world replies.
 *
 * tests/data/replies.tsv holds reply lines taken from public documentation,
 * bug reports and mailing lists, one per line:
 *
 *   stage <TAB> reply <TAB> expected_category <TAB> source
 *
 * stage is a stage name ("banner", "ehlo", "mail", "rcpt", ...) or "-" for
 * a reply read without context (--explain); reply is the wire text, lines
 * of a multi-line reply joined with the two characters "\n" (a literal
 * backslash is written "\\"). Each reply goes through the real parser and
 * the real interpreter; every mismatch is listed (line, reply, expected,
 * got), not only the first, and the per-category counts are printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpprobe/interpreter.h"
#include "smtpprobe/reply.h"
#include "smtpprobe/types.h"

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must be defined by the build"
#endif

#define REPLIES_FILE TEST_DATA_DIR "/replies.tsv"
#define MIN_REPLIES  200
#define LINE_MAX_LEN 8192

struct row {
	int lineno;
	char *stage;
	char *reply; /* as written in the file, escapes intact */
	char *expected;
	char *source;
};

struct table {
	struct row *rows;
	size_t n;
	char *problems; /* malformed lines, reported by the first test */
	size_t problems_len;
};

static struct table tab;

static void note(char **buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	char tmp[LINE_MAX_LEN + 256];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof tmp)
		n = (int)sizeof tmp - 1;
	char *p = realloc(*buf, *len + (size_t)n + 1);
	assert_non_null(p);
	memcpy(p + *len, tmp, (size_t)n + 1);
	*buf = p;
	*len += (size_t)n;
}

static char *dup_str(const char *s)
{
	char *d = strdup(s);

	assert_non_null(d);
	return d;
}

static int load_table(void **state)
{
	FILE *f = fopen(REPLIES_FILE, "r");
	char line[LINE_MAX_LEN];
	int lineno = 0;

	(void)state;
	memset(&tab, 0, sizeof tab);
	if (!f) {
		fprintf(stderr, "cannot open %s\n", REPLIES_FILE);
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		char *field[4];
		size_t len = strlen(line);
		int nf = 0;

		lineno++;
		if (len == sizeof line - 1 && line[len - 1] != '\n') {
			note(&tab.problems, &tab.problems_len,
			     "line %d: longer than %d bytes\n", lineno,
			     LINE_MAX_LEN);
			fclose(f);
			return 0;
		}
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (lineno == 1 || len == 0 || line[0] == '#')
			continue; /* header, blank or comment */
		field[0] = line;
		for (char *p = line; *p && nf < 3; p++) {
			if (*p == '\t') {
				*p = '\0';
				field[++nf] = p + 1;
			}
		}
		if (nf != 3 || strchr(field[3], '\t')) {
			note(&tab.problems, &tab.problems_len,
			     "line %d: expected 4 tab-separated fields\n",
			     lineno);
			continue;
		}
		struct row *r = realloc(tab.rows, (tab.n + 1) * sizeof *r);
		assert_non_null(r);
		tab.rows = r;
		r = &tab.rows[tab.n++];
		r->lineno = lineno;
		r->stage = dup_str(field[0]);
		r->reply = dup_str(field[1]);
		r->expected = dup_str(field[2]);
		r->source = dup_str(field[3]);
	}
	fclose(f);
	return 0;
}

static int free_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < tab.n; i++) {
		free(tab.rows[i].stage);
		free(tab.rows[i].reply);
		free(tab.rows[i].expected);
		free(tab.rows[i].source);
	}
	free(tab.rows);
	free(tab.problems);
	memset(&tab, 0, sizeof tab);
	return 0;
}

/* The file's reply as text: "\n" escapes become line ends. */
static char *unescape(const char *s)
{
	size_t n = strlen(s), o = 0;
	char *t = malloc(n + 1);

	assert_non_null(t);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && (s[i + 1] == 'n' || s[i + 1] == '\\')) {
			t[o++] = s[i + 1] == 'n' ? '\n' : '\\';
			i++;
		} else {
			t[o++] = s[i];
		}
	}
	t[o] = '\0';
	return t;
}

/* Parse as --explain does (reply_parse_text), but a malformed line in
 * the data file is an error of the file, not a reply. */
static struct reply *parse_reply(const char *text)
{
	char *plain = unescape(text);
	enum rp_error err;
	struct reply *r = reply_parse_text(plain, &err);

	free(plain);
	if (r && err != RPE_NONE) {
		reply_free(r);
		r = NULL;
	}
	return r;
}

/* -1 for "-" (no context), -2 for a name that is not a stage. */
static int stage_of(const char *name)
{
	if (strcmp(name, "-") == 0)
		return -1;
	for (int s = 0; s < STAGE__COUNT; s++)
		if (strcmp(stage_name((enum stage)s), name) == 0)
			return s;
	return -2;
}

static int category_of(const char *name)
{
	for (int c = 0; c < CAT__COUNT; c++)
		if (strcmp(category_name((enum category)c), name) == 0)
			return c;
	return -1;
}

static void test_table_well_formed(void **state)
{
	char *bad = NULL;
	size_t badlen = 0;

	(void)state;
	if (tab.problems)
		note(&bad, &badlen, "%s", tab.problems);
	for (size_t i = 0; i < tab.n; i++) {
		const struct row *r = &tab.rows[i];

		if (stage_of(r->stage) == -2)
			note(&bad, &badlen, "line %d: unknown stage \"%s\"\n",
			     r->lineno, r->stage);
		if (category_of(r->expected) < 0)
			note(&bad, &badlen,
			     "line %d: \"%s\" is not a category of smtpprobe-json(5)\n",
			     r->lineno, r->expected);
		if (!r->reply[0])
			note(&bad, &badlen, "line %d: empty reply\n",
			     r->lineno);
		if (!r->source[0])
			note(&bad, &badlen, "line %d: no source given\n",
			     r->lineno);
		for (size_t k = 0; k < i; k++)
			if (strcmp(tab.rows[k].reply, r->reply) == 0 &&
			    strcmp(tab.rows[k].stage, r->stage) == 0)
				note(&bad, &badlen,
				     "line %d: same reply and stage as line "
				     "%d\n",
				     r->lineno, tab.rows[k].lineno);
	}
	if (tab.n < MIN_REPLIES)
		note(&bad, &badlen, "only %zu replies, want at least %d\n",
		     tab.n, MIN_REPLIES);
	if (bad) {
		fputs(bad, stdout);
		fflush(stdout);
		free(bad);
		fail_msg("%s is malformed (see above)", REPLIES_FILE);
	}
}

static void test_every_reply_classifies(void **state)
{
	size_t want[CAT__COUNT] = {0}, got_ok = 0, nbad = 0;
	char *bad = NULL;
	size_t badlen = 0;

	(void)state;
	for (size_t i = 0; i < tab.n; i++) {
		const struct row *r = &tab.rows[i];
		int st = stage_of(r->stage), cat = category_of(r->expected);
		struct reply *rep;
		struct interpretation in;

		if (st == -2 || cat < 0)
			continue; /* reported by test_table_well_formed */
		want[cat]++;
		rep = parse_reply(r->reply);
		if (!rep) {
			nbad++;
			note(&bad, &badlen,
			     "line %d: %s\n    did not parse as a reply\n",
			     r->lineno, r->reply);
			continue;
		}
		if (st == -1)
			interpret_reply_nostage(rep, &in);
		else
			interpret_reply((enum stage)st, rep, &in);
		if ((int)in.category != cat) {
			nbad++;
			note(&bad, &badlen,
			     "line %d [%s]: %s\n    expected %s, got %s "
			     "(%s)\n",
			     r->lineno, r->stage, r->reply, r->expected,
			     category_name(in.category), r->source);
		} else if (!in.explanation || !in.explanation[0] ||
			   !in.remediation || !in.remediation[0]) {
			nbad++;
			note(&bad, &badlen,
			     "line %d: %s\n    no explanation or remedy\n",
			     r->lineno, r->reply);
		} else {
			got_ok++;
		}
		reply_free(rep);
	}

	print_message("%zu replies in %s, %zu classified as expected\n", tab.n,
		      REPLIES_FILE, got_ok);
	print_message("per expected category:\n");
	for (int c = 0; c < CAT__COUNT; c++)
		if (want[c])
			print_message("  %-20s %zu\n",
				      category_name((enum category)c), want[c]);
	if (nbad) {
		/* print_message has no length limit (print_error cuts at 1
		 * KiB), and every mismatch must be seen, not only the first. */
		print_message("%zu mismatches:\n", nbad);
		fputs(bad, stdout);
		fflush(stdout);
		free(bad);
		fail_msg("%zu of %zu replies misclassified (listed above)",
			 nbad, tab.n);
	}
}

/* The rows read without context ("-") give the same category through
 * --explain's reader (explain_parse), which peels what people paste. */
static void test_explain_agrees(void **state)
{
	size_t nbad = 0, nrows = 0;

	(void)state;
	for (size_t i = 0; i < tab.n; i++) {
		const struct row *r = &tab.rows[i];
		int cat = category_of(r->expected);
		struct explanation e;
		char *plain;

		if (stage_of(r->stage) != -1 || cat < 0)
			continue;
		nrows++;
		plain = unescape(r->reply);
		if (explain_parse(plain, &e) != 0) {
			nbad++;
			print_message("line %d: refused by explain_parse\n",
				      r->lineno);
		} else if ((int)e.in.category != cat) {
			nbad++;
			print_message("line %d: explain_parse says %s, want "
				      "%s\n",
				      r->lineno, category_name(e.in.category),
				      r->expected);
		}
		explanation_free(&e);
		free(plain);
	}
	print_message("%zu context-free rows through explain_parse, %zu "
		      "differ\n",
		      nrows, nbad);
	if (nbad)
		fail_msg("%zu rows differ through explain_parse", nbad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_well_formed),
	    cmocka_unit_test(test_every_reply_classifies),
	    cmocka_unit_test(test_explain_agrees),
	};

	return cmocka_run_group_tests(tests, load_table, free_table);
}
