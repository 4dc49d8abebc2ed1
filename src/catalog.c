/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"

#ifndef PKGDATADIR
#define PKGDATADIR	"/usr/local/share/ekahook"
#endif

#define SCHEMA_SUFFIX	".json"

static bool	 same_file(const struct stat *, const struct stat *);
static struct catalog_entry *entry_find(struct catalog *, bool,
		    const char *, size_t);
static struct catalog_entry *entry_add(struct catalog *, bool,
		    const char *);
static void	 entry_drop(struct catalog *, struct catalog_entry *);
static int	 entry_read(struct catalog *, struct catalog_entry *,
		    const char *);
static enum catalog_result entry_refresh(struct catalog *, bool,
		    const char *, const char *, size_t, const struct jschema **);
static int	 scan_user_dir(struct catalog *);
static int	 recheck_user(struct catalog *);
static enum catalog_result find(struct catalog *, const char *,
		    const struct jschema **);
static enum catalog_result recheck_broken(struct catalog *);
static int	 schema_path(char *, size_t, const char *, const char *,
		    size_t);
static bool	 schema_file_name(const char *, size_t *);
static char	*read_file(int, size_t *, char *, size_t, const char *);

void
catalog_init(struct catalog *cat)
{
	memset(cat, 0, sizeof(*cat));
}

static void
entry_clear(struct catalog_entry *e)
{
	free(e->path);
	free(e->error);
	jschema_free(e->schema);
	memset(e, 0, sizeof(*e));
}

void
catalog_free(struct catalog *cat)
{
	size_t	 i;

	for (i = 0; i < cat->n; i++)
		entry_clear(&cat->v[i]);
	free(cat->v);
	free(cat->user_dir);
	free(cat->shipped_dir);
	memset(cat, 0, sizeof(*cat));
}

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int
catalog_configure(struct catalog *cat, const char *user_dir,
    const char *shipped_dir)
{
	char	*u = NULL, *s = NULL;

	if (same_str(cat->user_dir, user_dir) &&
	    same_str(cat->shipped_dir, shipped_dir))
		return 0;
	if ((user_dir != NULL && (u = strdup(user_dir)) == NULL) ||
	    (s = strdup(shipped_dir)) == NULL) {
		free(u);
		return -1;
	}
	catalog_free(cat);
	cat->user_dir = u;
	cat->shipped_dir = s;
	return 0;
}

const char *
catalog_error(const struct catalog *cat)
{
	return cat->err;
}

char *
catalog_shipped_dir(const char *exe_dir)
{
	struct stat	 st;
	char		 p[PATH_MAX];
	int		 n;

	if (exe_dir != NULL) {
		n = snprintf(p, sizeof(p), "%s/schemas", exe_dir);
		if (n > 0 && (size_t)n < sizeof(p) && stat(p, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			return strdup(p);
	}
	return strdup(PKGDATADIR "/schemas");
}

/* The file was not replaced or changed since it was read. */
static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* dir + "/" + name[0..len) + ".json" into p.  Returns 0, or -1: too long. */
static int
schema_path(char *p, size_t size, const char *dir, const char *name,
    size_t len)
{
	size_t	 d = strlen(dir);

	if (d + 1 + len + sizeof(SCHEMA_SUFFIX) > size)
		return -1;
	memcpy(p, dir, d);
	p[d] = '/';
	memcpy(p + d + 1, name, len);
	memcpy(p + d + 1 + len, SCHEMA_SUFFIX, sizeof(SCHEMA_SUFFIX) - 1);
	p[d + 1 + len + sizeof(SCHEMA_SUFFIX) - 1] = '\0';
	return 0;
}

/* "<event>.json", not hidden: *len is the event's length. */
static bool
schema_file_name(const char *f, size_t *len)
{
	size_t	 n = strlen(f), s = sizeof(SCHEMA_SUFFIX) - 1;

	if (f[0] == '.' || n <= s || strcmp(f + n - s, SCHEMA_SUFFIX) != 0)
		return false;
	*len = n - s;
	return true;
}

/* The entry's event name is its file's base name without ".json". */
static struct catalog_entry *
entry_find(struct catalog *cat, bool user, const char *name, size_t len)
{
	struct catalog_entry	*e;
	const char		*b;
	size_t			 i;

	for (i = 0; i < cat->n; i++) {
		e = &cat->v[i];
		if (e->user != user)
			continue;
		b = strrchr(e->path, '/') + 1;
		if (b[0] == name[0] && strncmp(b, name, len) == 0 &&
		    strcmp(b + len, SCHEMA_SUFFIX) == 0)
			return e;
	}
	return NULL;
}

static struct catalog_entry *
entry_add(struct catalog *cat, bool user, const char *path)
{
	struct catalog_entry	*v;
	size_t			 cap;

	if (cat->n == cat->cap) {
		cap = cat->cap ? cat->cap * 2 : 32;
		if ((v = realloc(cat->v, cap * sizeof(*v))) == NULL)
			return NULL;
		cat->v = v;
		cat->cap = cap;
	}
	v = &cat->v[cat->n];
	memset(v, 0, sizeof(*v));
	if ((v->path = strdup(path)) == NULL)
		return NULL;
	v->user = user;
	cat->n++;
	return v;
}

static void
entry_drop(struct catalog *cat, struct catalog_entry *e)
{
	entry_clear(e);
	*e = cat->v[--cat->n];
}

/* Reads fd whole (at most CATALOG_FILE_MAX bytes); NULL with err. */
static char *
read_file(int fd, size_t *len, char *err, size_t errlen, const char *path)
{
	struct stat	 st;
	char		*b;
	size_t		 off = 0;
	ssize_t		 n;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > CATALOG_FILE_MAX) {
		snprintf(err, errlen, "schema %s: %s", path,
		    S_ISREG(st.st_mode) ? "larger than 1 MiB" :
		    "not a regular file");
		return NULL;
	}
	if ((b = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "schema %s: out of memory", path);
		return NULL;
	}
	while (off < (size_t)st.st_size &&
	    (n = read(fd, b + off, (size_t)st.st_size - off)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "schema %s: %s", path,
			    strerror(errno));
			free(b);
			return NULL;
		}
		off += (size_t)n;
	}
	b[off] = '\0';
	*len = off;
	return b;
}

