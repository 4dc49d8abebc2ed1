/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/file.h>
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

#include "buf.h"
#include "conf.h"
#include "hookq.h"

#define HOOKQ_FILE_MODE	0640
#define JOB_MAGIC	"ekahook-job 1"
#define JOB_HEAD_FMT	JOB_MAGIC " next=%010u fails=%010u due=%020lld run=%d\n"
#define JOB_HEAD_LEN	78	/* what JOB_HEAD_FMT always prints */
#define JOB_MAX		(LOGTAIL_LINE_MAX + PATH_MAX + 1024)

static int	 job_name(char *, size_t, const char *, const char *);
static void	 fsync_path(const char *);
static int	 job_head(const struct hookjob *, char *);
static int	 job_load(struct hookjob *);
static ssize_t	 read_all(int, struct buf *, size_t);
static const char *head_field(const char *, const char *, uintmax_t,
		    uintmax_t *);

int
hookq_path(char *out, size_t len, const char *state_dir, const char *name)
{
	int	 n;

	n = snprintf(out, len, "%s/" HOOKQ_DIR "%s%s", state_dir,
	    *name ? "/" : "", name);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int
job_name(char *out, size_t len, const char *state_dir, const char *id)
{
	char	 rel[EVLINE_ID_MAX + 8];

	if (!evline_id_ok(id)) {
		errno = EINVAL;
		return -1;
	}
	snprintf(rel, sizeof(rel), "jobs/%s", id);
	return hookq_path(out, len, state_dir, rel);
}


int
hookq_mkdirs(const char *state_dir)
{
	return conf_make_state_dir(state_dir, HOOKQ_DIR "/jobs");
}

/* fsync(2) of a file or directory by name; for new names to last. */
static void
fsync_path(const char *p)
{
	int	 fd;

	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	(void)fsync(fd);
	close(fd);
}

int
hookq_slot_take(const char *state_dir, unsigned cap)
{
	char		 p[PATH_MAX], name[32];
	unsigned	 i;
	int		 fd;

	for (i = 0; i < cap; i++) {
		snprintf(name, sizeof(name), "slot.%u", i);
		if (hookq_path(p, sizeof(p), state_dir, name) == -1)
			return -1;
		if ((fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC,
		    HOOKQ_FILE_MODE)) == -1)
			return -1;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		close(fd);
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
	}
	errno = EWOULDBLOCK;
	return -1;
}

bool
hookq_has_jobs(const char *state_dir)
{
	char		 p[PATH_MAX];
	DIR		*d;
	struct dirent	*de;
	bool		 any = false;

	if (hookq_path(p, sizeof(p), state_dir, "jobs") == -1 ||
	    (d = opendir(p)) == NULL)
		return false;
	while (!any && (de = readdir(d)) != NULL)
		any = de->d_name[0] != '.';
	closedir(d);
	return any;
}

int
hookq_list_jobs(const char *state_dir, char ***ids, size_t *n)
{
	char		 p[PATH_MAX], **v = NULL, **nv;
	DIR		*d;
	struct dirent	*de;
	size_t		 cnt = 0, cap = 0;

	*ids = NULL;
	*n = 0;
	if (hookq_path(p, sizeof(p), state_dir, "jobs") == -1)
		return -1;
	if ((d = opendir(p)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		/* Dot names: ".", "..", and files being made. */
		if (de->d_name[0] == '.' || !evline_id_ok(de->d_name))
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL)
				goto fail;
			v = nv;
		}
		if ((v[cnt] = strdup(de->d_name)) == NULL)
			goto fail;
		cnt++;
	}
	closedir(d);
	*ids = v;
	*n = cnt;
	return 0;
fail:
	closedir(d);
	hookq_free_list(v, cnt);
	return -1;
}

