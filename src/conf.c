/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "path.h"

#define CONF_LINE_MAX		4096
#define CONF_KEY_WORD_MAX	32	/* an unknown key longer is not shown */
#define CONF_STATE_DIR_MODE	0750
#define CONF_MAX_BODY_LIMIT	(64ULL * 1024 * 1024)
#define CONF_TEN_YEARS		(10ULL * 365 * 86400)	/* in seconds */

struct key;

/*
 * Sets a key from its text: field is the key's field of struct conf (the
 * row's off).  Returns 0, or -1 with the problem in err.
 */
typedef int	(*key_set_fn)(struct conf *, const struct key *, void *field,
		    const char *, char *, size_t);

/* A word of a yes-or-no key and the value it stands for. */
struct bool_word {
	const char	*word;
	bool		 value;
};

/*
 * A row of keys[].  Setting a key is finding its row and calling its
 * parser on its field; the file, the environment and the defaults all
 * go through key_set.
 */
struct key {
	const char		*name;
	const char		*dflt;		/* NULL: none */
	key_set_fn		 set;		/* the parser of its kind */
	size_t			 off;		/* its field of struct conf */
	unsigned long long	 min, max;	/* a number's range */
	const struct bool_word	*words;		/* a yes-or-no key's two */
	size_t			 n_off;		/* a list's count (size_t) */
	bool			 signing;	/* see drop_signing_keys */
};

static int	 set_path(struct conf *, const struct key *, void *,
		    const char *, char *, size_t);
static int	 set_path_or_none(struct conf *, const struct key *, void *,
		    const char *, char *, size_t);
static int	 set_uint64(struct conf *, const struct key *, void *,
		    const char *, char *, size_t);
static int	 set_size(struct conf *, const struct key *, void *,
		    const char *, char *, size_t);
static int	 set_uint(struct conf *, const struct key *, void *,
		    const char *, char *, size_t);
static int	 set_llong(struct conf *, const struct key *, void *,
		    const char *, char *, size_t);
static int	 set_bool(struct conf *, const struct key *, void *,
		    const char *, char *, size_t);
static int	 set_mode(struct conf *, const struct key *, void *,
		    const char *, char *, size_t);
static int	 set_addrs(struct conf *, const struct key *, void *,
		    const char *, char *, size_t);
static int	 set_key(struct conf *, const struct key *, void *,
		    const char *, char *, size_t);
static int	 set_key_file(struct conf *, const struct key *, void *,
		    const char *, char *, size_t);
static int	 set_list(struct conf *, const struct key *, void *,
		    const char *, char *, size_t);

/*
 * The offset of field f of struct conf, which must be of type t: a row's
 * parser writes its field as that type.
 * NOLINTBEGIN(bugprone-macro-parentheses): t is a type name. */
#define KEY_AT(f, t)	_Generic(((struct conf *)0)->f, \
			    t: offsetof(struct conf, f))
/* NOLINTEND(bugprone-macro-parentheses) */

/* The parser of each kind of value and the field it sets. */
#define KEY_PATH(f)		.set = set_path, .off = KEY_AT(f, char *)
#define KEY_PATH_OR_NONE(f)	.set = set_path_or_none, \
				    .off = KEY_AT(f, char *)
#define KEY_UINT64(f)		.set = set_uint64, .off = KEY_AT(f, uint64_t)
#define KEY_SIZE(f)		.set = set_size, .off = KEY_AT(f, size_t)
#define KEY_UINT(f)		.set = set_uint, .off = KEY_AT(f, unsigned)
#define KEY_LLONG(f)		.set = set_llong, .off = KEY_AT(f, long long)
#define KEY_BOOL(f)		.set = set_bool, .off = KEY_AT(f, bool)
#define KEY_MODE(f)		.set = set_mode, \
				    .off = KEY_AT(f, enum schema_mode)
#define KEY_ADDRS(f)		.set = set_addrs, \
				    .off = KEY_AT(f, struct addr_list)
#define KEY_KEYS(f, n)		.set = set_key, .off = KEY_AT(f, char **), \
				    .n_off = KEY_AT(n, size_t)
