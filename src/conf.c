/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

#define CONF_LINE_MAX		4096
#define CONF_KEY_WORD_MAX	32	/* an unknown key longer is not shown */
#define CONF_STATE_DIR_MODE	0750
#define CONF_MAX_BODY_LIMIT	(64ULL * 1024 * 1024)

enum ktype {
	K_PATH,			/* a path, made absolute */
	K_PATH_OR_EMPTY,	/* a path; empty: none */
	K_UINT,			/* a decimal within [min, max] */
	K_FSYNC,
	K_VALIDATION,
	K_UNKNOWN,		/* unknown_events */
	K_ADDRS,
	K_KEY,			/* signing_key, may repeat */
	K_KEYFILE,		/* signing_key_file, may repeat */
	K_LIST			/* hook_events */
};

struct key {
	const char		*name;
	enum ktype		 type;
	unsigned long long	 min, max;
	const char		*dflt;
};

/* ekahook.conf(5) KEYS: every key with its default. */
static const struct key keys[] = {
	{ "log_file",		K_PATH,		0, 0, "events.ndjson" },
	{ "log_max_bytes",	K_UINT,		0, UINT64_MAX, "10485760" },
	{ "log_keep",		K_UINT,		0, 1000, "10" },
	{ "log_fsync",		K_FSYNC,	0, 0, "always" },
	{ "reject_file",	K_PATH_OR_EMPTY, 0, 0, "rejected.ndjson" },
	{ "reject_body_max",	K_UINT,		0, CONF_MAX_BODY_LIMIT, "4096" },
	{ "max_body_bytes",	K_UINT,		1, CONF_MAX_BODY_LIMIT, "65536" },
	{ "allow_from",		K_ADDRS,	0, 0, "" },
	{ "signing_key",	K_KEY,		0, 0, NULL },
	{ "signing_key_file",	K_KEYFILE,	0, 0, NULL },
	{ "signature_tolerance", K_UINT,	0, 10LL * 365 * 86400, "180" },
	{ "validation",		K_VALIDATION,	0, 0, "strict" },
	{ "schema_dir",		K_PATH_OR_EMPTY, 0, 0, "" },
	{ "unknown_events",	K_UNKNOWN,	0, 0, "accept" },
	{ "hook",		K_PATH_OR_EMPTY, 0, 0, "" },
	{ "hook_events",	K_LIST,		0, 0, "*" },
	{ "hook_timeout",	K_UINT,		1, 86400, "30" },
	{ "hook_retries",	K_UINT,		0, 1000, "0" },
	{ "hook_max_running",	K_UINT,		1, 1024, "4" },
	{ "hook_log",		K_PATH,		0, 0, "hooks.ndjson" },
	{ "dedupe_window",	K_UINT,		0, 10LL * 365 * 86400, "86400" },
	{ "state_dir",		K_PATH,		0, 0, "state" },
	{ "alert_command",	K_PATH_OR_EMPTY, 0, 0, "" },
	{ "alert_interval",	K_UINT,		0, 10LL * 365 * 86400, "3600" },
};

#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

/*
 * Where loading puts a problem: err, and problem_fn when loading is to
 * go on past it (conf_load_all); n counts them.
 */
struct conf_report {
	char		*err;
	size_t		 errlen;
	conf_problem_fn	 fn;
	void		*arg;
	unsigned	 n;
};

static const struct key	*key_find(const char *, size_t);
static bool	 conf_problem(struct conf_report *);
static int	 conf_load_report(const char *, const char *, conf_getenv_fn,
		    void *, struct conf *, struct conf_report *);
static int	 conf_set(struct conf *, const struct key *, const char *,
		    char *, size_t);
static char	*path_join(const char *, const char *);
static char	*dir_absolute(const char *);
static int	 parse_uint(const char *, unsigned long long, unsigned long long,
		    unsigned long long *);
static int	 parse_list(const char *, char ***, size_t *);
static void	 free_list(char **, size_t);
static int	 conf_read_file(struct conf *, const char *,
		    struct conf_report *);
static char	*trim(char *);
static int	 read_key_file(struct conf *, char *, char *, size_t);
static bool	 same_stat(const struct stat *, const struct stat *);
static bool	 key_word(const char *);
static bool	 safe_owner(const struct stat *, const char *, const char *,
		    char *, size_t);
static bool	 key_files_same(const struct conf *);

static const struct key *
key_find(const char *name, size_t n)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++)
		if (strlen(keys[i].name) == n &&
		    memcmp(keys[i].name, name, n) == 0)
			return &keys[i];
	return NULL;
}

