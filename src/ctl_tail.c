/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "ctl.h"
#include "logset.h"
#include "tailline.h"

/*
 * ekahookctl(1) tail: one line for a person per accepted event,
 * rejected request, hook run and alert, from log_file, reject_file and
 * hook_log in time order; with -f the logs are followed through
 * rotation.  The lines are made by tailline.h, which lets no raw
 * control character through.
 */

#define TAIL_LINES	10	/* printed without -f */
#define TAIL_POLL_NS	200000000L /* -f: the logs looked at 5 times a second */
#define TAIL_BATCH	4096	/* -f: lines held at once, the rest next time */

enum { SRC_EVENTS, SRC_REJECTS, SRC_HOOKS, SRC_N };

/* A line of a log, kept until it is printed. */
struct entry {
	long long	 ms;		/* received_at or finished_at */
	int		 src;
	unsigned long long order;	/* in its log */
	char		*line;
	size_t		 len;
	struct buf	 text;		/* as printed; empty: not ours */
};

/* One of the logs, and the file of it being read. */
struct src {
	const char	*path;		/* NULL: none (reject_file empty) */
	int		 fd;		/* held across a rename; -1: none */
	long long	 off;		/* after its last complete line */
	bool		 said;		/* an error was said on stderr */
};

struct tail {
	struct conf	 c;
	struct src	 src[SRC_N];
	struct entry	*pend;		/* lines read, not printed yet */
	size_t		 npend, cap;
	unsigned long long seq;		/* order of the lines -f reads */
};

/* Where logset_lines hands a log's lines. */
struct reader {
	struct tail	*t;
	int		 src;
	unsigned long long order;
	bool		 last_only;	/* keep only the last `need` in ring */
	size_t		 need, count;
	struct entry	 ring[TAIL_LINES];
};

static volatile sig_atomic_t stop;

static int	 tail_usage(void);
static void	 on_signal(int);
static void	 pend_add(struct tail *, const struct entry *);
static bool	 take_line(const char *, size_t, void *);
static size_t	 ring_flush(struct reader *);
static bool	 read_held(struct src *, struct reader *);
static int	 last_lines(struct tail *, int);
static bool	 catch_up(struct tail *, struct src *, struct reader *);
static bool	 follow_src(struct tail *, int);
static void	 follow_logs(struct tail *);
static int	 entry_cmp(const void *, const void *);
static void	 print_pending(struct tail *, size_t);

static int
tail_usage(void)
{
	fprintf(stderr, "usage: ekahookctl tail [-f] [--config FILE]\n");
	return 2;
}

static void
on_signal(int signo)
{
	(void)signo;
	stop = 1;
}

/* Takes e (and its line); out of memory, the line is dropped. */
static void
pend_add(struct tail *t, const struct entry *e)
{
	struct entry	*np;
	size_t		 cap;

	if (t->npend == t->cap) {
		cap = t->cap ? t->cap * 2 : 64;
		if ((np = realloc(t->pend, cap * sizeof(*np))) == NULL) {
			free(e->line);
			return;
		}
		t->pend = np;
		t->cap = cap;
	}
	t->pend[t->npend++] = *e;
}

/* logset_line_fn: one line of a log. */
static bool
take_line(const char *line, size_t len, void *arg)
{
	struct reader	*r = arg;
	struct entry	 e, *slot;

	memset(&e, 0, sizeof(e));
	/* Not one of ekahook's lines (torn, another program's): skipped. */
	if (tailline_time(line, len, &e.ms) == -1)
		return false;
	if ((e.line = malloc(len)) == NULL)
		return false;
	memcpy(e.line, line, len);
	e.len = len;
	e.src = r->src;
	e.order = r->order++;
	if (!r->last_only) {
		pend_add(r->t, &e);
		return r->t->npend >= TAIL_BATCH;
	}
	slot = &r->ring[r->count++ % r->need];
	free(slot->line);
	*slot = e;
	return false;
}

