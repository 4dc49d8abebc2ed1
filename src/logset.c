/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logset.h"
#include "timefmt.h"

#define CHUNK		(1024 * 1024)
#define BACK_CHUNK	(64 * 1024)	/* read back from a file's end */
/*
 * A file's mtime comes from the kernel's coarse clock, which may lag the
 * clock that stamped received_at by a tick: a file this much older may
 * still have taken the line.
 */
#define MTIME_SLACK	1
#define LINE_MAX_READ	(65L * 1024 * 1024)	/* longer: skipped */

static char	*rank_name(const char *, unsigned);
static bool	 written_since(const char *, const struct timespec *);
static bool	 file_holds(const char *, const char *, size_t);
static const char *member(const char *, size_t, const char *, size_t *);

static char *
rank_name(const char *path, unsigned k)
{
	size_t	 n = strlen(path) + 16;
	char	*s;

	if ((s = malloc(n)) != NULL) {
		if (k == 0)
			snprintf(s, n, "%s", path);
		else
			snprintf(s, n, "%s.%u", path, k);
	}
	return s;
}

int
logset_list(const char *path, unsigned keep, char ***names, size_t *n)
{
	struct stat	 st;
	char		**v, *name;
	unsigned	 k, top = 0;
	size_t		 i = 0;

	*names = NULL;
	*n = 0;
	for (k = 1; k <= keep + LOGSET_EXTRA; k++) {
		if ((name = rank_name(path, k)) == NULL)
			return -1;
		if (stat(name, &st) == 0)
			top = k;
		else if (k > keep)
			k = keep + LOGSET_EXTRA;	/* past the last */
		free(name);
	}
	if ((v = calloc((size_t)top + 1, sizeof(*v))) == NULL)
		return -1;
	for (k = top + 1; k-- > 0;) {
		if ((name = rank_name(path, k)) == NULL) {
			logset_free(v, i);
			return -1;
		}
		if (stat(name, &st) == 0 && S_ISREG(st.st_mode))
			v[i++] = name;
		else
			free(name);
	}
	*names = v;
	*n = i;
	return 0;
}

void
logset_free(char **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* True when file was written to at or after *t (give or take a tick). */
static bool
written_since(const char *file, const struct timespec *t)
{
	struct stat	 st;

	return stat(file, &st) == 0 && st.st_mtim.tv_sec >= t->tv_sec -
	    MTIME_SLACK;
}

/*
 * True when file's text holds needle.  It is read from its end back: the
 * line looked for was appended shortly before the hook ran, most often.
 * A chunk keeps the first nlen - 1 bytes of the one after it, so that a
 * needle across their border is seen.
 */
static bool
file_holds(const char *file, const char *needle, size_t nlen)
{
	struct stat	 st;
	char		*buf;
	off_t		 end;
	size_t		 want, carry = 0;
	ssize_t		 r;
	bool		 found = false;
	int		 fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	if (fstat(fd, &st) == -1 || (buf = malloc(BACK_CHUNK + nlen)) ==
	    NULL) {
		close(fd);
		return false;
	}
	for (end = st.st_size; end > 0 && !found; end -= (off_t)want) {
		want = end > BACK_CHUNK ? BACK_CHUNK : (size_t)end;
		memmove(buf + want, buf, carry);
		do
			r = pread(fd, buf, want, end - (off_t)want);
		while (r == -1 && errno == EINTR);
		if (r != (ssize_t)want)
			break;
		found = memmem(buf, want + carry, needle, nlen) != NULL;
		carry = want < nlen - 1 ? want : nlen - 1;
	}
	free(buf);
	close(fd);
	return found;
}

char *
logset_holder(const char *path, unsigned keep, const char *id,
    const struct timespec *received)
{
	char	**names, *needle, *r = NULL;
	size_t	  n, i, first, nlen;

	if (logset_list(path, keep, &names, &n) == -1)
		return NULL;
	/* Files are oldest first; the holder was written since received. */
	for (first = 0; first < n && !written_since(names[first], received);
	    first++)
		;
	nlen = strlen(id) + sizeof("\"request_id\":\"\"") - 1;
	if (first + 1 == n) {
		/* No rotation since: only this file can hold it. */
		r = names[first];
		names[first] = NULL;
	} else if (first < n && (needle = malloc(nlen + 1)) != NULL) {
		snprintf(needle, nlen + 1, "\"request_id\":\"%s\"", id);
		for (i = first; i < n && r == NULL; i++)
			if (file_holds(names[i], needle, nlen)) {
				r = names[i];
				names[i] = NULL;
			}
		free(needle);
	}
	logset_free(names, n);
	return r;
}

enum logset_end
logset_lines(const char *file, long long *off, logset_line_fn fn, void *arg)
{
	enum logset_end	 rc;
	int		 fd, saved;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		return LOGSET_ERROR;
	rc = logset_lines_fd(fd, off, fn, arg);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

enum logset_end
logset_lines_fd(int fd, long long *off, logset_line_fn fn, void *arg)
{
	char		*buf, *nb, *p, *nl;
	size_t		 cap = CHUNK, have = 0, used;
	ssize_t		 r;
	bool		 skipping = false;
	enum logset_end	 rc = LOGSET_EOF;

	if ((buf = malloc(cap)) == NULL)
		return LOGSET_ERROR;
	for (;;) {
		if (have == cap) {
			/* One line fills the buffer: grow, or skip it. */
			if (cap >= (size_t)LINE_MAX_READ) {
				skipping = true;
				*off += (long long)have;
				have = 0;
			} else if ((nb = realloc(buf, cap * 2)) != NULL) {
				buf = nb;
				cap *= 2;
			} else {
				rc = LOGSET_ERROR;
				break;
			}
		}
		r = pread(fd, buf + have, cap - have, (off_t)(*off +
		    (long long)have));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == -1)
				rc = LOGSET_ERROR;
			break;
		}
		have += (size_t)r;
		for (p = buf, used = 0; (nl = memchr(p, '\n', have - used)) !=
		    NULL; p = nl + 1) {
			used = (size_t)(nl + 1 - buf);
			if (skipping)
				skipping = false;
			else if (fn(p, (size_t)(nl - p), arg)) {
				*off += (long long)used;
				rc = LOGSET_STOPPED;
				goto done;
			}
		}
		used = (size_t)(p - buf);
		*off += (long long)used;
		memmove(buf, p, have - used);
		have -= used;
	}
done:
	free(buf);
	return rc;
}

