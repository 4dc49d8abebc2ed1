/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migrate.h"
#include "reqline.h"
#include "timefmt.h"

#define OLD_MAX_FILES	1024	/* rotated and held logs looked at */
#define OLD_FILE_MAX	(1024L * 1024 * 1024)

static int	 number_at(const char *, const char *, unsigned long long *);
static char	*slurp(int, const char *, size_t *);
static int	 position_scan(const char *, unsigned long long *,
		    unsigned long long *, unsigned long long *);
static int	 queue_line(const struct conf *, struct spool *, const char *,
		    size_t, const struct job *);
static void	 from_jobs(const struct conf *, struct spool *);
static int	 old_logs(const struct conf *, char ***, size_t *);
static void	 from_position(const struct conf *, struct spool *);
static void	 drop_held(const struct conf *);
static void	 drop_old_files(struct spool *);

/* The number after "key=" in s (NULL: at s), or -1. */
static int
number_at(const char *s, const char *key, unsigned long long *v)
{
	const char	*p = s;
	char		*end;

	if (key != NULL && (p = strstr(s, key)) != NULL)
		p += strlen(key);
	if (p == NULL || *p < '0' || *p > '9')
		return -1;
	errno = 0;
	*v = strtoull(p, &end, 10);
	return errno == 0 ? 0 : -1;
}

/* The whole file at dir_fd/name (AT_FDCWD: a path), NUL-terminated. */
static char *
slurp(int dir_fd, const char *name, size_t *len)
{
	struct stat	 st;
	char		*b = NULL;
	ssize_t		 n;
	size_t		 got = 0;
	int		 fd;

	if ((fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) ==
	    -1)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size < OLD_FILE_MAX &&
	    (b = malloc((size_t)st.st_size + 1)) != NULL) {
		while (got < (size_t)st.st_size &&
		    (n = read(fd, b + got, (size_t)st.st_size - got)) > 0)
			got += (size_t)n;
		b[got] = '\0';
		*len = got;
	}
	close(fd);
	return b;
}

/* An accepted-event line into new/, unless done, waiting or dead. */
static int
queue_line(const struct conf *c, struct spool *sp, const char *line,
    size_t len, const struct job *j)
{
	struct reqline	 ev;
	struct timespec	 ts;
	long long	 ms;
	int		 rc = 0;

	if (reqline_parse(line, len, &ev) == -1)
		return 0;
	if (!ev.duplicate && conf_hook_wants(c, ev.name) &&
	    !spool_has(sp, SPOOL_NEW, ev.request_id) &&
	    !spool_has(sp, SPOOL_FAILED, ev.request_id) &&
	    timefmt_parse_ms(ev.received_at, &ms) == 0) {
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = ms % 1000 * 1000000;
		rc = spool_add(sp, sp->state_dir, ev.request_id, &ts,
		    ev.event_text, ev.event_len, j, c->log_fsync);
	}
	reqline_free(&ev);
	return rc;
}

/* hooks/jobs/<id>: a header, "pos …", "path …", the event's line. */
static void
from_jobs(const struct conf *c, struct spool *sp)
{
	DIR		*d;
	struct dirent	*de;
	struct job	 j;
	unsigned long long next, fails, due;
	char		*b, *p;
	size_t		 len;
	int		 fd, i;

	if ((fd = openat(sp->hooks_fd, "jobs", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    strcmp(de->d_name, "..") == 0))
			continue;
		if ((b = slurp(dirfd(d), de->d_name, &len)) != NULL &&
		    strncmp(b, "ekahook-job 1 ", 14) == 0 &&
		    number_at(b, " next=", &next) == 0 &&
		    number_at(b, " fails=", &fails) == 0 &&
		    number_at(b, " due=", &due) == 0 && next < 1000000 &&
		    due < (1ULL << 62)) {
			j = job_new((long long)due);
			j.attempts = next > 0 ? (unsigned)next - 1 : 0;
			j.fails = fails <= j.attempts ? (unsigned)fails :
			    j.attempts;
			for (p = b, i = 0; i < 3 && p != NULL; i++)
				if ((p = strchr(p, '\n')) != NULL)
					p++;
			if (p != NULL && queue_line(c, sp, p,
			    len - (size_t)(p - b), &j) == -1) {
				fprintf(stderr, "ekahook: hooks/jobs/%s: "
				    "cannot queue: %s\n", de->d_name,
				    strerror(errno));
				free(b);
				continue;
			}
		}
		free(b);
		(void)unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
	(void)unlinkat(sp->hooks_fd, "jobs", AT_REMOVEDIR);
}

/*
 * The old log files, oldest first: held ones (.<base>.held/<number>,
 * higher is newer), then .N … .1, then the log itself.
 */
static int
old_logs(const struct conf *c, char ***out, size_t *n)
{
	char		 held[PATH_MAX], name[PATH_MAX + NAME_MAX + 32];
	char		**v;
	const char	*base;
	struct dirent	**list = NULL;
	int		 k, nheld, i;
	size_t		 cap = (size_t)c->log_keep + 2;

	base = strrchr(c->log_file, '/');
	if (snprintf(held, sizeof(held), "%.*s.%s.held",
	    base != NULL ? (int)(base - c->log_file + 1) : 0, c->log_file,
	    base != NULL ? base + 1 : c->log_file) >= (int)sizeof(held))
		return -1;
	nheld = scandir(held, &list, NULL, alphasort);
	if (nheld < 0)
		nheld = 0;
	cap += (size_t)nheld;
	if (cap > OLD_MAX_FILES || (v = calloc(cap, sizeof(*v))) == NULL) {
		for (i = 0; i < nheld; i++)
			free(list[i]);
		free(list);
		return -1;
	}
	*n = 0;
	for (i = 0; i < nheld; i++) {
		if (list[i]->d_name[0] != '.') {
			snprintf(name, sizeof(name), "%s/%s", held,
			    list[i]->d_name);
			v[(*n)++] = strdup(name);
		}
		free(list[i]);
	}
	free(list);
	for (k = (int)c->log_keep; k >= 0; k--) {
		if (k > 0)
			snprintf(name, sizeof(name), "%s.%d", c->log_file, k);
		else
			snprintf(name, sizeof(name), "%s", c->log_file);
		v[(*n)++] = strdup(name);
	}
	*out = v;
	return 0;
}

/* hooks/position: "ekahook-pos 2 dev ino tag taglen offset". */
static int
position_scan(const char *text, unsigned long long *dev,
    unsigned long long *ino, unsigned long long *off)
{
	unsigned long long	 v[5];
	const char		*p = text;
	int			 i;

	if (strncmp(p, "ekahook-pos 2 ", 14) != 0)
		return -1;
	p += 14;
	for (i = 0; i < 5; i++) {
		if (number_at(p, NULL, &v[i]) == -1)
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == ' ')
			p++;
	}
	*dev = v[0];
	*ino = v[1];
	*off = v[4];
	return 0;
}

