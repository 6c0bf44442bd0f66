/*
 * batch.c - see batch.h. The loop: take lines while there is room for
 * more targets; poll the DNS pool, the input (when a pipe or a terminal
 * and a line is wanted) and every run; hand each what poll saw; write
 * the document of every run that has finished and free it.
 */
#include "smtpprobe/batch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "smtpprobe/addr.h"
#include "smtpprobe/batch_reader.h"
#include "smtpprobe/cli.h"
#include "smtpprobe/dnspool.h"
#include "smtpprobe/group.h"
#include "smtpprobe/interpreter.h"
#include "smtpprobe/loop.h"
#include "smtpprobe/record.h"
#include "smtpprobe/report.h"
#include "smtpprobe/sanitize.h"
#include "smtpprobe/tlsconn.h"
#include "smtpprobe/words.h"

#define STR_(x) #x
#define STR(x)	STR_(x)

#define READ_CHUNK	   65536
#define PROGRESS_EVERY_MS  250
#define GROUPS_PER_CONNECT 2 /* groups under way per --concurrency */
/* Targets read ahead per --concurrency: enough to fill a quarter of the
 * connections with full groups of one domain, few enough that a list of
 * a thousand already takes all the memory a run ever takes. */
#define LOOKAHEAD_PER_CONNECT 8

/* A target of the list. */
struct member {
	struct probe_target t;
	unsigned long line;
	int tries; /* transactions it was in (a "too many recipients") */
};

/* A group under way (group.h): targets of one domain, one run. While
 * run is NULL it is still forming: lines of its domain join it. */
struct slot {
	struct member m[GROUP_TARGETS_MAX];
	const struct probe_target *more[GROUP_TARGETS_MAX - 1];
	size_t n;
	int solo; /* a target asked again: nothing joins it */
	struct run_record rec;
	struct run *run;
	int pfd_off, pfd_n; /* its slice of the poll array this turn */
};

/* A target sent on to a transaction of its own at most this often. */
#define GROUP_TRIES_MAX 3

struct batch {
	const struct config *cfg;
	FILE *out, *err;
	struct run_shared sh;
	/* the input */
	int fd, own_fd, regular, restore_flags, saved_flags;
	struct batch_reader rd;
	unsigned char *chunk;
	int chunk_live; /* the reader still holds part of chunk */
	int eof;
	/* targets under way */
	struct slot **slots;
	size_t nslots, maxslots;
	/* Slots done with, kept for the next targets: a record is large,
	 * and its pages stay mapped rather than come and go per target. */
	struct slot **spare;
	size_t nspare;
	/* Targets read and not yet reported, and the most there may be. */
	size_t under_way, lookahead;
	/* Targets a "too many recipients" sent back, and one line read that
	 * found no room yet: placed before the next line is read. */
	struct member *again;
	size_t nagain, capagain;
	struct member held;
	int have_held;
	struct pollfd *pfds;
	size_t npfds_cap;
	/* counts, for the progress line */
	unsigned long total; /* targets in a regular file, 0 unknown */
	unsigned long done;
	unsigned long by_outcome[VERDICT__COUNT];
	int progress;
	long started_ms, last_progress_ms;
	int write_failed, write_errno;
	int oom;	 /* out of memory: the run stopped */
	int input_error; /* reading the list failed */
};

/* ---- output ---- */

static void emit(struct batch *b, const struct run_record *rec,
		 unsigned long line)
{
	if (b->write_failed)
		return;
	if (report_json_line(b->out, rec, line) < 0 || fflush(b->out) != 0) {
		b->write_failed = 1;
		b->write_errno = errno;
		return;
	}
	b->done++;
	if ((unsigned)rec->overall.outcome < VERDICT__COUNT)
		b->by_outcome[rec->overall.outcome]++;
}