/* Also sets nkey_files, key_file_st and the keys (read_key_file). */
#define KEY_KEY_FILES(f)	.set = set_key_file, .off = KEY_AT(f, char **)
#define KEY_LIST(f, n)		.set = set_list, .off = KEY_AT(f, char **), \
				    .n_off = KEY_AT(n, size_t)

static const struct bool_word fsync_words[2] = {
	{ "always", true }, { "never", false }
};
static const struct bool_word unknown_words[2] = {
	{ "accept", false }, { "reject", true }
};

/*
 * ekahook.conf(5) KEYS: every key with its default, then its kind of
 * value and the field it sets.
 */
static const struct key keys[] = {
	{ "log_file",		"events.ndjson",
	    KEY_PATH(log_file) },
	{ "log_max_bytes",	"10485760",
	    KEY_UINT64(log_max_bytes), .min = 0, .max = UINT64_MAX },
	{ "log_keep",		"10",
	    KEY_UINT(log_keep), .min = 0, .max = 1000 },
	{ "log_fsync",		"always",
	    KEY_BOOL(log_fsync), .words = fsync_words },
	{ "reject_file",	"rejected.ndjson",
	    KEY_PATH_OR_NONE(reject_file) },
	{ "reject_body_max",	"4096",
	    KEY_SIZE(reject_body_max), .min = 0, .max = CONF_MAX_BODY_LIMIT },
	{ "max_body_bytes",	"65536",
	    KEY_SIZE(max_body_bytes), .min = 1, .max = CONF_MAX_BODY_LIMIT },
	{ "allow_from",		"",
	    KEY_ADDRS(allow_from) },
	{ "signing_key",	NULL,
	    KEY_KEYS(signing_keys, nsigning_keys), .signing = true },
	{ "signing_key_file",	NULL,
	    KEY_KEY_FILES(key_files), .signing = true },
	{ "signature_tolerance", "180",
	    KEY_LLONG(signature_tolerance), .min = 0, .max = CONF_TEN_YEARS },
	{ "validation",		"strict",
	    KEY_MODE(validation) },
	{ "schema_dir",		"",
	    KEY_PATH_OR_NONE(schema_dir) },
	{ "unknown_events",	"accept",
	    KEY_BOOL(unknown_reject), .words = unknown_words },
	{ "hook",		"",
	    KEY_PATH_OR_NONE(hook) },
	{ "hook_events",	"*",
	    KEY_LIST(hook_events, nhook_events) },
	{ "hook_timeout",	"30",
	    KEY_UINT(hook_timeout), .min = 1, .max = 86400 },
	{ "hook_retries",	"0",
	    KEY_UINT(hook_retries), .min = 0, .max = 1000 },
	{ "hook_max_running",	"4",
	    KEY_UINT(hook_max_running), .min = 1, .max = 1024 },
	{ "hook_log",		"hooks.ndjson",
	    KEY_PATH(hook_log) },
	{ "dedupe_window",	"86400",
	    KEY_LLONG(dedupe_window), .min = 0, .max = CONF_TEN_YEARS },
	{ "state_dir",		"state",
	    KEY_PATH(state_dir) },
	{ "alert_command",	"",
	    KEY_PATH_OR_NONE(alert_command) },
	{ "alert_interval",	"3600",
	    KEY_LLONG(alert_interval), .min = 0, .max = CONF_TEN_YEARS },
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
static int	 key_set(struct conf *, const struct key *, const char *,
		    char *, size_t);
static size_t	*key_count(struct conf *, const struct key *);
static int	 key_nomem(char *, size_t);
static int	 key_empty(char *, size_t);
static int	 key_number(const struct key *, const char *,
		    unsigned long long *, char *, size_t);
static void	 drop_signing_keys(struct conf *);
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

/* Sets one key from its text: the row's parser on the row's field. */
static int
key_set(struct conf *c, const struct key *k, const char *v, char *err,
    size_t errlen)
{
	return k->set(c, k, (char *)c + k->off, v, err, errlen);
}

/* The count of a list key's field. */
static size_t *
key_count(struct conf *c, const struct key *k)
{
	return (size_t *)(void *)((char *)c + k->n_off);
}

static int
key_nomem(char *err, size_t errlen)
{
	snprintf(err, errlen, "out of memory");
	return -1;
}

static int
key_empty(char *err, size_t errlen)
{
	snprintf(err, errlen, "must not be empty");
	return -1;
}

/* A decimal within the row's range; the value is shown up to 64 bytes. */
static int
key_number(const struct key *k, const char *v, unsigned long long *u,
    char *err, size_t errlen)
{
	if (parse_uint(v, k->min, k->max, u) == 0)
		return 0;
	snprintf(err, errlen,
	    "must be a whole number from %llu to %llu, not \"%.64s\"",
	    k->min, k->max, v);
	return -1;
}

/* A path, made absolute against base_dir; it must not be empty. */
static int
set_path(struct conf *c, const struct key *k, void *field, const char *v,
    char *err, size_t errlen)
{
	if (*v == '\0')
		return key_empty(err, errlen);
	return set_path_or_none(c, k, field, v, err, errlen);
}

/* A path, made absolute against base_dir; empty: none (NULL). */
static int
set_path_or_none(struct conf *c, const struct key *k, void *field,
    const char *v, char *err, size_t errlen)
{
	char	**dst = field, *p = NULL;

	(void)k;
	if (*v != '\0' && (p = path_join(c->base_dir, v)) == NULL)
		return key_nomem(err, errlen);
	free(*dst);
	*dst = p;
	return 0;
}

static int
set_uint64(struct conf *c, const struct key *k, void *field, const char *v,
    char *err, size_t errlen)
{
	unsigned long long	 u;

	(void)c;
	if (key_number(k, v, &u, err, errlen) == -1)
		return -1;
	*(uint64_t *)field = u;
	return 0;
}

static int
set_size(struct conf *c, const struct key *k, void *field, const char *v,
    char *err, size_t errlen)
{
	unsigned long long	 u;

	(void)c;
	if (key_number(k, v, &u, err, errlen) == -1)
		return -1;
	*(size_t *)field = (size_t)u;
	return 0;
}

static int
set_uint(struct conf *c, const struct key *k, void *field, const char *v,
    char *err, size_t errlen)
{
	unsigned long long	 u;

	(void)c;
	if (key_number(k, v, &u, err, errlen) == -1)
		return -1;
	*(unsigned *)field = (unsigned)u;
	return 0;
}

static int
set_llong(struct conf *c, const struct key *k, void *field, const char *v,
    char *err, size_t errlen)
{
	unsigned long long	 u;

	(void)c;
	if (key_number(k, v, &u, err, errlen) == -1)
		return -1;
	*(long long *)field = (long long)u;
	return 0;
}

/* One of the row's two words (log_fsync, unknown_events), as a bool. */
static int
set_bool(struct conf *c, const struct key *k, void *field, const char *v,
    char *err, size_t errlen)
{
	size_t	 i;

	(void)c;
	for (i = 0; i < 2; i++)
		if (strcmp(v, k->words[i].word) == 0) {
			*(bool *)field = k->words[i].value;
			return 0;
		}
	snprintf(err, errlen, "must be \"%s\" or \"%s\", not \"%.64s\"",
	    k->words[0].word, k->words[1].word, v);
	return -1;
}

/* validation: the words are schema.c's. */
static int
set_mode(struct conf *c, const struct key *k, void *field, const char *v,
    char *err, size_t errlen)
{
	(void)c;
	(void)k;
	if (schema_mode_parse(v, field) == 0)
		return 0;
	snprintf(err, errlen,
	    "must be \"strict\" or \"relaxed\", not \"%.64s\"", v);
	return -1;
}

/* allow_from: replaces the list only when the new one parses. */
static int
set_addrs(struct conf *c, const struct key *k, void *field, const char *v,
    char *err, size_t errlen)
{
	struct addr_list	*dst = field, al;

	(void)c;
	(void)k;
	if (addr_list_parse(v, &al, err, errlen) == -1)
		return -1;
	addr_list_free(dst);
	*dst = al;
	return 0;
}

/*
 * signing_key: adds a key to the list.  Never echoes the value: it is a
 * secret (ekahook.conf(5) signing_key).
 */
static int
set_key(struct conf *c, const struct key *k, void *field, const char *v,
    char *err, size_t errlen)
{
	char	***keys_v = field, **nv;
	size_t	 *n = key_count(c, k);

	if (*v == '\0')
		return key_empty(err, errlen);
	if ((nv = realloc(*keys_v, (*n + 1) * sizeof(*nv))) == NULL)
		return key_nomem(err, errlen);
	*keys_v = nv;
	if ((nv[*n] = strdup(v)) == NULL)
		return key_nomem(err, errlen);
	(*n)++;
	return 0;
}

/*
 * signing_key_file: its path goes to key_files and its keys to
 * signing_keys (read_key_file).
 */
static int
set_key_file(struct conf *c, const struct key *k, void *field, const char *v,
    char *err, size_t errlen)
{
	char	*p;

	(void)k;
	(void)field;
	if (*v == '\0')
		return key_empty(err, errlen);
	if ((p = path_join(c->base_dir, v)) == NULL)
		return key_nomem(err, errlen);
	return read_key_file(c, p, err, errlen);
}

/* hook_events: a list, or NULL for "*" (parse_list). */
static int
set_list(struct conf *c, const struct key *k, void *field, const char *v,
    char *err, size_t errlen)
{
	char	***list = field;
	size_t	 *n = key_count(c, k);

	free_list(*list, *n);
	if (parse_list(v, list, n) == -1)
		return key_nomem(err, errlen);
	return 0;
}

/*
 * The signing keys so far, dropped at the first signing_key or
 * signing_key_file of the file and again at the first of the
 * environment: those keys may repeat within a source, and an
 * EKAHOOK_SIGNING_KEY or EKAHOOK_SIGNING_KEY_FILE replaces every key
 * the file gave (ekahook.conf(5) DESCRIPTION).
 */
static void
drop_signing_keys(struct conf *c)
{
	free_list(c->signing_keys, c->nsigning_keys);
	c->signing_keys = NULL;
	c->nsigning_keys = 0;
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
		if (seen[k - keys] && !k->signing) {
			snprintf(err, errlen,
			    "%s:%u: %s: set twice (it may appear only once)",
			    file, lineno, k->name);
			if (!conf_problem(r))
				goto fail;
			continue;
		}
		if (k->signing && !file_keys) {
			file_keys = true;
			drop_signing_keys(c);
		}
		seen[k - keys] = true;
		if (key_set(c, k, val, why, sizeof(why)) == -1) {
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
		dir = path_dir_of(c->file);
	} else
		dir = strdup(base_dir != NULL ? base_dir : ".");
	if (dir == NULL)
		goto nomem;
	/*
	 * Absolute: the hook gets absolute paths (EKAHOOK_LOG_FILE,
	 * ekahook(8) "The hook"), and a later chdir must not move them.
	 */
	c->base_dir = path_absolute(dir);
	free(dir);
	if (c->base_dir == NULL)
		goto nomem;
	for (i = 0; i < NKEYS; i++)
		if (keys[i].dflt != NULL &&
		    key_set(c, &keys[i], keys[i].dflt, why, sizeof(why)) == -1)
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
		if (keys[i].signing && !env_keys) {
			env_keys = true;
			drop_signing_keys(c);
		}
		if ((p = strdup(v)) == NULL)
			goto nomem;
		if (key_set(c, &keys[i], trim(p), why, sizeof(why)) == -1) {
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

int
conf_make_state_dir(const char *state_dir, const char *dir)
{
	char	 p[PATH_MAX];
	int	 n;

	n = dir != NULL ? snprintf(p, sizeof(p), "%s/%s", state_dir, dir) :
	    snprintf(p, sizeof(p), "%s", state_dir);
	if (n < 0 || (size_t)n >= sizeof(p)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return path_make_dirs(p, CONF_STATE_DIR_MODE);
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