struct jschema *
catalog_load(const char *path, char *err, size_t errlen)
{
	struct jschema	*s;
	cJSON		*root;
	const char	*end = NULL;
	char		*text, why[400];
	size_t		 len;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "schema %s: %s", path, strerror(errno));
		return NULL;
	}
	text = read_file(fd, &len, err, errlen, path);
	close(fd);
	if (text == NULL)
		return NULL;
	/* cJSON wants the terminating NUL inside the length it is given. */
	root = cJSON_ParseWithLengthOpts(text, len + 1, &end, true);
	if (root == NULL) {
		snprintf(err, errlen, "schema %s: not valid JSON (at byte %zu)",
		    path, end != NULL && end >= text ? (size_t)(end - text) :
		    (size_t)0);
		free(text);
		return NULL;
	}
	free(text);
	if ((s = jschema_compile(root, why, sizeof(why))) == NULL)
		snprintf(err, errlen, "schema %s: %s", path, why);
	cJSON_Delete(root);
	return s;
}

/* (Re)reads e from path; a problem is said on stderr.  Returns 0 or -1. */
static int
entry_read(struct catalog *cat, struct catalog_entry *e, const char *path)
{
	struct jschema	*s;
	struct stat	 st;

	if (stat(path, &st) == -1)
		memset(&st, 0, sizeof(st));
	jschema_free(e->schema);
	free(e->error);
	e->schema = NULL;
	e->error = NULL;
	e->st = st;
	if ((s = catalog_load(path, cat->err, sizeof(cat->err))) == NULL) {
		e->error = strdup(cat->err);
		return -1;
	}
	e->schema = s;
	return 0;
}

/*
 * The operator's directory, read again when it changed: every schema
 * file in it is loaded (a broken one is an error now, not at its first
 * event), and entries of files gone are dropped.
 */
