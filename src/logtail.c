/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logfile.h"
#include "logheld.h"
#include "logtail.h"

#define LOGTAIL_CHUNK		65536
#define LOGTAIL_SWITCH_TRIES	8	/* rotations raced in one switch */
#define LOGPOS_MODE		0640

static uint32_t	 fnv(const unsigned char *, size_t);
static int	 tag_of_fd(int, unsigned, uint32_t *);
static void	 take_tag(int, struct logpos *);
static bool	 is_file(const char *, const struct logpos *);
static const char *scan_num(const char *, uintmax_t, uintmax_t *);
static int	 rank_name(const char *, unsigned, int, char *, size_t);
static int	 oldest_rank(const char *, unsigned);
static int	 newer_rank(const char *, unsigned, int);
static int	 write_pos_file(const char *, const struct logpos *, bool,
		    char *, size_t);
static int	 open_rank(struct logtail *, int, const struct logpos *);
static int	 open_start(struct logtail *);
static int	 switch_next(struct logtail *);
static void	 drop_taken(struct logtail *);
static void	 drop_held(struct logtail *, const struct logpos *);

/*
 * The name of rank k: the path itself for 0, path.k up to keep, and
 * past keep the files held for the runner, newest first (logheld.h).
 * Returns -1 past the last held file.
 */
static int
rank_name(const char *path, unsigned keep, int k, char *name, size_t len)
{
	int	 n;

	if (k < 0)
		return -1;
	if ((unsigned)k > keep)
		return logheld_name(path, (size_t)k - keep - 1, name, len);
	n = k == 0 ? snprintf(name, len, "%s", path) :
	    snprintf(name, len, "%s.%d", path, k);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
logtail_rank_name(const char *path, unsigned keep, int k, char *name,
    size_t len)
{
	return rank_name(path, keep, k, name, len);
}

int
logtail_oldest_rank(const char *path, unsigned keep)
{
	return oldest_rank(path, keep);
}

static uint32_t
fnv(const unsigned char *p, size_t n)
{
	uint32_t	 h = 2166136261U;

	while (n-- > 0)
		h = (h ^ *p++) * 16777619U;
	return h;
}

/* The hash of fd's first len bytes.  Returns 0, or -1 if it is shorter. */
static int
tag_of_fd(int fd, unsigned len, uint32_t *tag)
{
	unsigned char	 b[LOGPOS_TAG_LEN];
	ssize_t		 n;

	if (len > sizeof(b))
		len = sizeof(b);
	do
		n = pread(fd, b, len, 0);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)len)
		return -1;
	*tag = fnv(b, len);
	return 0;
}

/* Extends pos's tag over what the file holds now, up to the most. */
static void
take_tag(int fd, struct logpos *pos)
{
	struct stat	 st;
	unsigned	 len;
	uint32_t	 tag;

	if (pos->taglen >= LOGPOS_TAG_LEN || fstat(fd, &st) == -1)
		return;
	len = st.st_size < LOGPOS_TAG_LEN ? (unsigned)st.st_size :
	    LOGPOS_TAG_LEN;
	if (len > pos->taglen && tag_of_fd(fd, len, &tag) == 0) {
		pos->tag = tag;
		pos->taglen = len;
	}
}