void
hookq_free_list(char **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
job_head(const struct hookjob *j, char *out)
{
	int	 n;

	n = snprintf(out, JOB_HEAD_LEN + 1, JOB_HEAD_FMT, j->next, j->fails,
	    j->due_ms < 0 ? 0 : j->due_ms, j->running ? 1 : 0);
	return n == JOB_HEAD_LEN ? 0 : -1;
}

static ssize_t
read_all(int fd, struct buf *b, size_t max)
{
	ssize_t	 n;

	buf_reset(b);
	for (;;) {
		if (b->len > max || !buf_grow(b, 65536))
			return -1;
		n = pread(fd, b->data + b->len, 65536, (off_t)b->len);
		if (n == 0)
			return (ssize_t)b->len;
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b->len += (size_t)n;
	}
}

/* " name=<decimal within max>" at s; a pointer past it, or NULL. */
static const char *
head_field(const char *s, const char *name, uintmax_t max, uintmax_t *out)
{
	size_t	 n = strlen(name);
	char	*end;

	if (*s++ != ' ' || strncmp(s, name, n) != 0 || s[n] != '=')
		return NULL;
	s += n + 1;
	if (*s < '0' || *s > '9')
		return NULL;
	errno = 0;
	*out = strtoumax(s, &end, 10);
	return errno != 0 || *out > max ? NULL : end;
}

/* Reads the whole job file into j.  Returns 0, or -1 (EINVAL: bad). */
static int
job_load(struct hookjob *j)
{
	struct buf	 b;
	struct logpos	 after;
	uintmax_t	 next, fails, due, run;
	const char	*h;
	char		*p, *nl, *data;

	buf_init(&b);
	if (read_all(j->fd, &b, JOB_MAX) == -1 || buf_cstr(&b) == NULL)
		goto fail;
	data = b.data;
	/* The fixed-length header (JOB_HEAD_FMT), then "pos …" and "path …". */
	if (b.len < JOB_HEAD_LEN ||
	    strncmp(data, JOB_MAGIC, sizeof(JOB_MAGIC) - 1) != 0 ||
	    (h = head_field(data + sizeof(JOB_MAGIC) - 1, "next", UINT_MAX,
	    &next)) == NULL ||
	    (h = head_field(h, "fails", UINT_MAX, &fails)) == NULL ||
	    (h = head_field(h, "due", LLONG_MAX, &due)) == NULL ||
	    (h = head_field(h, "run", 1, &run)) == NULL ||
	    h != data + JOB_HEAD_LEN - 1 || *h != '\n')
		goto bad;
	p = data + JOB_HEAD_LEN;
	if (strncmp(p, "pos ", 4) != 0 ||
	    (h = logpos_scan(p + 4, &after)) == NULL || *h != '\n')
		goto bad;
	p = data + (h + 1 - data);
	if (strncmp(p, "path ", 5) != 0 || (nl = strchr(p, '\n')) == NULL)
		goto bad;
	free(j->log_path);
	if ((j->log_path = strndup(p + 5, (size_t)(nl - p - 5))) == NULL)
		goto fail;
	p = nl + 1;
	free(j->line);
	j->line = NULL;
	j->line_len = b.len - (size_t)(p - data);
	if (j->line_len == 0)
		goto bad;
	if ((j->line = malloc(j->line_len + 1)) == NULL)
		goto fail;
	memcpy(j->line, p, j->line_len);
	j->line[j->line_len] = '\0';
	j->next = (unsigned)next;
	j->fails = (unsigned)fails;
	j->due_ms = (long long)due;
	j->running = run != 0;
	j->after = after;
	buf_free(&b);
	return 0;
bad:
	errno = EINVAL;
fail:
	buf_free(&b);
	return -1;
}

int
hookjob_create(const char *state_dir, const char *id, const char *log_path,
    const struct logpos *after, const char *line, size_t len, bool sync,
    struct hookjob *j)
{
	char		 tmp[PATH_MAX], head[JOB_HEAD_LEN + 1], dir[PATH_MAX];
	char		 pos[128];
	struct buf	 b;
	int		 fd = -1, saved, rc = -1;

	memset(j, 0, sizeof(*j));
	j->fd = -1;
	buf_init(&b);
	if (job_name(j->path, sizeof(j->path), state_dir, id) == -1 ||
	    hookq_path(dir, sizeof(dir), state_dir, "jobs") == -1)
		return -1;
	snprintf(j->id, sizeof(j->id), "%s", id);
	j->next = 1;
	j->after = *after;
	if (snprintf(tmp, sizeof(tmp), "%s/.new.%s", dir, id) >=
	    (int)sizeof(tmp) || job_head(j, head) == -1)
		return -1;
	if (logpos_format(pos, sizeof(pos), after) >= (int)sizeof(pos))
		return -1;
	buf_puts(&b, head);
	buf_printf(&b, "pos %s\npath %s\n", pos, log_path);
	buf_append(&b, line, len);
	if (!buf_ok(&b))
		goto done;
	/* Written under a dot name, then linked: whole or not there. */
	(void)unlink(tmp);
	if ((fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
	    HOOKQ_FILE_MODE)) == -1)
		goto done;
	if (flock(fd, LOCK_EX) == -1 ||
	    write(fd, b.data, b.len) != (ssize_t)b.len ||
	    (sync && fdatasync(fd) == -1))
		goto done;
	if (link(tmp, j->path) == -1) {
		if (errno == EEXIST)
			rc = 1;
		goto done;
	}
	if (sync)
		fsync_path(dir);
	if ((j->log_path = strdup(log_path)) == NULL ||
	    (j->line = malloc(len + 1)) == NULL) {
		/* The job stands on disk; the runner finds it next time. */
		goto done;
	}
	memcpy(j->line, line, len);
	j->line[len] = '\0';
	j->line_len = len;
	j->fd = fd;
	fd = -1;
	rc = 0;
done:
	saved = errno;
	if (fd != -1) {
		(void)unlink(tmp);
		close(fd);
	} else
		(void)unlink(tmp);
	buf_free(&b);
	if (rc != 0) {
		free(j->log_path);
		free(j->line);
		j->log_path = j->line = NULL;
	}
	errno = saved;
	return rc;
}

