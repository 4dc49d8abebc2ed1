/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "ctl.h"
#include "ctl_status.h"
#include "logset.h"
#include "path.h"
#include "plain.h"
#include "spool.h"
#include "timefmt.h"

/*
 * ekahookctl(1) status: one screen for a person, or --json, or
 * --prometheus (node_exporter's textfile format); --check for cron.
 * It only reads: run as root it must not create what ekahook, as the
 * web server's user, would then be unable to write.
 */

#define DAY_MS		(24LL * 3600 * 1000)
#define TAIL_READ	(256 * 1024)	/* bytes read for a log's last line */

static int	 parse_duration(const char *, long long *);
static void	 on_problem(const char *, void *);
static void	 stat_log(struct logstat *, const char *, const char *,
		    unsigned);
static bool	 scan_events(const char *, size_t, void *);
static bool	 scan_rejects(const char *, size_t, void *);
static bool	 scan_hooks(const char *, size_t, void *);
static void	 scan_log(struct status *, const char *, unsigned,
		    logset_line_fn);
static long long last_line_time(const char *, unsigned);
static void	 count_box(const char *, const char *, unsigned long *,
		    long long *);
static void	 gather(struct status *);
static int	 status_usage(void);
static int	 line_time(const char *, size_t, const char *, long long *);

static int
status_usage(void)
{
	fprintf(stderr, "usage: ekahookctl status [--config FILE] "
	    "[--json | --prometheus] [--check] [--max-silence DURATION] "
	    "[--max-failed N] [--max-waiting DURATION]\n"
	    "  DURATION: seconds, or a number with s, m, h or d\n");
	return 2;
}

/* "90", "90s", "15m", "2h", "1d" to seconds.  0 or -1. */
static int
parse_duration(const char *s, long long *out)
{
	char		*end;
	long long	 v, mul = 1;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || v < 0 || errno != 0)
		return -1;
	if (*end != '\0') {
		mul = *end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ?
		    3600 : *end == 'd' ? 86400 : 0;
		if (mul == 0 || end[1] != '\0')
			return -1;
	}
	if (v > 100LL * 365 * 86400 / mul)
		return -1;
	*out = v * mul;
	return 0;
}

static void
on_problem(const char *line, void *arg)
{
	struct status	*st = arg;

	buf_puts(&st->problems, line);
	buf_putc(&st->problems, '\n');
	st->nproblems++;
}

static void
stat_log(struct logstat *ls, const char *key, const char *path,
    unsigned keep)
{
	struct stat	 sb;
	char		**v, *dir;
	size_t		 n, i;

	memset(ls, 0, sizeof(*ls));
	ls->key = key;
	ls->path = path;
	if (path == NULL)
		return;
	if ((dir = path_dir_of(path)) != NULL) {
		ls->writable = faccessat(AT_FDCWD, dir, W_OK | X_OK,
		    AT_EACCESS) == 0 && (stat(path, &sb) == -1 ||
		    faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0);
		free(dir);
	}
	if (logset_list(path, keep, &v, &n) == -1)
		return;
	for (i = 0; i < n; i++) {
		if (stat(v[i], &sb) == -1)
			continue;
		if (strcmp(v[i], path) == 0)
			ls->bytes = (unsigned long long)sb.st_size;
		else {
			ls->rotated++;
			ls->rotated_bytes += (unsigned long long)sb.st_size;
		}
	}
	logset_free(v, n);
}

/* The time of a line's first member (received_at, finished_at). */
static int
line_time(const char *line, size_t len, const char *key, long long *ms)
{
	const char	*p;
	size_t		 n;

	return (p = logline_str(line, len < 96 ? len : 96, key, &n)) ==
	    NULL ? -1 : logline_time(p, n, ms);
}

static bool
scan_events(const char *line, size_t len, void *arg)
{
	struct status	*st = arg;
	long long	 t;

	if (line_time(line, len, "received_at", &t) == -1)
		return false;
	if (t > st->last_event)
		st->last_event = t;
	if (t < st->now - DAY_MS)
		return false;
	/* The flag comes before the event: within the first 300 bytes. */
	if (logline_true(line, len < 300 ? len : 300, "duplicate"))
		st->duplicate++;
	else
		st->accepted++;
	return false;
}