/* The ring's lines, oldest first, into the pending ones; their count. */
static size_t
ring_flush(struct reader *r)
{
	size_t	 n = r->count < r->need ? r->count : r->need, i;
	size_t	 first = r->count > r->need ? r->count % r->need : 0;

	for (i = 0; i < n; i++)
		pend_add(r->t, &r->ring[(first + i) % r->need]);
	memset(r->ring, 0, sizeof(r->ring));
	r->count = 0;
	return n;
}

/*
 * The new lines of the file held open, read through its descriptor's
 * name: after a rename the file finished is still this one.  True
 * when TAIL_BATCH lines are waiting (the rest is read next time).
 */
static bool
read_held(struct src *s, struct reader *r)
{
	struct stat	 st;

	/* Cut short in place (logrotate's copytruncate): from its start. */
	if (fstat(s->fd, &st) == 0 && st.st_size < s->off)
		s->off = 0;
	switch (logset_lines_fd(s->fd, &s->off, take_line, r)) {
	case LOGSET_STOPPED:
		return true;
	case LOGSET_ERROR:
		if (!s->said)
			fprintf(stderr, "ekahookctl: %s: %s\n", s->path,
			    strerror(errno));
		s->said = true;
		break;
	case LOGSET_EOF:
		break;
	}
	return false;
}

/*
 * The last TAIL_LINES lines of one log, from its newest file back into
 * the rotated ones only as far as needed; the current file stays open
 * for -f.  0, or -1 when a file cannot be read.
 */
static int
last_lines(struct tail *t, int i)
{
	struct src	*s = &t->src[i];
	struct reader	*r;
	char		**names;
	size_t		 n, k, have = 0;
	long long	 off;
	int		 rc = 0;

	if ((s->fd = open(s->path, O_RDONLY | O_CLOEXEC)) == -1 &&
	    errno != ENOENT) {
		fprintf(stderr, "ekahookctl: %s: %s\n", s->path,
		    strerror(errno));
		s->said = true;
		rc = -1;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    logset_list(s->path, t->c.log_keep, &names, &n) == -1) {
		free(r);
		return -1;
	}
	r->t = t;
	r->src = i;
	r->last_only = true;
	r->need = TAIL_LINES;
	r->order = (unsigned long long)n << 32;
	if (s->fd != -1) {
		read_held(s, r);
		have = ring_flush(r);
	}
	/* The rotated files, newest first (the current one is read). */
	for (k = n; k-- > 0 && have < TAIL_LINES;) {
		if (strcmp(names[k], s->path) == 0)
			continue;
		r->need = TAIL_LINES - have;
		r->order = (unsigned long long)k << 32;
		off = 0;
		if (logset_lines(names[k], &off, take_line, r) ==
		    LOGSET_ERROR)
			rc = -1;
		have += ring_flush(r);
	}
	logset_free(names, n);
	free(r);
	return rc;
}

/*
 * After a rotation: the files rotated since the held one, each whole
 * (more than one rotation may have passed since the last look), then
 * the current file from its start, held from then on.  When the held
 * file is no longer among the log's files (deleted, compressed), only
 * the current one is left to read; while it cannot be opened, the
 * newest file read stays held.  True when a batch is full before the
 * end.
 */
static bool
catch_up(struct tail *t, struct src *s, struct reader *r)
{
	struct stat	 held, st;
	char		**names = NULL;
	size_t		 n = 0, k, from;
	int		 fd;
	bool		 more = false;

	memset(&held, 0, sizeof(held));
	if (s->fd != -1 && fstat(s->fd, &held) == 0 &&
	    logset_list(s->path, t->c.log_keep, &names, &n) == -1)
		n = 0;
	for (from = n, k = 0; k < n; k++)
		if (stat(names[k], &st) == 0 && st.st_dev == held.st_dev &&
		    st.st_ino == held.st_ino)
			from = k + 1;
	for (k = from; k <= n; k++) {
		if (k < n && strcmp(names[k], s->path) == 0)
			continue;
		if ((fd = open(k < n ? names[k] : s->path, O_RDONLY |
		    O_CLOEXEC)) == -1)
			continue;
		if (s->fd != -1)
			close(s->fd);
		s->fd = fd;
		s->off = 0;
		if ((more = read_held(s, r) == 1))
			break;		/* on from there next time */
	}
	logset_free(names, n);
	return more;
}