static int
scan_user_dir(struct catalog *cat)
{
	struct catalog_entry	*e;
	struct dirent		*d;
	struct stat		 st;
	DIR			*dir;
	char			 p[PATH_MAX];
	size_t			 i, len;

	if (stat(cat->user_dir, &st) == -1) {
		snprintf(cat->err, sizeof(cat->err), "schema_dir %s: %s",
		    cat->user_dir, strerror(errno));
		cat->user_scanned = false;
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(cat->err, sizeof(cat->err),
		    "schema_dir %s: not a directory", cat->user_dir);
		cat->user_scanned = false;
		return -1;
	}
	if (cat->user_scanned && same_file(&st, &cat->user_st))
		return recheck_user(cat);
	if ((dir = opendir(cat->user_dir)) == NULL) {
		snprintf(cat->err, sizeof(cat->err), "schema_dir %s: %s",
		    cat->user_dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < cat->n; i++)
		cat->v[i].seen = false;
	while ((d = readdir(dir)) != NULL) {
		if (!schema_file_name(d->d_name, &len) ||
		    schema_path(p, sizeof(p), cat->user_dir, d->d_name,
		    len) == -1)
			continue;
		(void)entry_refresh(cat, true, p, d->d_name, len, NULL);
		if ((e = entry_find(cat, true, d->d_name, len)) != NULL)
			e->seen = true;
	}
	closedir(dir);
	for (i = cat->n; i-- > 0;)
		if (cat->v[i].user && !cat->v[i].seen)
			entry_drop(cat, &cat->v[i]);
	cat->user_st = st;
	cat->user_scanned = true;
	return 0;
}

/*
 * The operator's files, each looked at again: an editor that writes a
 * file in place leaves the directory's time as it was.
 */
static int
recheck_user(struct catalog *cat)
{
	struct catalog_entry	*e;
	struct stat		 st;
	size_t			 i;

	for (i = 0; i < cat->n; i++) {
		e = &cat->v[i];
		if (!e->user || e->schema == NULL)
			continue;	/* broken ones: recheck_broken() */
		if (stat(e->path, &st) == -1 || !same_file(&st, &e->st))
			(void)entry_read(cat, e, e->path);
	}
	return 0;
}

/*
 * The schema of name from path: the entry kept when the file is as it
 * was read, else the file read again.  schema may be NULL.
 */
static enum catalog_result
entry_refresh(struct catalog *cat, bool user, const char *path,
    const char *name, size_t len, const struct jschema **schema)
{
	struct catalog_entry	*e;
	struct stat		 st;

	e = entry_find(cat, user, name, len);
	if (stat(path, &st) == -1) {
		if (e != NULL)
			entry_drop(cat, e);
		if (errno == ENOENT || errno == ENOTDIR)
			return CATALOG_NONE;
		snprintf(cat->err, sizeof(cat->err), "schema %s: %s", path,
		    strerror(errno));
		return CATALOG_ERROR;
	}
	if (e == NULL || !same_file(&st, &e->st)) {
		if (e == NULL && (e = entry_add(cat, user, path)) == NULL) {
			snprintf(cat->err, sizeof(cat->err),
			    "schema %s: out of memory", path);
			return CATALOG_ERROR;
		}
		(void)entry_read(cat, e, path);
	}
	if (e->schema == NULL) {
		snprintf(cat->err, sizeof(cat->err), "%s", e->error != NULL ?
		    e->error : "out of memory");
		return CATALOG_ERROR;
	}
	if (schema != NULL)
		*schema = e->schema;
	return CATALOG_FOUND;
}

/* A broken file keeps every request an error until it is fixed or gone. */
static enum catalog_result
recheck_broken(struct catalog *cat)
{
	struct catalog_entry	*e;
	char			 path[PATH_MAX], *b;
	size_t			 i;

	for (i = 0; i < cat->n; i++) {
		e = &cat->v[i];
		if (e->schema != NULL)
			continue;
		snprintf(path, sizeof(path), "%s", e->path);
		b = strrchr(path, '/') + 1;
		if (entry_refresh(cat, e->user, path, b,
		    strlen(b) - (sizeof(SCHEMA_SUFFIX) - 1), NULL) ==
		    CATALOG_ERROR)
			return CATALOG_ERROR;
		i = (size_t)-1;		/* the list may have changed: again */
	}
	return CATALOG_NONE;
}

static enum catalog_result
find(struct catalog *cat, const char *event, const struct jschema **schema)
{
	enum catalog_result	 r;
	struct stat		 st;
	char			 p[PATH_MAX];
	size_t			 len;

	if (!cat->shipped_checked) {
		if (stat(cat->shipped_dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
			snprintf(cat->err, sizeof(cat->err), "the event schemas "
			    "shipped with ekahook are not in %s (install them, "
			    "or put the schemas directory beside the program)",
			    cat->shipped_dir);
			return CATALOG_ERROR;
		}
		cat->shipped_checked = true;
	}
	if (cat->user_dir != NULL && scan_user_dir(cat) == -1)
		return CATALOG_ERROR;
	if (recheck_broken(cat) == CATALOG_ERROR)
		return CATALOG_ERROR;
	if (event == NULL)
		return CATALOG_NONE;
	len = strlen(event);
	if (cat->user_dir != NULL) {
		if (schema_path(p, sizeof(p), cat->user_dir, event, len) == -1)
			return CATALOG_NONE;
		r = entry_refresh(cat, true, p, event, len, schema);
		if (r != CATALOG_NONE)
			return r;
	}
	if (schema_path(p, sizeof(p), cat->shipped_dir, event, len) == -1)
		return CATALOG_NONE;
	return entry_refresh(cat, false, p, event, len, schema);
}

enum catalog_result
catalog_find(struct catalog *cat, const char *event,
    const struct jschema **schema)
{
	enum catalog_result	 r;

	*schema = NULL;
	r = find(cat, event, schema);
	/* Said once per problem, like a configuration error. */
	if (r == CATALOG_ERROR && strcmp(cat->err, cat->said) != 0) {
		fprintf(stderr, "ekahook: configuration error: %s\n", cat->err);
		memcpy(cat->said, cat->err, sizeof(cat->said));
	} else if (r != CATALOG_ERROR)
		cat->said[0] = '\0';
	return r;
}

int
catalog_check_dir(const char *dir, catalog_problem_fn fn, void *arg)
{
	struct jschema	*s;
	struct dirent	*d;
	DIR		*dp;
	char		 p[PATH_MAX], err[512];
	size_t		 len;
	int		 n = 0, bad = 0;

	if ((dp = opendir(dir)) == NULL) {
		snprintf(err, sizeof(err), "%s: %s", dir, strerror(errno));
		fn(err, arg);
		return -1;
	}
	while ((d = readdir(dp)) != NULL) {
		if (!schema_file_name(d->d_name, &len) ||
		    schema_path(p, sizeof(p), dir, d->d_name, len) == -1)
			continue;
		if ((s = catalog_load(p, err, sizeof(err))) == NULL) {
			fn(err, arg);
			bad++;
		}
		jschema_free(s);
		n++;
	}
	closedir(dp);
	return bad > 0 ? -1 : n;
}
