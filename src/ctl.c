/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "conf.h"
#include "ctl.h"
#include "path.h"
#include "sig.h"
#include "verifylog.h"

#define CTL_INPUT_MAX	(64UL * 1024 * 1024)

static int	cmd_check_config(int, char **);
static int	cmd_sign(int, char **);
static int	cmd_verify_log(int, char **);
static int	usage(void);
static int	check_log_file(const char *, const char *);
static int	check_state_dir(const char *);
static int	check_hook(const char *, const char *);
static int	writable_dir(const char *);
static void	print_problem(const char *, void *);
static int	check_schemas(const char *, const char *);
static bool	has_key_line(const char *);

static const struct {
	const char	*name;
	int		 (*fn)(int, char **);
} cmds[] = {
	{ "check-config",	cmd_check_config },
	{ "sign",		cmd_sign },
	{ "send",		ctl_send },
	{ "replay",		ctl_replay },
	{ "show",		ctl_show },
	{ "tail",		ctl_tail },
	{ "status",		ctl_status },
	{ "verify-log",		cmd_verify_log },
};

static int
usage(void)
{
	fprintf(stderr,
	    "usage: ekahookctl check-config [FILE]\n"
	    "       ekahookctl sign --key K [--time T] [FILE]\n"
	    "       ekahookctl send URL [--key K] [FILE]\n"
	    "       ekahookctl replay [--failed] [--request-id ID] "
	    "[--since TIME] [--config FILE]\n"
	    "       ekahookctl show ID [--config FILE] [--json]\n"
	    "       ekahookctl tail [-f] [--config FILE]\n"
	    "       ekahookctl verify-log FILE...\n"
	    "       ekahookctl status [--config FILE] [--json | --prometheus] "
	    "[--check]\n"
	    "                  [--max-silence DURATION] [--max-failed N] "
	    "[--max-waiting DURATION]\n");
	return 2;
}

int
ctl_load_conf(const char *config, struct conf *c)
{
	char	 err[512], *file, *exe_dir;
	int	 rc;

	exe_dir = path_exe_dir();
	file = conf_find(config != NULL ? config : getenv("EKAHOOK_CONFIG"),
	    exe_dir);
	rc = conf_load(file, exe_dir, conf_process_getenv, NULL, c, err,
	    sizeof(err));
	if (rc == -1)
		fprintf(stderr, "ekahookctl: %s\n", err);
	free(file);
	free(exe_dir);
	return rc;
}

int
ctl_read_input(const char *path, char **out, size_t *len)
{
	FILE	*fp = stdin;
	char	*p = NULL, *np;
	size_t	 n = 0, cap = 0, r;

	if (path != NULL && strcmp(path, "-") != 0 &&
	    (fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "ekahookctl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			if (cap > CTL_INPUT_MAX || (np = realloc(p, cap)) == NULL) {
				fprintf(stderr, "ekahookctl: input too large\n");
				goto fail;
			}
			p = np;
		}
		r = fread(p + n, 1, cap - n, fp);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(fp)) {
		fprintf(stderr, "ekahookctl: read error\n");
		goto fail;
	}
	if (fp != stdin)
		fclose(fp);
	*out = p;
	*len = n;
	return 0;
fail:
	if (fp != stdin)
		fclose(fp);
	free(p);
	return -1;
}

/*
 * ekahookctl(1) send's sample event: the one installed in pkgdatadir or,
 * for a program run from its build tree, the one linked beside it there
 * (Makefile.am all-local).  No build-tree path is compiled in.
 */
const char *
ctl_sample_path(void)
{
	static char	 path[4096], beside[4096];
	char		*dir;

	snprintf(path, sizeof(path), "%s/appointment.created.json",
	    PKGDATADIR);
	if (access(path, R_OK) == 0 || (dir = path_exe_dir()) == NULL)
		return path;
	snprintf(beside, sizeof(beside), "%s/appointment.created.json", dir);
	free(dir);
	return access(beside, R_OK) == 0 ? beside : path;
}

