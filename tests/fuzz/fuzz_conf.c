/* SPDX-License-Identifier: MIT */
/*
 * Fuzz harness: the configuration file parser and allow_from.
 *
 * Input layout: the text of a configuration file, optionally followed
 * by a line "%%" and lines NAME=value that stand for the process
 * environment (the EKAHOOK_* overrides).  The file is written to a
 * temporary directory and loaded with conf_load(); the input up to its
 * first NUL also goes through addr_list_parse() as one allow_from value.
 *
 * Checks besides the sanitizers: a failure says why and names the file
 * or the environment; a signing key's value never appears in an error
 * (the input is loaded again with each key replaced by a canary);
 * a loaded configuration has absolute paths and values within the
 * ranges of ekahook.conf(5); every address in a parsed allow_from
 * matches the list it came from.
 */
#include "config.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "conf.h"

#include "fuzz_util.h"

#define ENV_MARK	"\n%%\n"
#define KEY_CANARY	"k3y-CANARY-7f0e"	/* stands for a signing key */

struct fake_env {
	const char	*text;
	size_t		 len;
	char		 value[1024];
};

static const char	*fake_getenv(const char *, void *);
static bool		 key_leaked(const char *, size_t, const char *);
static void		 check_conf(const struct conf *, size_t);
static void		 check_addrs(const char *, size_t);

/* NAME=value lines of the environment part, first match wins. */
static const char *
fake_getenv(const char *name, void *arg)
{
	struct fake_env	*e = arg;
	const char	*p = e->text, *end = e->text + e->len, *nl;
	size_t		 n = strlen(name), vlen;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((size_t)(nl - p) > n && memcmp(p, name, n) == 0 &&
		    p[n] == '=') {
			vlen = (size_t)(nl - p) - n - 1;
			if (vlen >= sizeof(e->value) ||
			    memchr(p + n + 1, '\0', vlen) != NULL)
				return NULL;
			memcpy(e->value, p + n + 1, vlen);
			e->value[vlen] = '\0';
			return e->value;
		}
		p = nl + 1;
	}
	return NULL;
}

/*
 * Loads the input again with the value of every signing key, from a
 * "signing_key = value" line of the file or an EKAHOOK_SIGNING_KEY=
 * line of the environment, replaced by a canary.  True when the canary
 * shows in the error.  Inputs that hold the canary prove nothing.
 */
static bool
key_leaked(const char *text, size_t n, const char *path)
{
	static const char *const names[] = {
		"signing_key", "EKAHOOK_SIGNING_KEY"
	};
	struct buf	 b;
	struct fake_env	 env;
	struct conf	 c;
	const char	*p, *end = text + n, *nl, *eq, *ne, *v, *ve, *mark;
	char		 err[512];
	size_t		 k, flen;
	bool		 leaked = false;

	if (memmem(text, n, KEY_CANARY, sizeof(KEY_CANARY) - 1) != NULL)
		return false;
	buf_init(&b);
	for (p = text; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		v = ve = NULL;
		for (eq = p; eq < nl && (*eq == ' ' || *eq == '\t'); eq++)
			;
		ne = eq;
		if ((eq = memchr(ne, '=', (size_t)(nl - ne))) != NULL) {
			const char *nb = ne;

			for (ne = eq; ne > nb && (ne[-1] == ' ' ||
			    ne[-1] == '\t'); ne--)
				;
			for (k = 0; k < 2; k++)
				if ((size_t)(ne - nb) == strlen(names[k]) &&
				    memcmp(nb, names[k], strlen(names[k])) == 0)
					break;
			if (k < 2) {
				for (v = eq + 1; v < nl && (*v == ' ' ||
				    *v == '\t'); v++)
					;
				/* A comment may follow a blank, as in conf.c. */
				for (ve = v; ve < nl; ve++)
					if (*ve == '#' && (ve == v ||
					    ve[-1] == ' ' || ve[-1] == '\t'))
						break;
				while (ve > v && (ve[-1] == ' ' ||
				    ve[-1] == '\t' || ve[-1] == '\r'))
					ve--;
			}
		}
		if (v != NULL && ve > v) {
			buf_append(&b, p, (size_t)(v - p));
			buf_puts(&b, KEY_CANARY);
			buf_append(&b, ve, (size_t)(nl - ve));
		} else
			buf_append(&b, p, (size_t)(nl - p));
		if (nl < end)
			buf_putc(&b, '\n');
	}
	if (!buf_ok(&b))
		abort();
	mark = b.len > 0 ? memmem(b.data, b.len, ENV_MARK,
	    sizeof(ENV_MARK) - 1) : NULL;
	flen = mark != NULL ? (size_t)(mark - b.data) + 1 : b.len;
	memset(&env, 0, sizeof(env));
	env.text = mark != NULL ? mark + sizeof(ENV_MARK) - 1 : "";
	env.len = mark != NULL ? b.len - (size_t)(env.text - b.data) : 0;
	fuzz_write_file(path, b.len > 0 ? b.data : "", flen);
	err[0] = '\0';
	if (conf_load(path, "/nonexistent", fake_getenv, &env, &c, err,
	    sizeof(err)) == 0)
		conf_free(&c);
	else
		leaked = strstr(err, KEY_CANARY) != NULL;
	buf_free(&b);
	return leaked;
}