/* The document for a line that is no target: nothing was asked. */
static void emit_bad_line(struct batch *b, const struct batch_line *l,
			  const struct probe_target *t, const char *why)
{
	struct run_record *rec = calloc(1, sizeof *rec);
	struct verdict *v;

	if (!rec) {
		b->write_failed = b->oom = 1;
		return;
	}
	record_init(rec, b->cfg, t);
	rec->dns.status = DNS_NOT_ASKED;
	rec->policy.mode = b->cfg->tls_policy;
	rec->policy.resolver_validates = -1;
	v = &rec->overall;
	v->outcome = VERDICT_BAD_ADDRESS;
	v->exit_status = verdict_exit_status(VERDICT_BAD_ADDRESS);
	v->reason = VR_BAD_ADDRESS;
	v->deciding_probe = -1;
	v->detail = why;
	words_render(rec);
	emit(b, rec, l->input_line);
	record_free(rec);
	free(rec);
}

/* ---- progress ---- */

static void show_progress(struct batch *b, long now, int last)
{
	double secs = (double)(now - b->started_ms) / 1000.0;
	double rate = secs > 0 ? (double)b->done / secs : 0;
	char line[512];
	size_t len = 0;

	if (!b->progress ||
	    (!last && now - b->last_progress_ms < PROGRESS_EVERY_MS))
		return;
	b->last_progress_ms = now;
	len = text_appendf(line, sizeof line, len, "smtpprobe: %lu", b->done);
	if (b->total)
		len = text_appendf(line, sizeof line, len, "/%lu", b->total);
	len = text_appendf(line, sizeof line, len, " done, %.0f/s", rate);
	for (int o = 0; o < VERDICT__COUNT; o++)
		if (b->by_outcome[o])
			len = text_appendf(line, sizeof line, len, ", %s %lu",
					   verdict_outcome_name(o),
					   b->by_outcome[o]);
	if (b->total && rate > 0 && b->done < b->total && !last) {
		long eta = (long)((double)(b->total - b->done) / rate + 0.5);
		len = text_appendf(line, sizeof line, len, ", ETA %ld:%02ld",
				   eta / 60, eta % 60);
	}
	fprintf(b->err, "\r%s\033[K%s", line, last ? "\n" : "");
	fflush(b->err);
}

/* ---- input ---- */

/* Targets in a regular file, for the progress line: one streamed pass
 * of its own, the file never held. */
static unsigned long count_targets(const char *path)
{
	struct batch_reader rd;
	struct batch_line l;
	unsigned char buf[READ_CHUNK];
	unsigned long n = 0;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	batch_reader_init(&rd);
	while ((got = read(fd, buf, sizeof buf)) > 0) {
		batch_reader_feed(&rd, buf, (size_t)got);
		while (batch_reader_next(&rd, &l))
			n++;
	}
	batch_reader_eof(&rd);
	while (batch_reader_next(&rd, &l))
		n++;
	close(fd);
	return got < 0 ? 0 : n;
}

static int open_input(struct batch *b)
{
	struct stat sb;

	if (strcmp(b->cfg->batch, "-") == 0) {
		b->fd = STDIN_FILENO;
	} else {
		b->fd = open(b->cfg->batch, O_RDONLY | O_CLOEXEC);
		if (b->fd < 0) {
			fprintf(b->err,
				"smtpprobe: cannot read --batch file: %s\n",
				strerror(errno));
			return -1;
		}
		b->own_fd = 1;
	}
	b->regular = fstat(b->fd, &sb) == 0 && S_ISREG(sb.st_mode);
	if (b->regular && b->own_fd && b->progress)
		b->total = count_targets(b->cfg->batch);
	if (!b->regular) {
		/* A pipe or a terminal: read only when poll says so. */
		b->saved_flags = fcntl(b->fd, F_GETFL);
		if (b->saved_flags >= 0 && !(b->saved_flags & O_NONBLOCK) &&
		    fcntl(b->fd, F_SETFL, b->saved_flags | O_NONBLOCK) == 0)
			b->restore_flags = 1;
	}
	return 0;
}