/*
 * ekahookctl(1) tail -f: a log's new lines.  When another file is at
 * its path (renamed to .1, or replaced), the old one is read to its
 * end, then the ones after it from their start; a log not there yet is
 * waited for.  True when there is more to read at once.
 */
static bool
follow_src(struct tail *t, int i)
{
	struct src	*s = &t->src[i];
	struct reader	 r;
	struct stat	 now, held;
	bool		 more = true;

	memset(&r, 0, sizeof(r));
	r.t = t;
	r.src = i;
	r.order = t->seq;
	if (s->fd != -1 && read_held(s, &r) == 1)
		goto done;
	more = false;
	if (stat(s->path, &now) == 0 && (s->fd == -1 ||
	    fstat(s->fd, &held) == -1 || now.st_dev != held.st_dev ||
	    now.st_ino != held.st_ino)) {
		/* Lines written to the held file since the read above. */
		if (s->fd != -1 && read_held(s, &r) == 1)
			more = true;
		else
			more = catch_up(t, s, &r);
	}
done:
	t->seq = r.order;
	return more;
}

static void
follow_logs(struct tail *t)
{
	const struct timespec	 poll = { 0, TAIL_POLL_NS };
	struct sigaction	 sa;
	bool			 more = false;
	int			 i;

	/* ekahookctl(1) tail: SIGINT and SIGTERM end it, exit status 0. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A reader gone (stdout a closed pipe) ends it too. */
	while (!stop && !ferror(stdout)) {
		/* A backlog is printed a batch at a time, without a pause. */
		if (!more)
			nanosleep(&poll, NULL);
		for (more = false, i = 0; i < SRC_N; i++)
			if (t->src[i].path != NULL && follow_src(t, i))
				more = true;
		print_pending(t, SIZE_MAX);
	}
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct entry	*x = a, *y = b;

	if (x->ms != y->ms)
		return x->ms < y->ms ? -1 : 1;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The pending lines in time order, the last `last` of them shown. */
static void
print_pending(struct tail *t, size_t last)
{
	struct entry	*e;
	size_t		 i, shown = 0, from = 0;

	qsort(t->pend, t->npend, sizeof(*t->pend), entry_cmp);
	for (i = t->npend; i-- > 0 && shown < last;) {
		e = &t->pend[i];
		if (tailline_format(&e->text, e->line, e->len) == 0 &&
		    buf_ok(&e->text)) {
			buf_putc(&e->text, '\n');
			shown++;
			from = i;
		} else
			buf_reset(&e->text);
	}
	for (i = 0; i < t->npend; i++) {
		e = &t->pend[i];
		if (i >= from && e->text.len > 0)
			fwrite(e->text.data, 1, e->text.len, stdout);
		buf_free(&e->text);
		free(e->line);
	}
	t->npend = 0;
	fflush(stdout);
}

int
ctl_tail(int argc, char **argv)
{
	struct tail	 t;
	const char	*config = NULL;
	bool		 follow = false;
	int		 i, rc = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0)
			follow = true;
		else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config = argv[++i];
		else
			return tail_usage();
	}
	memset(&t, 0, sizeof(t));
	if (ctl_load_conf(config, &t.c) == -1)
		return 1;
	t.src[SRC_EVENTS].path = t.c.log_file;
	t.src[SRC_REJECTS].path = t.c.reject_file;
	t.src[SRC_HOOKS].path = t.c.hook_log;
	/* Each line as it is printed, also into a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < SRC_N; i++) {
		t.src[i].fd = -1;
		if (t.src[i].path != NULL && last_lines(&t, i) == -1)
			rc = 1;
	}
	print_pending(&t, TAIL_LINES);
	if (follow) {
		follow_logs(&t);
		rc = ferror(stdout) ? 1 : 0;
	}
	for (i = 0; i < SRC_N; i++)
		if (t.src[i].fd != -1)
			close(t.src[i].fd);
	free(t.pend);
	conf_free(&t.c);
	return rc;
}