static void
check_conf(const struct conf *c, size_t ilen)
{
	size_t	 i;

	if (c->log_file == NULL || c->log_file[0] != '/' ||
	    c->state_dir == NULL || c->state_dir[0] != '/' ||
	    c->hook_log == NULL || c->hook_log[0] != '/' ||
	    (c->reject_file != NULL && c->reject_file[0] != '/') ||
	    (c->hook != NULL && c->hook[0] != '/'))
		fuzz_fail("a path that is not absolute", ilen);
	if (c->max_body_bytes < 1 || c->log_keep > 1000 ||
	    c->hook_timeout < 1 || c->hook_max_running < 1 ||
	    c->signature_tolerance < 0 || c->dedupe_window < 0)
		fuzz_fail("a value out of its range", ilen);
	for (i = 0; i < c->nsigning_keys; i++)
		if (c->signing_keys[i] == NULL || c->signing_keys[i][0] == '\0')
			fuzz_fail("an empty signing key", ilen);
	for (i = 0; i < c->nhook_events; i++)
		if (c->hook_events[i] == NULL || c->hook_events[i][0] == '\0')
			fuzz_fail("an empty hook_events entry", ilen);
	(void)conf_hook_wants(c, "appointment.created");
	(void)conf_hook_wants(c, "");
	(void)conf_hook_wants(c, NULL);
}

/*
 * allow_from as one value: every entry of a list that parses must match
 * its own address, and the list must hold no more entries than commas
 * allow.
 */
static void
check_addrs(const char *s, size_t ilen)
{
	static const char *const probes[] = {
		"127.0.0.1", "10.1.2.3", "::1", "::ffff:10.1.2.3",
		"2001:db8::1", "0.0.0.0", "255.255.255.255", "", "::",
		"1.2.3.4/8", "not an address"
	};
	struct addr_list	 l;
	char			 err[256], entry[128];
	const char		*p, *e, *b, *t;
	size_t			 i, commas = 0;

	for (p = s; *p != '\0'; p++)
		commas += *p == ',';
	if (addr_list_parse(s, &l, err, sizeof(err)) == -1) {
		if (err[0] == '\0')
			fuzz_fail("allow_from refused without a reason", ilen);
		return;
	}
	if (l.n > commas + 1)
		fuzz_fail("more allow_from entries than commas allow", ilen);
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		(void)addr_list_match(&l, probes[i]);
	for (p = s; l.n > 0; p = e + 1) {
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		for (b = p; b < e && (*b == ' ' || *b == '\t'); b++)
			;
		for (t = b; t < e && *t != '/' && *t != ' ' && *t != '\t'; t++)
			;
		if ((size_t)(t - b) < sizeof(entry)) {
			memcpy(entry, b, (size_t)(t - b));
			entry[t - b] = '\0';
			if (!addr_list_match(&l, entry))
				fuzz_fail("an allow_from entry does not match "
				    "its own address", ilen);
		}
		if (*e == '\0')
			break;
	}
	addr_list_free(&l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char	 path[PATH_MAX];
	struct fake_env	 env;
	struct conf	 c;
	const char	*text = (const char *)data, *mark;
	char		 err[512], *s;
	size_t		 flen;

	if (path[0] == '\0') {
		fuzz_clean_env();
		snprintf(path, sizeof(path), "%s/ekahook.conf",
		    fuzz_tmpdir("conf"));
	}
	mark = memmem(text, size, ENV_MARK, sizeof(ENV_MARK) - 1);
	flen = mark != NULL ? (size_t)(mark - text) + 1 : size;
	memset(&env, 0, sizeof(env));
	if (mark != NULL) {
		env.text = mark + sizeof(ENV_MARK) - 1;
		env.len = size - (size_t)(env.text - text);
	} else
		env.text = "";
	fuzz_write_file(path, text, flen);

	err[0] = '\0';
	if (conf_load(path, "/nonexistent", fake_getenv, &env, &c, err,
	    sizeof(err)) == 0) {
		check_conf(&c, size);
		conf_free(&c);
	} else {
		if (err[0] == '\0')
			fuzz_fail("a configuration refused without a reason",
			    size);
		if (strncmp(err, path, strlen(path)) != 0 &&
		    strncmp(err, "environment ", 12) != 0)
			fuzz_fail("an error that names neither the file nor "
			    "the environment", size);
	}
	if (key_leaked(text, size, path))
		fuzz_fail("a signing key in an error message", size);

	if ((s = strndup(text, size)) == NULL)
		abort();
	check_addrs(s, size);
	free(s);
	return 0;
}