/* Read one chunk into the reader: 1 read, 0 nothing now, -1 error. */
static int read_chunk(struct batch *b)
{
	ssize_t got = read(b->fd, b->chunk, READ_CHUNK);

	if (got > 0) {
		batch_reader_feed(&b->rd, b->chunk, (size_t)got);
		b->chunk_live = 1;
		return 1;
	}
	if (got == 0) {
		batch_reader_eof(&b->rd);
		b->chunk_live = 1;
		b->eof = 1;
		return 1;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 0;
	fprintf(b->err, "smtpprobe: reading the --batch input: %s\n",
		strerror(errno));
	b->eof = 1;
	b->input_error = 1;
	return -1;
}

/* ---- targets ---- */

static struct slot *new_slot(struct batch *b)
{
	if (b->nspare > 0)
		return b->spare[--b->nspare];
	return calloc(1, sizeof(struct slot));
}

static void drop_slot(struct batch *b, struct slot *s)
{
	if (b->nspare < b->maxslots)
		b->spare[b->nspare++] = s;
	else
		free(s);
}

/* A line as a target, in *m: 1; or 0 when it is none (its document is
 * written here). */
static int line_target(struct batch *b, const struct batch_line *l,
		       struct member *m)
{
	const char *why = NULL;
	int rc;

	memset(m, 0, sizeof *m);
	m->line = l->input_line;
	rc = cli_make_target(l->text, l->len, &m->t);
	if (l->flags & BATCH_NUL)
		why = "it holds a NUL octet";
	else if (l->flags & BATCH_TOO_LONG)
		why = "longer than " STR(BATCH_LINE_MAX) " octets";
	else if (rc)
		why = addr_strerror(rc);
	if (!why)
		return 1;
	emit_bad_line(b, l, &m->t, why);
	return 0;
}

/* Join the forming group of m's domain, or start forming a new one: 1,
 * or 0 when there is no room (m is not taken), -1 out of memory. */
static int place(struct batch *b, const struct member *m)
{
	struct slot *s = NULL;

	for (size_t i = 0; i < b->nslots && !s; i++) {
		struct slot *g = b->slots[i];
		/* A DOMAIN stops after MAIL FROM: it is a group alone. */
		if (!g->run && !g->solo && !m->tries &&
		    g->n < GROUP_TARGETS_MAX && g->m[0].t.is_address &&
		    m->t.is_address &&
		    g->m[0].t.need_smtputf8 == m->t.need_smtputf8 &&
		    strcmp(g->m[0].t.domain, m->t.domain) == 0)
			s = g;
	}
	if (!s) {
		if (b->nslots >= b->maxslots)
			return 0;
		s = new_slot(b);
		if (!s)
			return -1;
		s->n = 0;
		s->run = NULL;
		/* A target asked again goes alone: a connection, a
		 * transaction, a recipient limit of its own. */
		s->solo = m->tries > 0;
		b->slots[b->nslots++] = s;
	}
	s->m[s->n++] = *m;
	b->under_way++;
	return 1;
}

/* Every forming group starts: its record, its run. */
static int start_forming(struct batch *b)
{
	for (size_t i = 0; i < b->nslots; i++) {
		struct slot *s = b->slots[i];
		if (s->run)
			continue;
		for (size_t k = 1; k < s->n; k++)
			s->more[k - 1] = &s->m[k].t;
		record_init(&s->rec, b->cfg, &s->m[0].t);
		s->rec.more = s->more;
		s->rec.nmore = s->n - 1;
		s->run = run_new(b->cfg, &s->rec, &b->sh);
		if (!s->run) {
			record_free(&s->rec);
			return -1;
		}
	}
	return 0;
}

/* The next target to place: one held back, one sent back, or the next
 * line. 1 and *m, 0 when there is none now, -1 on a read error. */
static int next_member(struct batch *b, struct member *m)
{
	struct batch_line l;

	if (b->have_held) {
		*m = b->held;
		b->have_held = 0;
		return 1;
	}
	if (b->nagain > 0) {
		*m = b->again[--b->nagain];
		return 1;
	}
	for (;;) {
		if (b->chunk_live && batch_reader_next(&b->rd, &l)) {
			if (line_target(b, &l, m))
				return 1;
			if (b->write_failed)
				return 0;
			continue;
		}
		b->chunk_live = 0;
		if (b->eof || !b->regular)
			return 0;
		if (read_chunk(b) < 0)
			return -1;
	}
}

/* Targets while there is room: into the forming groups of their
 * domains, which then all start. */
static int take_lines(struct batch *b)
{
	struct member m;
	int rc;

	while (b->under_way < b->lookahead && !b->write_failed) {
		rc = next_member(b, &m);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
		rc = place(b, &m);
		if (rc < 0)
			return -1;
		if (rc == 0) { /* no room: it goes first next time */
			b->held = m;
			b->have_held = 1;
			break;
		}
	}
	return start_forming(b);
}

/* A target that met the transaction's recipient limit goes round again,
 * in a group (a connection) of its own making. */
static int send_back(struct batch *b, const struct member *m)
{
	if (b->nagain == b->capagain) {
		size_t cap = b->capagain ? 2 * b->capagain : 16;
		struct member *n = realloc(b->again, cap * sizeof *n);
		if (!n)
			return -1;
		b->again = n;
		b->capagain = cap;
	}
	b->again[b->nagain] = *m;
	b->again[b->nagain++].tries++;
	return 0;
}

/* Each target's document: its view of the group's record. */
static void finish_slot(struct batch *b, size_t i)
{
	struct slot *s = b->slots[i];

	for (size_t j = 0; j < s->n; j++) {
		struct run_record v;

		if (group_view(&s->rec, j, &s->m[j].t, &v) < 0) {
			b->write_failed = b->oom = 1;
			break;
		}
		interpret_record(&v);
		if ((group_too_many(&v) || group_unanswered(&v)) &&
		    s->m[j].tries + 1 < GROUP_TRIES_MAX &&
		    send_back(b, &s->m[j]) == 0) {
			group_view_free(&v);
			continue;
		}
		emit(b, &v, s->m[j].line);
		group_view_free(&v);
	}
	b->under_way -= s->n;
	run_free(s->run);
	record_free(&s->rec);
	drop_slot(b, s);
	b->slots[i] = b->slots[--b->nslots];
}

/* ---- the loop ---- */

static long until(long a, long b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

static void turn(struct batch *b)
{
	int n = dns_pool_pollfds(b->sh.dns, b->pfds, DNS_SOCKETS_CAP);
	int nd = n, in_at = -1;
	long t = dns_pool_timeout_ms(b->sh.dns);

	if (!b->regular && !b->eof && !b->chunk_live && !b->have_held &&
	    b->under_way < b->lookahead) {
		in_at = n;
		b->pfds[n].fd = b->fd;
		b->pfds[n].events = POLLIN;
		b->pfds[n++].revents = 0;
	}
	for (size_t i = 0; i < b->nslots; i++) {
		struct slot *s = b->slots[i];
		s->pfd_off = n;
		s->pfd_n = 0;
		if (!s->run)
			continue;
		s->pfd_n = run_pollfds(s->run, b->pfds + n, run_pollfds_max());
		n += s->pfd_n;
		t = until(t, run_timeout_ms(s->run));
	}
	if (b->progress)
		t = until(t, PROGRESS_EVERY_MS);
	if (poll(b->pfds, (nfds_t)n, (int)(t < 0 ? 1000 : t)) < 0) {
		/* Nothing seen: the timers and deadlines still run, so every
		 * run still ends; a failure that persists is not a spin. */
		if (errno != EINTR) {
			struct timespec nap = {0, 10 * 1000000};
			nanosleep(&nap, NULL);
		}
		for (int i = 0; i < n; i++)
			b->pfds[i].revents = 0;
	}
	dns_pool_process(b->sh.dns, b->pfds, nd);
	for (size_t i = 0; i < b->nslots; i++) {
		struct slot *s = b->slots[i];
		if (s->run)
			run_handle(s->run, b->pfds + s->pfd_off, s->pfd_n);
	}
	for (size_t i = b->nslots; i-- > 0;)
		if (b->slots[i]->run && run_done(b->slots[i]->run))
			finish_slot(b, i);
	if (in_at >= 0 && b->pfds[in_at].revents)
		read_chunk(b);
}

/* Enough descriptors for the connections asked for, the DNS sockets
 * and the policy fetches beside them, when the hard limit allows. */
static void raise_fd_limit(const struct config *cfg)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)cfg->concurrency * 2 + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
	setrlimit(RLIMIT_NOFILE, &rl);
}

