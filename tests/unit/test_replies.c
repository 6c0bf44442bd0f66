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
 *
 * tests/data/replies-heldout.tsv has the same columns: replies from
 * provider and MTA documentation that no pattern was written against.
 * It is measured, not fitted: its accuracy is printed on its own and the
 * test fails below HELDOUT_PERCENT, but a miss there is not fixed by a
 * pattern for that line.
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
/* Replies no pattern was written against: measured, not fitted. */
#define HELDOUT_FILE	TEST_DATA_DIR "/replies-heldout.tsv"
#define HELDOUT_MIN	30
#define HELDOUT_PERCENT 90
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

static struct table tab, held;

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

static int load_file(const char *path, struct table *t)
{
	FILE *f = fopen(path, "r");
	char line[LINE_MAX_LEN];
	int lineno = 0;

	memset(t, 0, sizeof *t);
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		char *field[4];
		size_t len = strlen(line);
		int nf = 0;

		lineno++;
		if (len == sizeof line - 1 && line[len - 1] != '\n') {
			note(&t->problems, &t->problems_len,
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
			note(&t->problems, &t->problems_len,
			     "line %d: expected 4 tab-separated fields\n",
			     lineno);
			continue;
		}
		struct row *r = realloc(t->rows, (t->n + 1) * sizeof *r);
		assert_non_null(r);
		t->rows = r;
		r = &t->rows[t->n++];
		r->lineno = lineno;
		r->stage = dup_str(field[0]);
		r->reply = dup_str(field[1]);
		r->expected = dup_str(field[2]);
		r->source = dup_str(field[3]);
	}
	fclose(f);
	return 0;
}

static int load_table(void **state)
{
	(void)state;
	if (load_file(REPLIES_FILE, &tab) < 0)
		return -1;
	return load_file(HELDOUT_FILE, &held);
}

static void free_one(struct table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->rows[i].stage);
		free(t->rows[i].reply);
		free(t->rows[i].expected);
		free(t->rows[i].source);
	}
	free(t->rows);
	free(t->problems);
	memset(t, 0, sizeof *t);
}

static int free_table(void **state)
{
	(void)state;
	free_one(&tab);
	free_one(&held);
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

/* The held-out file: well formed, at least HELDOUT_MIN rows, none also
 * in replies.tsv, and at least HELDOUT_PERCENT % classified as expected
 * (through explain_parse for "-" rows). Its misses are listed, not
 * fixed one by one. */
static void test_heldout(void **state)
{
	size_t ok = 0, n = 0;

	(void)state;
	if (held.problems) {
		fputs(held.problems, stdout);
		fail_msg("%s is malformed", HELDOUT_FILE);
	}
	for (size_t i = 0; i < held.n; i++) {
		const struct row *r = &held.rows[i];
		int st = stage_of(r->stage), cat = category_of(r->expected);
		struct interpretation in;
		int got = -1;

		if (st == -2 || cat < 0 || !r->source[0])
			fail_msg("%s line %d: bad stage, category or source",
				 HELDOUT_FILE, r->lineno);
		for (size_t k = 0; k < tab.n; k++)
			if (strcmp(tab.rows[k].reply, r->reply) == 0)
				fail_msg("%s line %d is also in %s: it was "
					 "fitted, not held out",
					 HELDOUT_FILE, r->lineno, REPLIES_FILE);
		n++;
		if (st == -1) {
			struct explanation e;
			char *plain = unescape(r->reply);

			if (explain_parse(plain, &e) == 0)
				got = (int)e.in.category;
			explanation_free(&e);
			free(plain);
		} else {
			struct reply *rep = parse_reply(r->reply);

			if (rep) {
				interpret_reply((enum stage)st, rep, &in);
				got = (int)in.category;
				reply_free(rep);
			}
		}
		if (got == cat)
			ok++;
		else
			print_message("held out, line %d: %s\n    expected %s, "
				      "got %s (%s)\n",
				      r->lineno, r->reply, r->expected,
				      got < 0 ? "(refused)"
					      : category_name((enum category)got),
				      r->source);
	}
	print_message("held out: %zu of %zu classified as expected (%.1f%%)\n",
		      ok, n, n ? 100.0 * (double)ok / (double)n : 0.0);
	if (n < HELDOUT_MIN)
		fail_msg("only %zu held-out rows, want at least %d", n,
			 HELDOUT_MIN);
	if (ok * 100 < n * HELDOUT_PERCENT)
		fail_msg("held-out accuracy %zu/%zu is below %d%%", ok, n,
			 HELDOUT_PERCENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_well_formed),
	    cmocka_unit_test(test_every_reply_classifies),
	    cmocka_unit_test(test_explain_agrees),
	    cmocka_unit_test(test_heldout),
	};

	return cmocka_run_group_tests(tests, load_table, free_table);
}