/* One line per problem; returns 1 for a problem, 0 otherwise. */
/* 0 when dir is a directory this user can make files in, else -1. */
static int
writable_dir(const char *dir)
{
	struct stat	 st;

	if (stat(dir, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS);
}

/*
 * A log file (log_file, reject_file, hook_log): its directory must be
 * one this user can create and rename files in, and the file, when it
 * is there, a regular file it can append to.
 */
static int
check_log_file(const char *what, const char *file)
{
	struct stat	 st;
	char		*dir = path_dir_of(file);
	int		 bad = 0;

	if (dir == NULL)
		return 1;
	if (writable_dir(dir) == -1) {
		printf("%s: directory %s is not writable: %s\n", what, dir,
		    strerror(errno));
		bad = 1;
	} else if (stat(file, &st) == 0 && !S_ISREG(st.st_mode)) {
		printf("%s: %s is not a regular file\n", what, file);
		bad = 1;
	} else if (stat(file, &st) == 0 &&
	    faccessat(AT_FDCWD, file, W_OK, AT_EACCESS) == -1) {
		printf("%s: %s is not writable: %s\n", what, file,
		    strerror(errno));
		bad = 1;
	}
	free(dir);
	return bad;
}

/*
 * state_dir and what ekahook makes in it (seen, hooks, hooks/jobs)
 * where they are there; where it is not, the nearest directory above
 * it that is, which it will be made in (ekahook.conf(5) state_dir).
 */
static int
check_state_dir(const char *state_dir)
{
	static const char *const subdirs[] = { "seen", "hooks",
	    "hooks/jobs" };
	char		 p[PATH_MAX], *slash;
	struct stat	 st;
	size_t		 i;
	int		 bad = 0;

	if (stat(state_dir, &st) == -1) {
		snprintf(p, sizeof(p), "%s", state_dir);
		do {
			if ((slash = strrchr(p, '/')) == NULL)
				snprintf(p, sizeof(p), ".");
			else if (slash == p)
				p[1] = '\0';
			else
				*slash = '\0';
		} while (stat(p, &st) == -1 && strcmp(p, "/") != 0 &&
		    strcmp(p, ".") != 0);
		if (writable_dir(p) == -1) {
			printf("state_dir: %s cannot be made: %s is not a "
			    "writable directory\n", state_dir, p);
			return 1;
		}
		return 0;
	}
	if (writable_dir(state_dir) == -1) {
		printf("state_dir: %s is not a writable directory\n",
		    state_dir);
		return 1;
	}
	for (i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", state_dir, subdirs[i]);
		if (stat(p, &st) == 0 && writable_dir(p) == -1) {
			printf("state_dir: %s is not a writable directory\n",
			    p);
			bad++;
		}
	}
	return bad;
}

/* The hook (or alert_command, named by key): a file this user may run. */
static int
check_hook(const char *key, const char *hook)
{
	struct stat	 st;

	if (stat(hook, &st) == -1) {
		printf("%s: %s: %s\n", key, hook, strerror(errno));
		return 1;
	}
	if (!S_ISREG(st.st_mode)) {
		printf("%s: %s is not a regular file\n", key, hook);
		return 1;
	}
	if (faccessat(AT_FDCWD, hook, X_OK, AT_EACCESS) == -1) {
		printf("%s: %s is not executable: %s\n", key, hook,
		    strerror(errno));
		return 1;
	}
	return 0;
}

static void
print_problem(const char *line, void *arg)
{
	(void)arg;
	printf("%s\n", line);
}

/*
 * The event schemas, shipped and the operator's (ekahook.conf(5)
 * schema_dir), read as ekahook would.  Returns the count of problems.
 */
static int
check_schemas(const char *exe_dir, const char *schema_dir)
{
	char	*shipped;
	int	 n, problems = 0;

	if ((shipped = catalog_shipped_dir(exe_dir)) == NULL)
		return 1;
	if ((n = catalog_check_dir(shipped, print_problem, NULL)) == -1)
		problems++;
	else
		printf("schemas: %d shipped in %s\n", n, shipped);
	free(shipped);
	if (schema_dir == NULL)
		return problems;
	if ((n = catalog_check_dir(schema_dir, print_problem, NULL)) == -1)
		problems++;
	else
		printf("schemas: %d in schema_dir %s\n", n, schema_dir);
	return problems;
}

/* True when the file itself sets signing_key (not a signing_key_file). */
static bool
has_key_line(const char *file)
{
	FILE	*fp;
	char	 line[4096], *s;
	bool	 found = false;

	if ((fp = fopen(file, "re")) == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), fp) != NULL) {
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		found = strncmp(s, "signing_key", 11) == 0 &&
		    (s[11] == ' ' || s[11] == '\t' || s[11] == '=');
	}
	explicit_bzero(line, sizeof(line));
	fclose(fp);
	return found;
}