static void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->nslots; i++) {
		if (b->slots[i]->run) {
			run_free(b->slots[i]->run);
			record_free(&b->slots[i]->rec);
		}
		free(b->slots[i]);
	}
	free(b->again);
	for (size_t i = 0; i < b->nspare; i++)
		free(b->spare[i]);
	free(b->spare);
	free(b->slots);
	free(b->pfds);
	free(b->chunk);
	if (b->restore_flags)
		fcntl(b->fd, F_SETFL, b->saved_flags);
	if (b->own_fd)
		close(b->fd);
	run_shared_free(&b->sh);
}

int batch_run(const struct config *cfg, FILE *out, FILE *err)
{
	struct batch b;
	char msg[256];
	int rc = EX_OK;

	memset(&b, 0, sizeof b);
	b.cfg = cfg;
	b.out = out;
	b.err = err;
	b.fd = -1;
	b.progress = isatty(fileno(err));
	batch_reader_init(&b.rd);
	raise_fd_limit(cfg);
	b.maxslots = (size_t)cfg->concurrency * GROUPS_PER_CONNECT;
	b.lookahead = (size_t)cfg->concurrency * LOOKAHEAD_PER_CONNECT;
	b.npfds_cap =
	    DNS_SOCKETS_CAP + 1 + b.maxslots * (size_t)run_pollfds_max();
	b.slots = calloc(b.maxslots, sizeof *b.slots);
	b.spare = calloc(b.maxslots, sizeof *b.spare);
	b.pfds = calloc(b.npfds_cap, sizeof *b.pfds);
	b.chunk = malloc(READ_CHUNK);
	if (!b.slots || !b.spare || !b.pfds || !b.chunk) {
		fputs("smtpprobe: out of memory\n", err);
		batch_free(&b);
		return EX_OSERR;
	}
	if (open_input(&b) < 0) {
		batch_free(&b);
		return EX_DATAERR;
	}
	if (run_shared_init(&b.sh, cfg, 1, msg, sizeof msg) < 0 ||
	    !(b.sh.ssl_ctx = tls_ctx_new(cfg->ca_file, msg, sizeof msg))) {
		fprintf(err, "smtpprobe: %s\n", msg);
		batch_free(&b);
		return EX_USAGE;
	}
	b.started_ms = run_shared_now(&b.sh);
	for (;;) {
		if (take_lines(&b) < 0) {
			if (!b.input_error)
				b.oom = 1;
			break;
		}
		if (b.write_failed)
			break;
		if (b.nslots == 0 && b.eof && !b.chunk_live && !b.nagain &&
		    !b.have_held)
			break;
		turn(&b);
		show_progress(&b, run_shared_now(&b.sh), 0);
	}
	if (b.oom) {
		rc = EX_OSERR;
		fputs("smtpprobe: out of memory: the batch stopped\n", err);
	} else if (b.write_failed) {
		rc = EX_IOERR;
		/* A reader that went away (| head) ends the run quietly. */
		if (b.write_errno != EPIPE)
			fprintf(err, "smtpprobe: writing the results: %s\n",
				strerror(b.write_errno));
	} else if (b.input_error) {
		rc = EX_IOERR; /* the message was printed when it happened */
	}
	show_progress(&b, run_shared_now(&b.sh), 1);
	batch_free(&b);
	return rc;
}