static void
from_position(const struct conf *c, struct spool *sp)
{
	unsigned long long dev, ino, off;
	struct stat	 st;
	char		*pos, *b, *line, *nl, **files = NULL;
	size_t		 len, nfiles = 0, i;
	bool		 found = false;

	if ((pos = slurp(sp->hooks_fd, "position", &len)) == NULL)
		return;
	if (position_scan(pos, &dev, &ino, &off) == -1 ||
	    old_logs(c, &files, &nfiles) == -1) {
		/* "none": no event was logged before it. */
		(void)unlinkat(sp->hooks_fd, "position", 0);
		free(pos);
		return;
	}
	for (i = 0; i < nfiles; i++) {
		if (files[i] == NULL || stat(files[i], &st) == -1)
			continue;
		if (!found && (st.st_dev != (dev_t)dev ||
		    st.st_ino != (ino_t)ino))
			continue;
		if ((b = slurp(AT_FDCWD, files[i], &len)) == NULL)
			continue;
		for (line = b + (found ? 0 : off < len ? off : len);
		    *line != '\0'; line = nl + 1) {
			if ((nl = strchr(line, '\n')) == NULL)
				break;
			if (queue_line(c, sp, line, (size_t)(nl - line),
			    NULL) == -1)
				fprintf(stderr, "ekahook: %s: cannot queue an "
				    "event: %s\n", files[i], strerror(errno));
		}
		found = true;
		free(b);
	}
	if (!found)
		fprintf(stderr, "ekahook: %s: the old hook queue's position "
		    "is in no log left; `ekahookctl replay --since` queues "
		    "what it owed\n", c->log_file);
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	free(pos);
	(void)unlinkat(sp->hooks_fd, "position", 0);
}

/* Held logs were kept only for the old queue: rotation drops them now. */
static void
drop_held(const struct conf *c)
{
	char	**files = NULL, held[PATH_MAX];
	size_t	 n = 0, i;
	char	*slash;

	if (old_logs(c, &files, &n) == -1)
		return;
	held[0] = '\0';
	for (i = 0; i + (size_t)c->log_keep + 1 < n; i++) {
		if (files[i] != NULL && unlink(files[i]) == 0 &&
		    (slash = strrchr(files[i], '/')) != NULL) {
			*slash = '\0';
			snprintf(held, sizeof(held), "%s", files[i]);
		}
	}
	if (held[0] != '\0')
		(void)rmdir(held);
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
}

/* The old queue's slot locks and stdin files left by a crash. */
static void
drop_old_files(struct spool *sp)
{
	const char	*old[] = { "slot.", ".stdin." };
	DIR		*d;
	struct dirent	*de;
	int		 fd;
	size_t		 i;

	if ((fd = openat(sp->hooks_fd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		for (i = 0; i < sizeof(old) / sizeof(old[0]); i++)
			if (strncmp(de->d_name, old[i], strlen(old[i])) == 0)
				(void)unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

void
migrate_queue(const struct conf *c, struct spool *sp)
{
	struct stat	 st;
	bool		 pos, jobs;

	pos = fstatat(sp->hooks_fd, "position", &st, 0) == 0;
	jobs = fstatat(sp->hooks_fd, "jobs", &st, 0) == 0;
	if (!pos && !jobs)
		return;
	fprintf(stderr, "ekahook: %s/%s: moving the hook queue of an older "
	    "ekahook into new/\n", sp->state_dir, SPOOL_DIR);
	from_jobs(c, sp);
	from_position(c, sp);
	drop_held(c);
	drop_old_files(sp);
}