static int
cmd_check_config(int argc, char **argv)
{
	struct conf	 c;
	struct stat	 st;
	char		*file, *exe_dir;
	size_t		 i;
	int		 problems = 0;

	if (argc > 2)
		return usage();
	exe_dir = path_exe_dir();
	file = conf_find(argc == 2 ? argv[1] : getenv("EKAHOOK_CONFIG"),
	    exe_dir);
	/* One line per problem of the file and the environment. */
	if (conf_load_all(file, exe_dir, conf_process_getenv, NULL, &c,
	    print_problem, NULL) == -1) {
		free(file);
		free(exe_dir);
		return 1;
	}
	printf("config: %s\n", file != NULL ? file :
	    "(no file: defaults and environment)");
	problems += check_log_file("log_file", c.log_file);
	if (c.reject_file != NULL)
		problems += check_log_file("reject_file", c.reject_file);
	problems += check_state_dir(c.state_dir);
	problems += check_schemas(exe_dir, c.schema_dir);
	if (c.hook != NULL) {
		problems += check_hook("hook", c.hook);
		problems += check_log_file("hook_log", c.hook_log);
	}
	if (c.alert_command != NULL) {
		problems += check_hook("alert_command", c.alert_command);
		if (c.hook == NULL)
			problems += check_log_file("hook_log", c.hook_log);
	}
	/* ekahook(8) "Security": a key others may read, or no key at all. */
	if (file != NULL && has_key_line(file) && stat(file, &st) == 0 &&
	    (st.st_mode & S_IROTH))
		printf("warning: %s holds a signing_key and is readable by "
		    "others; chmod o-r it\n", file);
	for (i = 0; i < c.nkey_files; i++)
		if (stat(c.key_files[i], &st) == 0 && (st.st_mode & S_IROTH))
			printf("warning: signing_key_file %s is readable by "
			    "others; chmod o-r it\n", c.key_files[i]);
	if (c.nsigning_keys == 0)
		printf("warning: no signing_key is set: anyone who finds the "
		    "URL can post events%s\n", c.hook != NULL ?
		    " and run the hook" : "");
	if (problems == 0)
		printf("ok\n");
	conf_free(&c);
	free(file);
	free(exe_dir);
	return problems ? 1 : 0;
}

static int
cmd_sign(int argc, char **argv)
{
	const char	*key = NULL, *file = NULL;
	char		*body, value[SIG_VALUE_LEN], *end;
	size_t		 len;
	long long	 t = (long long)time(NULL);
	int		 i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
			key = argv[++i];
		else if (strcmp(argv[i], "--time") == 0 && i + 1 < argc) {
			errno = 0;
			t = strtoll(argv[++i], &end, 10);
			if (errno || *end != '\0' || t < 0) {
				fprintf(stderr, "ekahookctl: bad --time\n");
				return 2;
			}
		} else if (file == NULL && (argv[i][0] != '-' ||
		    strcmp(argv[i], "-") == 0))
			file = argv[i];
		else
			return usage();
	}
	if (key == NULL && (key = getenv("EKAHOOK_SIGNING_KEY")) == NULL)
		return usage();
	if (ctl_read_input(file, &body, &len) == -1)
		return 1;
	sig_format(key, t, body, len, value);
	printf("%s\n", value);
	free(body);
	return 0;
}

static int
cmd_verify_log(int argc, char **argv)
{
	struct verifylog_counts	 vc;
	enum verifylog_result	 r;
	int			 i, rc = 0;

	if (argc < 2)
		return usage();
	for (i = 1; i < argc; i++) {
		memset(&vc, 0, sizeof(vc));
		r = verifylog_file(argv[i], stdout, &vc);
		/* A file not read to its end has said why; it has no counts. */
		if (r != VERIFYLOG_UNREADABLE)
			printf("%s: %lu good lines, %lu bad\n", argv[i],
			    vc.lines, vc.bad);
		/*
		 * ekahookctl(1) "EXIT STATUS": 1 when verify-log finds a bad
		 * line or cannot read a file.
		 */
		switch (r) {
		case VERIFYLOG_GOOD:
			break;
		case VERIFYLOG_BAD:
		case VERIFYLOG_UNREADABLE:
			rc = 1;
			break;
		}
	}
	return rc;
}

int
main(int argc, char **argv)
{
	size_t	 i;

	if (argc < 2)
		return usage();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	if (strcmp(argv[1], "--version") == 0) {
		printf("ekahookctl %s\n", PACKAGE_VERSION);
		return 0;
	}
	return usage();
}