static bool
scan_rejects(const char *line, size_t len, void *arg)
{
	struct status	*st = arg;
	const char	*e;
	size_t		 n, i;
	long long	 t;

	if (line_time(line, len, "received_at", &t) == -1 ||
	    t < st->now - DAY_MS ||
	    (e = logline_str(line, len < 400 ? len : 400, "error", &n)) ==
	    NULL || n == 0 || n >= sizeof(st->errs[0].name))
		return false;
	st->rejected++;
	for (i = 0; i < st->nerrs; i++)
		if (strlen(st->errs[i].name) == n &&
		    memcmp(st->errs[i].name, e, n) == 0)
			break;
	if (i == st->nerrs) {
		if (st->nerrs == NERRORS)
			return false;
		memcpy(st->errs[i].name, e, n);
		st->errs[i].name[n] = '\0';
		st->errs[i].n = 0;
		st->nerrs++;
	}
	st->errs[i].n++;
	return false;
}

static bool
scan_hooks(const char *line, size_t len, void *arg)
{
	struct status	*st = arg;
	long long	 t, ex;
	bool		 to;

	if (line_time(line, len, "finished_at", &t) == -1 ||
	    t < st->now - DAY_MS)
		return false;
	if (logline_str(line, len < 200 ? len : 200, "alert", &(size_t){0})
	    != NULL) {
		st->alerts++;
		return false;
	}
	/* The members before "output": no quote of the hook's is raw. */
	if (logline_int(line, len, "exit", &ex) == 0 && ex == 0 &&
	    logline_bool(line, len, "timed_out", &to) == 0 && !to)
		st->runs_ok++;
	else
		st->runs_failed++;
	return false;
}

/* Every file of the log changed in the last 24 hours. */
static void
scan_log(struct status *st, const char *path, unsigned keep,
    logset_line_fn fn)
{
	struct stat	 sb;
	char		**v;
	size_t		 n, i;
	long long	 off;

	if (path == NULL || logset_list(path, keep, &v, &n) == -1)
		return;
	for (i = 0; i < n; i++) {
		if (stat(v[i], &sb) == -1 || (long long)sb.st_mtime * 1000 <
		    st->now - DAY_MS)
			continue;
		off = 0;
		(void)logset_lines(v[i], &off, fn, st);
	}
	logset_free(v, n);
}