static char *
path_join(const char *dir, const char *p)
{
	char	*r;
	size_t	 n;

	if (p[0] == '/' || dir == NULL)
		return strdup(p);
	n = strlen(dir) + strlen(p) + 2;
	if ((r = malloc(n)) == NULL)
		return NULL;
	snprintf(r, n, "%s/%s", dir, p);
	return r;
}

/*
 * The directory relative paths are taken against, made absolute: the hook
 * gets absolute paths (EKAHOOK_LOG_FILE, ekahook(8) "The hook"), and a
 * later chdir must not move them.
 * Returns a malloc'd path or NULL.
 */
static char *
dir_absolute(const char *dir)
{
	char	 cwd[PATH_MAX];

	if (dir[0] == '/')
		return strdup(dir);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return NULL;
	if (strcmp(dir, ".") == 0)
		return strdup(cwd);
	return path_join(cwd, dir);
}

static int
parse_uint(const char *s, unsigned long long min, unsigned long long max,
    unsigned long long *out)
{
	unsigned long long	 v;
	char			*end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Splits a comma-separated list, blanks trimmed; "*" alone is NULL. */
static int
parse_list(const char *s, char ***out, size_t *n)
{
	char	*copy, *tok, *save = NULL, **v = NULL, **nv;
	size_t	 cnt = 0;

	*out = NULL;
	*n = 0;
	if ((copy = strdup(s)) == NULL)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		tok = trim(tok);
		if (*tok == '\0')
			continue;
		if (strcmp(tok, "*") == 0) {
			free_list(v, cnt);
			free(copy);
			return 0;
		}
		if ((nv = realloc(v, (cnt + 1) * sizeof(*v))) == NULL ||
		    (nv[cnt] = strdup(tok)) == NULL) {
			free_list(nv ? nv : v, cnt);
			free(copy);
			return -1;
		}
		v = nv;
		cnt++;
	}
	free(copy);
	*out = v;
	*n = cnt;
	return 0;
}

static void
free_list(char **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		e--;
	*e = '\0';
	return s;
}

/*
 * Adds the keys of a signing_key_file: one a line, blank lines and
 * lines starting with # left out.  Takes path (kept in c->key_files).
 * Returns 0, or -1 with the problem in err (never a key's text).
 */