int
hookjob_open(const char *state_dir, const char *id, struct hookjob *j)
{
	char		 path[sizeof(j->path)];
	struct stat	 st;
	int		 fd, saved;

	memset(j, 0, sizeof(*j));
	j->fd = -1;
	if (job_name(path, sizeof(path), state_dir, id) == -1)
		return -1;
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 2 : -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return saved == EWOULDBLOCK ? 1 : -1;
	}
	/* Removed by its holder between our open and our lock. */
	if (fstat(fd, &st) == -1 || st.st_nlink == 0) {
		close(fd);
		return 2;
	}
	return hookjob_adopt(state_dir, id, fd, j);
}

/*
 * A job whose open, locked descriptor was handed to us (fd, ours from
 * now on): loaded as hookjob_open loads one.  Returns 0, or -1 with
 * errno and fd closed.
 */
int
hookjob_adopt(const char *state_dir, const char *id, int fd,
    struct hookjob *j)
{
	int	 saved;

	memset(j, 0, sizeof(*j));
	j->fd = fd;
	snprintf(j->id, sizeof(j->id), "%s", id);
	if (job_name(j->path, sizeof(j->path), state_dir, id) == -1 ||
	    job_load(j) == -1) {
		saved = errno;
		hookjob_close(j);
		errno = saved;
		return -1;
	}
	return 0;
}

int
hookjob_peek(const char *state_dir, const char *id, struct hookjob *j)
{
	int	 rc;

	memset(j, 0, sizeof(*j));
	j->fd = -1;
	if (job_name(j->path, sizeof(j->path), state_dir, id) == -1)
		return -1;
	snprintf(j->id, sizeof(j->id), "%s", id);
	if ((j->fd = open(j->path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	rc = job_load(j);
	close(j->fd);
	j->fd = -1;
	return rc;
}

int
hookjob_save(struct hookjob *j, bool sync)
{
	char	 head[JOB_HEAD_LEN + 1];

	if (job_head(j, head) == -1)
		return -1;
	/* One small write at offset 0: the header has a fixed length. */
	if (pwrite(j->fd, head, JOB_HEAD_LEN, 0) != JOB_HEAD_LEN)
		return -1;
	return sync ? fdatasync(j->fd) : 0;
}

int
hookjob_remove(struct hookjob *j)
{
	int	 rc;

	rc = unlink(j->path);
	hookjob_close(j);
	return rc;
}

void
hookjob_close(struct hookjob *j)
{
	if (j->fd != -1)
		close(j->fd);
	j->fd = -1;
	free(j->log_path);
	free(j->line);
	j->log_path = j->line = NULL;
	j->line_len = 0;
}
