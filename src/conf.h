/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_CONF_H
#define EKAHOOK_CONF_H

#include <sys/stat.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "schema.h"

/* The configuration of ekahook.conf(5), with every path made absolute. */
struct conf {
	char		*file;		/* the file read, or NULL */
	char		*base_dir;	/* what relative paths are relative to */
	char		*log_file;
	uint64_t	 log_max_bytes;
	unsigned	 log_keep;
	bool		 log_fsync;
	char		*reject_file;	/* NULL: keep none */
	size_t		 max_body_bytes;
	size_t		 reject_body_max;
	struct addr_list allow_from;
	char		**signing_keys;	/* signing_key and the files' keys */
	size_t		 nsigning_keys;
	char		**key_files;	/* signing_key_file paths */
	struct stat	*key_file_st;	/* each as it was read */
	size_t		 nkey_files;
	long long	 signature_tolerance;
	enum schema_mode validation;
	char		*schema_dir;	/* NULL: only the shipped schemas */
	bool		 unknown_reject; /* unknown_events = reject */
	char		*hook;		/* NULL: none */
	char		**hook_events;	/* NULL: "*" */
	size_t		 nhook_events;
	unsigned	 hook_timeout;
	unsigned	 hook_retries;
	unsigned	 hook_max_running;
	char		*hook_log;
	long long	 dedupe_window;
	char		*state_dir;
	char		*alert_command;	/* NULL: none */
	long long	 alert_interval;	/* seconds */
};

/* Where the value of an environment variable comes from. */
typedef const char *(*conf_getenv_fn)(const char *name, void *arg);
/* The process environment, as a conf_getenv_fn. */
const char	*conf_process_getenv(const char *name, void *arg);
/*
 * Makes the directory dir under state_dir (dir NULL: state_dir itself),
 * mode 0750, with every missing directory above it (ekahook.conf(5)
 * state_dir).  Returns 0, or -1 with errno.
 */
int		 conf_make_state_dir(const char *state_dir, const char *dir);

/*
 * Loads the configuration from file (NULL: none) relative to base_dir,
 * then applies EKAHOOK_* overrides from getenv_fn.  Returns 0, or -1
 * with one line naming the file, line and key in err.
 */
int	conf_load(const char *file, const char *base_dir,
	    conf_getenv_fn getenv_fn, void *arg, struct conf *c,
	    char *err, size_t errlen);
/* Told each problem of a configuration, one line. */
typedef void (*conf_problem_fn)(const char *line, void *arg);
/*
 * conf_load that goes on past a bad line or variable: every problem is
 * handed to problem_fn as it is found (ekahookctl check-config).
 * Returns 0, or -1 when there was any.
 */
int	conf_load_all(const char *file, const char *base_dir,
	    conf_getenv_fn getenv_fn, void *arg, struct conf *c,
	    conf_problem_fn problem_fn, void *problem_arg);
void	conf_free(struct conf *);
/* True when the event name is one hook_events lets through. */
bool	conf_hook_wants(const struct conf *, const char *event);

/*
 * Finds the file to use by the search order of ekahook(8)
 * "Configuration": explicit (from EKAHOOK_CONFIG), then ekahook.conf
 * beside the executable, then the system one.  Returns a malloc'd path
 * or NULL when none exists.
 */
char	*conf_find(const char *explicit_path, const char *exe_dir);

/*
 * A loaded configuration kept across requests and read again when the
 * file's modification time or inode changes.
 */
struct conf_cache {
	char		*path;		/* requested file, or NULL */
	struct stat	 st;
	bool		 loaded;
	bool		 failed;
	struct conf	 conf;
	char		 err[512];
};

/*
 * Returns the current configuration for path (NULL: no file), loading
 * it again when needed, or NULL on a configuration error, which is
 * written to stderr once per change.
 */
const struct conf *conf_cache_get(struct conf_cache *, const char *path,
		    const char *exe_dir);
void		 conf_cache_free(struct conf_cache *);

#endif