/* True when the file called name is the one pos is in. */
static bool
is_file(const char *name, const struct logpos *pos)
{
	struct stat	 st;
	uint32_t	 tag;
	int		 fd;
	bool		 same;

	if (stat(name, &st) == -1 || st.st_dev != pos->dev ||
	    st.st_ino != pos->ino)
		return false;
	if (pos->taglen == 0)
		return true;
	if ((fd = open(name, O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	same = tag_of_fd(fd, pos->taglen, &tag) == 0 && tag == pos->tag;
	close(fd);
	return same;
}

bool
logpos_same_file(const struct logpos *a, const struct logpos *b)
{
	if (!a->known || !b->known || a->dev != b->dev || a->ino != b->ino)
		return false;
	/* Tags of different lengths cannot be told apart: same file. */
	return a->taglen != b->taglen || a->tag == b->tag;
}

int
logtail_rank(const char *path, unsigned keep, const struct logpos *pos,
    char *name, size_t namelen)
{
	char		 n[PATH_MAX];
	unsigned	 k;

	if (!pos->known)
		return -1;
	for (k = 0; k <= (unsigned)INT_MAX; k++) {
		if (rank_name(path, keep, (int)k, n, sizeof(n)) == -1)
			break;
		if (is_file(n, pos)) {
			if (name != NULL)
				snprintf(name, namelen, "%s", n);
			return (int)k;
		}
	}
	return -1;
}

/* The rank of the oldest file there is, or -1 when there is none. */
static int
oldest_rank(const char *path, unsigned keep)
{
	char		 n[PATH_MAX];
	struct stat	 st;
	int		 k;

	for (k = (int)(keep + logheld_count(path)); k >= 0; k--)
		if (rank_name(path, keep, k, n, sizeof(n)) == 0 &&
		    stat(n, &st) == 0 && S_ISREG(st.st_mode))
			return k;
	return -1;
}

/* The rank of the next file there is after rank k, or -1. */
static int
newer_rank(const char *path, unsigned keep, int k)
{
	char		 n[PATH_MAX];
	struct stat	 st;

	while (--k >= 0)
		if (rank_name(path, keep, k, n, sizeof(n)) == 0 &&
		    stat(n, &st) == 0 && S_ISREG(st.st_mode))
			return k;
	return -1;
}

/* A decimal within [0, max] at s; a pointer past it, or NULL. */
static const char *
scan_num(const char *s, uintmax_t max, uintmax_t *out)
{
	char	*end;

	if (*s < '0' || *s > '9')
		return NULL;
	errno = 0;
	*out = strtoumax(s, &end, 10);
	return errno != 0 || *out > max ? NULL : end;
}

int
logpos_format(char *out, size_t len, const struct logpos *pos)
{
	return snprintf(out, len, "%ju %ju %u %u %jd", (uintmax_t)pos->dev,
	    (uintmax_t)pos->ino, (unsigned)pos->tag, pos->taglen,
	    (intmax_t)pos->off);
}

const char *
logpos_scan(const char *s, struct logpos *pos)
{
	uintmax_t	 v[5];
	const uintmax_t	 max[5] = { UINTMAX_MAX, UINTMAX_MAX, UINT32_MAX,
			    LOGPOS_TAG_LEN, INTMAX_MAX };
	size_t		 i;

	for (i = 0; i < 5; i++) {
		if (i > 0 && *s++ != ' ')
			return NULL;
		if ((s = scan_num(s, max[i], &v[i])) == NULL)
			return NULL;
	}
	memset(pos, 0, sizeof(*pos));
	pos->known = true;
	pos->dev = (dev_t)v[0];
	pos->ino = (ino_t)v[1];
	pos->tag = (uint32_t)v[2];
	pos->taglen = (unsigned)v[3];
	pos->off = (off_t)v[4];
	return s;
}

int
logpos_load(const char *file, struct logpos *pos)
{
	static const char magic[] = "ekahook-pos 2 ";
	char		 text[160];
	const char	*end;
	ssize_t		 n;
	int		 fd;

	memset(pos, 0, sizeof(*pos));
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 1 : -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	if (strcmp(text, "ekahook-pos 2 none\n") == 0)
		return 0;
	if (strncmp(text, magic, sizeof(magic) - 1) != 0 ||
	    (end = logpos_scan(text + sizeof(magic) - 1, pos)) == NULL ||
	    strcmp(end, "\n") != 0) {
		memset(pos, 0, sizeof(*pos));
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* Writes pos into a new temporary file beside file; its name in tmp. */
static int
write_pos_file(const char *file, const struct logpos *pos, bool sync,
    char *tmp, size_t tmplen)
{
	char	 text[160], num[128];
	int	 fd, n, saved;

	if (pos->known) {
		(void)logpos_format(num, sizeof(num), pos);
		n = snprintf(text, sizeof(text), "ekahook-pos 2 %s\n", num);
	} else
		n = snprintf(text, sizeof(text), "ekahook-pos 2 none\n");
	if (snprintf(tmp, tmplen, "%s.%ld.tmp", file, (long)getpid()) >=
	    (int)tmplen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    LOGPOS_MODE)) == -1)
		return -1;
	if (write(fd, text, (size_t)n) != n || (sync && fdatasync(fd) == -1)) {
		saved = errno ? errno : EIO;
		close(fd);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	close(fd);
	return 0;
}

int
logpos_save(const char *file, const struct logpos *pos, bool sync)
{
	char	 tmp[PATH_MAX];
	int	 saved;

	if (write_pos_file(file, pos, sync, tmp, sizeof(tmp)) == -1)
		return -1;
	if (rename(tmp, file) == -1) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	if (sync)
		logfile_sync_dir(file);
	return 0;
}

int
logpos_create(const char *file, const struct logpos *pos, bool sync)
{
	char	 tmp[PATH_MAX];
	int	 rc = 0, saved;

	if (write_pos_file(file, pos, sync, tmp, sizeof(tmp)) == -1)
		return -1;
	/* link(2), unlike rename(2), never replaces: the first one stays. */
	if (link(tmp, file) == -1) {
		saved = errno;
		rc = saved == EEXIST ? 1 : -1;
		errno = saved;
	}
	saved = errno;
	unlink(tmp);
	errno = saved;
	if (rc == 0 && sync)
		logfile_sync_dir(file);
	return rc;
}

void
logpos_end(const char *path, struct logpos *pos)
{
	struct stat	 st;
	int		 fd;

	memset(pos, 0, sizeof(*pos));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		pos->known = true;
		pos->dev = st.st_dev;
		pos->ino = st.st_ino;
		pos->off = st.st_size;
		take_tag(fd, pos);
	}
	close(fd);
}

bool
logpos_after(const char *path, unsigned keep, const struct logpos *a,
    const struct logpos *b)
{
	int	 ra, rb;

	if (!a->known)
		return false;
	if (!b->known)
		return true;
	if (logpos_same_file(a, b))
		return a->off > b->off;
	ra = logtail_rank(path, keep, a, NULL, 0);
	rb = logtail_rank(path, keep, b, NULL, 0);
	if (ra < 0)
		return false;
	return rb < 0 || ra < rb;
}

bool
logpos_behind(const char *path, unsigned keep, const struct logpos *pos)
{
	struct stat	 st;
	int		 r;

	if (!pos->known)
		return oldest_rank(path, keep) >= 0;
	r = logtail_rank(path, keep, pos, NULL, 0);
	if (r != 0)
		return r > 0 || oldest_rank(path, keep) >= 0;
	return stat(path, &st) == 0 && st.st_size > pos->off;
}

void
logtail_init(struct logtail *lt, const char *path, unsigned keep,
    const struct logpos *start)
{
	memset(lt, 0, sizeof(*lt));
	lt->path = strdup(path);
	lt->keep = keep;
	lt->fd = -1;
	if (start != NULL)
		lt->at = *start;
	buf_init(&lt->buf);
}

void
logtail_free(struct logtail *lt)
{
	if (lt->fd != -1)
		close(lt->fd);
	free(lt->path);
	buf_free(&lt->buf);
	memset(lt, 0, sizeof(*lt));
	lt->fd = -1;
}

/*
 * Opens the file of rank k, which must be the file want (when given).
 * Reading starts at lt->at.off when it is the file of lt->at, else at
 * 0.  Returns 0, or -1 when it is not there.
 */
static int
open_rank(struct logtail *lt, int k, const struct logpos *want)
{
	char		 name[PATH_MAX];
	struct stat	 st;
	struct logpos	 id;
	uint32_t	 tag;
	int		 fd;

	if (lt->path == NULL || rank_name(lt->path, lt->keep, k, name,
	    sizeof(name)) == -1)
		return -1;
	if ((fd = open(name, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (want != NULL && (st.st_dev != want->dev ||
	    st.st_ino != want->ino || (want->taglen > 0 &&
	    (tag_of_fd(fd, want->taglen, &tag) == -1 || tag != want->tag))))) {
		close(fd);
		return -1;
	}
	memset(&id, 0, sizeof(id));
	id.known = true;
	id.dev = st.st_dev;
	id.ino = st.st_ino;
	if (want != NULL) {
		id.tag = want->tag;
		id.taglen = want->taglen;
	}
	if (logpos_same_file(&lt->at, &id)) {
		id.off = lt->at.off;
		if (id.taglen < lt->at.taglen) {
			id.tag = lt->at.tag;
			id.taglen = lt->at.taglen;
		}
	}
	/* Cut short behind our back (copytruncate): read what is there. */
	if (id.off > st.st_size)
		id.off = 0;
	if (id.off > 0 && lseek(fd, id.off, SEEK_SET) == -1) {
		close(fd);
		return -1;
	}
	take_tag(fd, &id);
	if (lt->fd != -1)
		close(lt->fd);
	lt->fd = fd;
	lt->at = id;
	buf_reset(&lt->buf);
	lt->used = 0;
	lt->rotated = lt->drained = lt->skipping = false;
	/* Held files before this one were read to their end. */
	if (lt->drop_held)
		drop_held(lt, &lt->at);
	return 0;
}

/* Opens the file of the start position, else the oldest one there is. */
static int
open_start(struct logtail *lt)
{
	int	 k;

	if ((k = logtail_rank(lt->path, lt->keep, &lt->at, NULL, 0)) >= 0) {
		/* Failing here is a race with a rotation: try again later. */
		(void)open_rank(lt, k, &lt->at);
		return 0;
	}
	/* Gone (or never known): every file there is came after it. */
	if ((k = oldest_rank(lt->path, lt->keep)) >= 0) {
		lt->at.known = false;
		if (open_rank(lt, k, NULL) == -1 && errno != ENOENT)
			return -1;
	}
	return 0;
}

/*
 * Deletes the held files the runner is done with: every one older than
 * the file at is in (all of them when that is no held file), never that
 * file itself.  Found by name and identity, oldest first: a rotation
 * holding another file meanwhile only pushes the others to higher
 * indices, never a newer one past the file at.
 */
static void
drop_held(struct logtail *lt, const struct logpos *at)
{
	char	 name[PATH_MAX];
	size_t	 i, n, own, stop;

	n = logheld_count(lt->path);
	for (own = 0; own < n; own++)
		if (logheld_name(lt->path, own, name, sizeof(name)) == 0 &&
		    is_file(name, at))
			break;
	stop = own < n ? own + 1 : 0;
	for (i = n; i-- > stop;)
		if (logheld_name(lt->path, i, name, sizeof(name)) == 0 &&
		    !is_file(name, at))
			(void)unlink(name);
}

/*
 * Moves from the finished, rotated file to the one written after it.
 * Returns 1 when it moved, 0 when that file is not there yet.
 */
static int
switch_next(struct logtail *lt)
{
	char		 name[PATH_MAX];
	struct stat	 st;
	struct logpos	 cand;
	int		 k, want, tries, again;

	for (tries = 0; tries < LOGTAIL_SWITCH_TRIES; tries++) {
		k = logtail_rank(lt->path, lt->keep, &lt->at, NULL, 0);
		if (k == 0)
			return 0;	/* still at the path: not rotated */
		/* Normally rank k - 1; a file deleted by hand is passed by. */
		want = k > 0 ? newer_rank(lt->path, lt->keep, k) :
		    oldest_rank(lt->path, lt->keep);
		if (want < 0 || rank_name(lt->path, lt->keep, want, name,
		    sizeof(name)) == -1 || stat(name, &st) == -1)
			return 0;
		/* Still the successor?  A rotation may have run meanwhile. */
		again = logtail_rank(lt->path, lt->keep, &lt->at, NULL, 0);
		if (again != k || (k < 0 &&
		    oldest_rank(lt->path, lt->keep) != want))
			continue;
		memset(&cand, 0, sizeof(cand));
		cand.known = true;
		cand.dev = st.st_dev;
		cand.ino = st.st_ino;
		if (open_rank(lt, want, &cand) == 0)
			return 1;
	}
	return 0;
}

/* Forgets the bytes already taken, keeping at.off in step. */
static void
drop_taken(struct logtail *lt)
{
	if (lt->used == 0)
		return;
	memmove(lt->buf.data, lt->buf.data + lt->used, lt->buf.len - lt->used);
	lt->buf.len -= lt->used;
	lt->at.off += (off_t)lt->used;
	lt->used = 0;
}

int
logtail_next(struct logtail *lt, const char **line, size_t *len,
    struct logpos *after)
{
	struct stat	 st;
	char		*nl;
	ssize_t		 n;

	for (;;) {
		if (lt->fd == -1) {
			if (open_start(lt) == -1)
				return -1;
			if (lt->fd == -1)
				return 0;
		}
		nl = lt->buf.len > lt->used ? memchr(lt->buf.data + lt->used,
		    '\n', lt->buf.len - lt->used) : NULL;
		if (nl != NULL && lt->skipping) {
			lt->used = (size_t)(nl + 1 - lt->buf.data);
			lt->skipping = false;
			continue;
		}
		if (nl != NULL) {
			*line = lt->buf.data + lt->used;
			*len = (size_t)(nl + 1 - *line);
			lt->used += *len;
			take_tag(lt->fd, &lt->at);
			*after = lt->at;
			after->off += (off_t)lt->used;
			return 1;
		}
		drop_taken(lt);
		if (lt->skipping || lt->buf.len > LOGTAIL_LINE_MAX) {
			/* Too long to be ours: skipped up to its newline. */
			lt->skipping = true;
			lt->at.off += (off_t)lt->buf.len;
			lt->buf.len = 0;
		}
		if (!buf_grow(&lt->buf, LOGTAIL_CHUNK))
			return -1;
		n = read(lt->fd, lt->buf.data + lt->buf.len, LOGTAIL_CHUNK);
		if (n > 0) {
			lt->buf.len += (size_t)n;
			continue;
		}
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		/* At the end: is this file still the one at the path? */
		if (!lt->rotated) {
			if (stat(lt->path, &st) == 0 &&
			    st.st_dev == lt->at.dev && st.st_ino == lt->at.ino)
				return 0;
			/* Renamed: its writes ended before; read once more. */
			lt->rotated = true;
			continue;
		}
		if (!lt->drained) {
			lt->drained = true;
			if (lt->buf.len > 0 && !lt->skipping) {
				/* A torn last line (a crash): given as is. */
				*line = lt->buf.data;
				*len = lt->buf.len;
				lt->used = lt->buf.len;
				take_tag(lt->fd, &lt->at);
				*after = lt->at;
				after->off += (off_t)lt->used;
				return 1;
			}
		}
		if (switch_next(lt) == 0)
			return 0;
	}
}

void
logtail_seek(struct logtail *lt, const struct logpos *pos)
{
	if (lt->fd != -1)
		close(lt->fd);
	lt->fd = -1;
	lt->at = *pos;
	buf_reset(&lt->buf);
	lt->used = 0;
	lt->rotated = lt->drained = lt->skipping = false;
}

const char *
logtail_name(const struct logtail *lt, char *name, size_t namelen)
{
	if (logtail_rank(lt->path, lt->keep, &lt->at, name, namelen) < 0)
		return NULL;
	return name;
}

bool
logtail_pending(struct logtail *lt)
{
	struct stat	 st;

	if (lt->fd == -1 && open_start(lt) == -1)
		return false;
	if (lt->fd == -1)
		return false;
	/* A whole line read ahead; a torn one alone waits for more. */
	if (lt->buf.len > lt->used && memchr(lt->buf.data + lt->used, '\n',
	    lt->buf.len - lt->used) != NULL)
		return true;
	if (fstat(lt->fd, &st) == 0 &&
	    st.st_size > lt->at.off + (off_t)lt->buf.len)
		return true;
	/* Rotated: the next file may hold lines. */
	return stat(lt->path, &st) == 0 && (st.st_dev != lt->at.dev ||
	    st.st_ino != lt->at.ino);
}