/* The received_at of the log's last line, rotated files too; 0: none. */
static long long
last_line_time(const char *path, unsigned keep)
{
	char		**v, *b;
	size_t		 n, i;
	ssize_t		 r;
	long long	 t = 0;
	struct stat	 sb;
	char		*end, *start;
	int		 fd;

	if (logset_list(path, keep, &v, &n) == -1 ||
	    (b = malloc(TAIL_READ)) == NULL)
		return 0;
	for (i = n; i-- > 0 && t == 0;) {
		if ((fd = open(v[i], O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		if (fstat(fd, &sb) == 0 && (r = pread(fd, b, TAIL_READ,
		    sb.st_size > TAIL_READ ? sb.st_size - TAIL_READ : 0)) > 0) {
			/* Lines backwards, from the last complete one. */
			for (end = b + r; end > b && t == 0; end = start) {
				while (end > b && end[-1] != '\n')
					end--;
				if (end == b)
					break;
				end--;
				for (start = end; start > b &&
				    start[-1] != '\n'; start--)
					continue;
				(void)line_time(start, (size_t)(end - start),
				    "received_at", &t);
			}
		}
		close(fd);
	}
	free(b);
	logset_free(v, n);
	return t;
}

/* Files in state_dir/hooks/<box>, and the oldest mtime (received_at). */
static void
count_box(const char *state_dir, const char *box, unsigned long *n,
    long long *oldest)
{
	char		 p[PATH_MAX];
	DIR		*d;
	struct dirent	*de;
	struct stat	 sb;
	long long	 t;

	if (spool_path(p, sizeof(p), state_dir, box) == -1 ||
	    (d = opendir(p)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) ==
		    -1 || !S_ISREG(sb.st_mode))
			continue;
		(*n)++;
		t = (long long)sb.st_mtim.tv_sec * 1000 +
		    sb.st_mtim.tv_nsec / 1000000;
		if (oldest != NULL && (*oldest == 0 || t < *oldest))
			*oldest = t;
	}
	closedir(d);
}

static void
gather(struct status *st)
{
	struct statvfs	 vfs;
	char		*dir;
	struct conf	*c = &st->c;

	stat_log(&st->logs[0], "log_file", c->log_file, c->log_keep);
	stat_log(&st->logs[1], "reject_file", c->reject_file, c->log_keep);
	stat_log(&st->logs[2], "hook_log", c->hook_log, c->log_keep);
	if ((dir = path_dir_of(c->log_file)) != NULL &&
	    statvfs(dir, &vfs) == 0) {
		st->free_bytes = (unsigned long long)vfs.f_bavail *
		    vfs.f_frsize;
		st->have_free = true;
	}
	free(dir);
	scan_log(st, c->log_file, c->log_keep, scan_events);
	scan_log(st, c->reject_file, c->log_keep, scan_rejects);
	scan_log(st, c->hook_log, c->log_keep, scan_hooks);
	if (st->last_event == 0)
		st->last_event = last_line_time(c->log_file, c->log_keep);
	count_box(c->state_dir, "new", &st->waiting, &st->oldest_waiting);
	count_box(c->state_dir, "failed", &st->dead, NULL);
}

int
ctl_status(int argc, char **argv)
{
	struct status	 st;
	struct status_opts o = { OUT_PERSON, false, -1, 0, 3600 };
	struct buf	 probs;
	const char	*config = NULL;
	char		*exe_dir;
	struct timespec	 ts;
	int		 a, rc;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--json") == 0 && o.out == OUT_PERSON)
			o.out = OUT_JSON;
		else if (strcmp(argv[a], "--prometheus") == 0 &&
		    o.out == OUT_PERSON)
			o.out = OUT_PROM;
		else if (strcmp(argv[a], "--check") == 0)
			o.check = true;
		else if (strcmp(argv[a], "--config") == 0 && a + 1 < argc)
			config = argv[++a];
		else if (strcmp(argv[a], "--max-silence") == 0 &&
		    a + 1 < argc) {
			if (parse_duration(argv[++a], &o.max_silence) == -1)
				return status_usage();
		} else if (strcmp(argv[a], "--max-waiting") == 0 &&
		    a + 1 < argc) {
			if (parse_duration(argv[++a], &o.max_waiting) == -1)
				return status_usage();
		} else if (strcmp(argv[a], "--max-failed") == 0 &&
		    a + 1 < argc) {
			if (parse_duration(argv[++a], &o.max_failed) == -1 ||
			    strspn(argv[a], "0123456789") != strlen(argv[a]))
				return status_usage();
		} else
			return status_usage();
	}
	memset(&st, 0, sizeof(st));
	buf_init(&st.problems);
	buf_init(&probs);
	clock_gettime(CLOCK_REALTIME, &ts);
	st.now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	exe_dir = path_exe_dir();
	st.file = conf_find(config != NULL ? config : getenv("EKAHOOK_CONFIG"),
	    exe_dir);
	st.conf_ok = conf_load_all(st.file, exe_dir, conf_process_getenv, NULL,
	    &st.c, on_problem, &st) == 0;
	free(exe_dir);
	if (st.conf_ok)
		gather(&st);
	if (o.check)
		status_check(&st, &o, &probs);
	if (o.out == OUT_JSON)
		status_print_json(&st, o.check ? &probs : NULL);
	else if (o.out == OUT_PROM)
		status_print_prom(&st);
	else if (!o.check)
		status_print_person(&st);
	if (o.check && o.out == OUT_PERSON && probs.len > 0)
		fwrite(probs.data, 1, probs.len, stdout);
	rc = o.check ? (probs.len > 0 ? 1 : 0) : (st.conf_ok ? 0 : 1);
	if (st.conf_ok)
		conf_free(&st.c);
	free(st.file);
	buf_free(&st.problems);
	buf_free(&probs);
	return rc;
}