/* Just after `"key":` in line, or NULL. */
static const char *
member(const char *line, size_t len, const char *key, size_t *rest)
{
	char		 pat[64];
	const char	*p;
	int		 n;

	n = snprintf(pat, sizeof(pat), "\"%s\":", key);
	if (n < 0 || (size_t)n >= sizeof(pat) ||
	    (p = memmem(line, len, pat, (size_t)n)) == NULL)
		return NULL;
	p += n;
	*rest = len - (size_t)(p - line);
	return p;
}

const char *
logline_str(const char *line, size_t len, const char *key, size_t *vlen)
{
	const char	*p, *q;
	size_t		 rest;

	if ((p = member(line, len, key, &rest)) == NULL || rest < 2 ||
	    *p != '"')
		return NULL;
	for (q = ++p; q < line + len && *q != '"'; q++)
		if (*q == '\\')
			q++;
	if (q >= line + len)
		return NULL;
	*vlen = (size_t)(q - p);
	return p;
}

int
logline_int(const char *line, size_t len, const char *key, long long *v)
{
	const char	*p, *end;
	size_t		 rest;
	bool		 neg;

	if ((p = member(line, len, key, &rest)) == NULL || rest == 0)
		return -1;
	end = p + rest;
	if ((neg = *p == '-'))
		p++;
	if (p >= end || *p < '0' || *p > '9')
		return -1;
	for (*v = 0; p < end && *p >= '0' && *p <= '9'; p++) {
		if (*v > 922337203685477579LL)
			return -1;
		*v = *v * 10 + (*p - '0');
	}
	if (neg)
		*v = -*v;
	return 0;
}

int
logline_bool(const char *line, size_t len, const char *key, bool *v)
{
	const char	*p;
	size_t		 rest;

	if ((p = member(line, len, key, &rest)) == NULL)
		return -1;
	if (rest >= 4 && memcmp(p, "true", 4) == 0)
		*v = true;
	else if (rest >= 5 && memcmp(p, "false", 5) == 0)
		*v = false;
	else
		return -1;
	return 0;
}

bool
logline_true(const char *line, size_t len, const char *key)
{
	bool	 v;

	return logline_bool(line, len, key, &v) == 0 && v;
}

/* Days in month m of year y (proleptic Gregorian). */
static int
month_days(int y, int m)
{
	static const int	 days[12] = { 31, 28, 31, 30, 31, 30, 31, 31,
				    30, 31, 30, 31 };

	return days[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) ||
	    y % 400 == 0));
}

static int
digits(const char *s, int n)
{
	int	 v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
logline_time(const char *s, size_t n, long long *ms)
{
	int	 y, mo, d, h, mi, se, f;

	/* 2026-11-23T20:20:42.123Z */
	if (n != 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != '.' || s[23] != 'Z')
		return -1;
	if ((y = digits(s, 4)) < 0 || (mo = digits(s + 5, 2)) < 1 ||
	    mo > 12 || (d = digits(s + 8, 2)) < 1 || d > month_days(y, mo) ||
	    (h = digits(s + 11, 2)) < 0 || h > 23 ||
	    (mi = digits(s + 14, 2)) < 0 || mi > 59 ||
	    (se = digits(s + 17, 2)) < 0 || se > 60 ||
	    (f = digits(s + 20, 3)) < 0)
		return -1;
	*ms = ((timefmt_days(y, mo, d) * 24 + h) * 60 + mi) * 60000LL +
	    se * 1000LL + f;
	return 0;
}