static int
read_key_file(struct conf *c, char *path, char *err, size_t errlen)
{
	FILE		*fp;
	char		 line[CONF_LINE_MAX], *s, **v;
	struct stat	*st;
	size_t		 found = 0;
	int		 rc = -1;

	if ((v = realloc(c->key_files, (c->nkey_files + 1) *
	    sizeof(*v))) != NULL)
		c->key_files = v;
	if (v == NULL || (st = realloc(c->key_file_st, (c->nkey_files + 1) *
	    sizeof(*st))) == NULL) {
		free(path);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->key_file_st = st;
	c->key_files[c->nkey_files] = path;
	memset(&st[c->nkey_files], 0, sizeof(*st));
	c->nkey_files++;
	if ((fp = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "cannot read %.200s: %s", path,
		    strerror(errno));
		return -1;
	}
	(void)fstat(fileno(fp), &st[c->nkey_files - 1]);
	while (fgets(line, sizeof(line), fp) != NULL) {
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if ((v = realloc(c->signing_keys, (c->nsigning_keys + 1) *
		    sizeof(*v))) == NULL)
			goto nomem;
		c->signing_keys = v;
		if ((v[c->nsigning_keys] = strdup(s)) == NULL)
			goto nomem;
		c->nsigning_keys++;
		found++;
	}
	explicit_bzero(line, sizeof(line));
	if (ferror(fp))
		snprintf(err, errlen, "cannot read %.200s", path);
	else if (found == 0)
		snprintf(err, errlen, "%.200s holds no key", path);
	else
		rc = 0;
	fclose(fp);
	return rc;
nomem:
	explicit_bzero(line, sizeof(line));
	fclose(fp);
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* Sets one key from its text.  Returns 0, or -1 with the problem in err. */
static int
conf_set(struct conf *c, const struct key *k, const char *v, char *err,
    size_t errlen)
{
	unsigned long long	 u;
	char			*p, **keys_v;
	struct addr_list	 al;

	switch (k->type) {
	case K_PATH:
	case K_PATH_OR_EMPTY:
		if (*v == '\0' && k->type == K_PATH) {
			snprintf(err, errlen, "must not be empty");
			return -1;
		}
		p = *v == '\0' ? NULL : path_join(c->base_dir, v);
		if (*v != '\0' && p == NULL)
			goto nomem;
		if (strcmp(k->name, "log_file") == 0) {
			free(c->log_file);
			c->log_file = p;
		} else if (strcmp(k->name, "reject_file") == 0) {
			free(c->reject_file);
			c->reject_file = p;
		} else if (strcmp(k->name, "hook") == 0) {
			free(c->hook);
			c->hook = p;
		} else if (strcmp(k->name, "hook_log") == 0) {
			free(c->hook_log);
			c->hook_log = p;
		} else if (strcmp(k->name, "schema_dir") == 0) {
			free(c->schema_dir);
			c->schema_dir = p;
		} else if (strcmp(k->name, "alert_command") == 0) {
			free(c->alert_command);
			c->alert_command = p;
		} else {
			free(c->state_dir);
			c->state_dir = p;
		}
		return 0;
	case K_UINT:
		if (parse_uint(v, k->min, k->max, &u) == -1) {
			snprintf(err, errlen,
			    "must be a whole number from %llu to %llu, not \"%.64s\"",
			    k->min, k->max, v);
			return -1;
		}
		if (strcmp(k->name, "log_max_bytes") == 0)
			c->log_max_bytes = u;
		else if (strcmp(k->name, "log_keep") == 0)
			c->log_keep = (unsigned)u;
		else if (strcmp(k->name, "max_body_bytes") == 0)
			c->max_body_bytes = (size_t)u;
		else if (strcmp(k->name, "reject_body_max") == 0)
			c->reject_body_max = (size_t)u;
		else if (strcmp(k->name, "signature_tolerance") == 0)
			c->signature_tolerance = (long long)u;
		else if (strcmp(k->name, "hook_timeout") == 0)
			c->hook_timeout = (unsigned)u;
		else if (strcmp(k->name, "hook_retries") == 0)
			c->hook_retries = (unsigned)u;
		else if (strcmp(k->name, "hook_max_running") == 0)
			c->hook_max_running = (unsigned)u;
		else if (strcmp(k->name, "alert_interval") == 0)
			c->alert_interval = (long long)u;
		else
			c->dedupe_window = (long long)u;
		return 0;
	case K_FSYNC:
		if (strcmp(v, "always") == 0)
			c->log_fsync = true;
		else if (strcmp(v, "never") == 0)
			c->log_fsync = false;
		else {
			snprintf(err, errlen,
			    "must be \"always\" or \"never\", not \"%.64s\"", v);
			return -1;
		}
		return 0;
	case K_VALIDATION:
		if (schema_mode_parse(v, &c->validation) == -1) {
			snprintf(err, errlen,
			    "must be \"strict\" or \"relaxed\", not \"%.64s\"", v);
			return -1;
		}
		return 0;
	case K_UNKNOWN:
		if (strcmp(v, "accept") == 0)
			c->unknown_reject = false;
		else if (strcmp(v, "reject") == 0)
			c->unknown_reject = true;
		else {
			snprintf(err, errlen,
			    "must be \"accept\" or \"reject\", not \"%.64s\"", v);
			return -1;
		}
		return 0;
	case K_ADDRS:
		if (addr_list_parse(v, &al, err, errlen) == -1)
			return -1;
		addr_list_free(&c->allow_from);
		c->allow_from = al;
		return 0;
	case K_KEY:
		/* Never echo the value: it is a secret (ekahook.conf(5)). */
		if (*v == '\0') {
			snprintf(err, errlen, "must not be empty");
			return -1;
		}
		if ((keys_v = realloc(c->signing_keys,
		    (c->nsigning_keys + 1) * sizeof(*keys_v))) == NULL)
			goto nomem;
		c->signing_keys = keys_v;
		if ((keys_v[c->nsigning_keys] = strdup(v)) == NULL)
			goto nomem;
		c->nsigning_keys++;
		return 0;
	case K_KEYFILE:
		if (*v == '\0') {
			snprintf(err, errlen, "must not be empty");
			return -1;
		}
		if ((p = path_join(c->base_dir, v)) == NULL)
			goto nomem;
		return read_key_file(c, p, err, errlen);
	case K_LIST:
		free_list(c->hook_events, c->nhook_events);
		if (parse_list(v, &c->hook_events, &c->nhook_events) == -1)
			goto nomem;
		return 0;
	}
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

static int
conf_read_file(struct conf *c, const char *file, struct conf_report *r)
{
	FILE		*fp;
	char		 line[CONF_LINE_MAX], why[256], *s, *eq, *name, *val;
	unsigned	 lineno = 0;
	bool		 seen[NKEYS] = { false };
	const struct key *k;
	bool		 file_keys = false;
	char		*err = r->err;
	size_t		 errlen = r->errlen;

	if ((fp = fopen(file, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", file,
		    strerror(errno));
		(void)conf_problem(r);
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			snprintf(err, errlen, "%s:%u: line longer than %d bytes",
			    file, lineno, CONF_LINE_MAX - 2);
			if (!conf_problem(r))
				goto fail;
			/* Past the rest of that line. */
			while (fgets(line, sizeof(line), fp) != NULL &&
			    strchr(line, '\n') == NULL)
				;
			continue;
		}
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if ((eq = strchr(s, '=')) == NULL) {
			/*
			 * Name the key when the line starts with one; never
			 * echo the rest, which may be a signing key.
			 */
			if ((k = key_find(s, strcspn(s, " \t"))) != NULL)
				snprintf(err, errlen,
				    "%s:%u: %s: expected \"key = value\"",
				    file, lineno, k->name);
			else
				snprintf(err, errlen,
				    "%s:%u: expected \"key = value\"",
				    file, lineno);
			if (!conf_problem(r))
				goto fail;
			continue;
		}
		*eq = '\0';
		name = trim(s);
		val = trim(eq + 1);
		/* A comment may follow a value after a blank. */
		for (s = val; *s != '\0'; s++)
			if (*s == '#' && (s == val || s[-1] == ' ' ||
			    s[-1] == '\t')) {
				*s = '\0';
				val = trim(val);
				break;
			}
		if ((k = key_find(name, strlen(name))) == NULL) {
			/*
			 * Named only when it looks like a key: a line that is
			 * a signing key with its "=" padding, or a key whose
			 * "=" is missing, must not reach the error log.
			 */
			if (key_word(name))
				snprintf(err, errlen, "%s:%u: %s: unknown key",
				    file, lineno, name);
			else
				snprintf(err, errlen, "%s:%u: unknown key "
				    "(not shown: it is not a short word of "
				    "a-z, 0-9 and _)", file, lineno);
			if (!conf_problem(r))
				goto fail;
			continue;
		}
		if (seen[k - keys] && k->type != K_KEY && k->type != K_KEYFILE) {
			snprintf(err, errlen,
			    "%s:%u: %s: set twice (it may appear only once)",
			    file, lineno, k->name);
			if (!conf_problem(r))
				goto fail;
			continue;
		}
		if ((k->type == K_KEY || k->type == K_KEYFILE) && !file_keys) {
			file_keys = true;
			free_list(c->signing_keys, c->nsigning_keys);
			c->signing_keys = NULL;
			c->nsigning_keys = 0;
		}
		seen[k - keys] = true;
		if (conf_set(c, k, val, why, sizeof(why)) == -1) {
			snprintf(err, errlen, "%s:%u: %s: %s", file, lineno,
			    k->name, why);
			if (!conf_problem(r))
				goto fail;
			continue;
		}
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: read error", file);
		(void)conf_problem(r);
		goto fail;
	}
	fclose(fp);
	return r->n > 0 ? -1 : 0;
fail:
	fclose(fp);
	return -1;
}

/* A short word of a-z 0-9 _: what every key is, and no secret looks like. */
static bool
key_word(const char *s)
{
	size_t	 n;

	for (n = 0; s[n] != '\0'; n++)
		if (n >= CONF_KEY_WORD_MAX || !((s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
			return false;
	return n > 0;
}

/* Counts a problem; true when loading is to go on past it. */
static bool
conf_problem(struct conf_report *r)
{
	r->n++;
	if (r->fn == NULL)
		return false;
	r->fn(r->err, r->arg);
	return true;
}

int
conf_load(const char *file, const char *base_dir, conf_getenv_fn getenv_fn,
    void *arg, struct conf *c, char *err, size_t errlen)
{
	struct conf_report	 r = { err, errlen, NULL, NULL, 0 };

	return conf_load_report(file, base_dir, getenv_fn, arg, c, &r);
}

int
conf_load_all(const char *file, const char *base_dir,
    conf_getenv_fn getenv_fn, void *arg, struct conf *c,
    conf_problem_fn problem_fn, void *problem_arg)
{
	char			 err[512];
	struct conf_report	 r = { err, sizeof(err), problem_fn,
				    problem_arg, 0 };

	return conf_load_report(file, base_dir, getenv_fn, arg, c, &r);
}

static int
conf_load_report(const char *file, const char *base_dir,
    conf_getenv_fn getenv_fn, void *arg, struct conf *c,
    struct conf_report *r)
{
	char		 name[64], why[256], *p, *dir;
	char		*err = r->err;
	size_t		 errlen = r->errlen;
	const char	*v;
	size_t		 i, j;
	bool		 env_keys = false;

	memset(c, 0, sizeof(*c));
	if (file != NULL) {
		if ((c->file = strdup(file)) == NULL)
			goto nomem;
		dir = conf_dir_of(c->file);
	} else
		dir = strdup(base_dir != NULL ? base_dir : ".");
	if (dir == NULL)
		goto nomem;
	c->base_dir = dir_absolute(dir);
	free(dir);
	if (c->base_dir == NULL)
		goto nomem;
	for (i = 0; i < NKEYS; i++)
		if (keys[i].dflt != NULL &&
		    conf_set(c, &keys[i], keys[i].dflt, why, sizeof(why)) == -1)
			goto nomem;
	if (file != NULL && conf_read_file(c, file, r) == -1 && r->fn == NULL)
		goto fail;
	for (i = 0; i < NKEYS && getenv_fn != NULL; i++) {
		snprintf(name, sizeof(name), "EKAHOOK_%s", keys[i].name);
		for (j = 8; name[j] != '\0'; j++)
			name[j] = (char)toupper((unsigned char)name[j]);
		if ((v = getenv_fn(name, arg)) == NULL)
			continue;
		/* A key from the environment replaces every key of the file. */
		if ((keys[i].type == K_KEY || keys[i].type == K_KEYFILE) &&
		    !env_keys) {
			env_keys = true;
			free_list(c->signing_keys, c->nsigning_keys);
			c->signing_keys = NULL;
			c->nsigning_keys = 0;
		}
		if ((p = strdup(v)) == NULL)
			goto nomem;
		if (conf_set(c, &keys[i], trim(p), why, sizeof(why)) == -1) {
			snprintf(err, errlen, "environment %s: %s: %s", name,
			    keys[i].name, why);
			free(p);
			if (!conf_problem(r))
				goto fail;
			continue;
		}
		free(p);
	}
	if (r->n == 0)
		return 0;
	goto fail;
nomem:
	snprintf(err, errlen, "out of memory while loading the configuration");
	if (r->fn != NULL)
		r->fn(err, r->arg);
fail:
	conf_free(c);
	return -1;
}

void
conf_free(struct conf *c)
{
	size_t	 i;

	free(c->file);
	free(c->base_dir);
	free(c->log_file);
	free(c->reject_file);
	addr_list_free(&c->allow_from);
	for (i = 0; i < c->nsigning_keys; i++) {
		/* Wipe secrets before giving the memory back. */
		explicit_bzero(c->signing_keys[i], strlen(c->signing_keys[i]));
		free(c->signing_keys[i]);
	}
	free(c->signing_keys);
	free_list(c->key_files, c->nkey_files);
	free(c->key_file_st);
	free(c->hook);
	free_list(c->hook_events, c->nhook_events);
	free(c->hook_log);
	free(c->state_dir);
	free(c->schema_dir);
	free(c->alert_command);
	memset(c, 0, sizeof(*c));
}

bool
conf_hook_wants(const struct conf *c, const char *event)
{
	size_t	 i;

	if (c->hook == NULL || event == NULL)
		return false;
	if (c->hook_events == NULL)
		return true;
	for (i = 0; i < c->nhook_events; i++)
		if (strcmp(c->hook_events[i], event) == 0)
			return true;
	return false;
}

/* Owned by ekahook's user or root, and writable by no one else. */
static bool
safe_owner(const struct stat *st, const char *what, const char *path,
    char *why, size_t n)
{
	uid_t	 me = geteuid();

	if (st->st_uid != me && st->st_uid != 0) {
		snprintf(why, n, "%s %.200s is owned by uid %u, neither "
		    "ekahook's user (uid %u) nor root", what, path,
		    (unsigned)st->st_uid, (unsigned)me);
		return false;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, n, "%s %.200s is writable by its group or others",
		    what, path);
		return false;
	}
	return true;
}

bool
conf_path_trusted(const char *path, char *why, size_t n)
{
	struct stat	 st;
	char		*dir;
	bool		 ok;

	if (path[0] != '/') {
		snprintf(why, n, "%.200s is not an absolute path", path);
		return false;
	}
	if (stat(path, &st) == -1) {
		snprintf(why, n, "%.200s: %s", path, strerror(errno));
		return false;
	}
	if (!safe_owner(&st, "the file", path, why, n))
		return false;
	if ((dir = conf_dir_of(path)) == NULL) {
		snprintf(why, n, "out of memory");
		return false;
	}
	if (stat(dir, &st) == -1) {
		snprintf(why, n, "%.200s: %s", dir, strerror(errno));
		free(dir);
		return false;
	}
	ok = safe_owner(&st, "its directory", dir, why, n);
	free(dir);
	return ok;
}

char *
conf_find(const char *explicit_path, const char *exe_dir)
{
	char	*p;

	if (explicit_path != NULL && *explicit_path != '\0')
		return strdup(explicit_path);
	if (exe_dir != NULL) {
		if ((p = path_join(exe_dir, "ekahook.conf")) == NULL)
			return NULL;
		if (access(p, F_OK) == 0)
			return p;
		free(p);
	}
	if (access(SYSCONFDIR "/ekahook.conf", F_OK) == 0)
		return strdup(SYSCONFDIR "/ekahook.conf");
	return NULL;
}

char *
conf_exe_dir(void)
{
	char	 path[PATH_MAX], *slash;
	ssize_t	 n;

	if ((n = readlink("/proc/self/exe", path, sizeof(path) - 1)) <= 0)
		return strdup(".");
	path[n] = '\0';
	if ((slash = strrchr(path, '/')) == NULL)
		return strdup(".");
	if (slash == path)
		slash++;
	*slash = '\0';
	return strdup(path);
}

char *
conf_dir_of(const char *path)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

int
conf_make_state_dir(const char *state_dir, const char *dir)
{
	char	 p[PATH_MAX], *s;
	int	 n;

	n = dir != NULL ? snprintf(p, sizeof(p), "%s/%s", state_dir, dir) :
	    snprintf(p, sizeof(p), "%s", state_dir);
	if (n < 0 || (size_t)n >= sizeof(p)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (mkdir(p, CONF_STATE_DIR_MODE) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -1;
	/* Something above is missing: make the path from the top down. */
	for (s = p + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(p, CONF_STATE_DIR_MODE) == -1 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(p, CONF_STATE_DIR_MODE) == 0 || errno == EEXIST ? 0 : -1;
}

const char *
conf_process_getenv(const char *name, void *arg)
{
	(void)arg;
	return getenv(name);
}

static bool
same_stat(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* The signing_key_files are as they were read (one stat each). */
static bool
key_files_same(const struct conf *c)
{
	struct stat	 st;
	size_t		 i;

	for (i = 0; i < c->nkey_files; i++)
		if (stat(c->key_files[i], &st) == -1 ||
		    !same_stat(&st, &c->key_file_st[i]))
			return false;
	return true;
}

const struct conf *
conf_cache_get(struct conf_cache *cc, const char *path, const char *exe_dir)
{
	struct stat	 st;
	bool		 same_path, have_st;

	memset(&st, 0, sizeof(st));
	have_st = path != NULL && stat(path, &st) == 0;
	same_path = (path == NULL && cc->path == NULL) ||
	    (path != NULL && cc->path != NULL && strcmp(path, cc->path) == 0);
	if (cc->loaded && same_path && (path == NULL ||
	    (!have_st && cc->failed) || (have_st && same_stat(&st, &cc->st))) &&
	    (cc->failed || key_files_same(&cc->conf)))
		return cc->failed ? NULL : &cc->conf;
	if (cc->loaded && !cc->failed)
		conf_free(&cc->conf);
	free(cc->path);
	cc->path = path != NULL ? strdup(path) : NULL;
	cc->st = st;
	cc->loaded = true;
	cc->failed = conf_load(path, exe_dir, conf_process_getenv, NULL,
	    &cc->conf, cc->err, sizeof(cc->err)) == -1;
	if (cc->failed)
		fprintf(stderr, "ekahook: configuration error: %s\n", cc->err);
	return cc->failed ? NULL : &cc->conf;
}

void
conf_cache_free(struct conf_cache *cc)
{
	if (cc->loaded && !cc->failed)
		conf_free(&cc->conf);
	free(cc->path);
	memset(cc, 0, sizeof(*cc));
}
