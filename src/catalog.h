/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_CATALOG_H
#define EKAHOOK_CATALOG_H

#include <sys/stat.h>

#include <stdbool.h>
#include <stddef.h>

#include "jschema.h"

/*
 * The event schemas, one file "<event>.json" per event name
 * (ekahook.conf(5) schema_dir): the operator's directory first, then
 * the ones shipped with ekahook.  Each file is read once and read again
 * when it changes (its inode, size or modification time), as the
 * configuration is: the shipped file of an event when the event comes,
 * every file of the operator's directory on every request (it holds a
 * few), and the whole directory again when its own time changes, so
 * that a new or broken file there is noticed before its first event.  A file that cannot be
 * read, is not JSON or uses a keyword the validator does not know is a
 * configuration error until it is fixed.
 */

#define CATALOG_FILE_MAX	(1024 * 1024)	/* bytes of one schema */

struct catalog_entry {
	char		*path;
	struct stat	 st;		/* the file as it was read */
	struct jschema	*schema;	/* NULL: broken, see error */
	char		*error;
	bool		 user;		/* from the operator's directory */
	bool		 seen;		/* found by the last scan */
};

struct catalog {
	char			*user_dir;	/* NULL: none */
	char			*shipped_dir;
	struct stat		 user_st;	/* as last scanned */
	bool			 user_scanned;
	bool			 shipped_checked; /* shipped_dir exists */
	struct catalog_entry	*v;
	size_t			 n;
	size_t			 cap;
	char			 err[512];	/* the error found last */
	char			 said[512];	/* and last said on stderr */
};

enum catalog_result {
	CATALOG_FOUND,		/* *schema is the event's */
	CATALOG_NONE,		/* the event has no schema */
	CATALOG_ERROR		/* a configuration error: catalog_error() */
};

void	catalog_init(struct catalog *);
void	catalog_free(struct catalog *);
/*
 * Points the catalogue at the operator's directory (NULL: none) and the
 * shipped one.  What was read is kept when they are unchanged.  Returns
 * 0, or -1 when memory ran out.
 */
int	catalog_configure(struct catalog *, const char *user_dir,
	    const char *shipped_dir);
/*
 * The schema of event, whose name must already be known to be safe as a
 * file name (NULL: only whether the catalogue is usable, for a health
 * check).  A configuration error is written to stderr once a change.
 */
enum catalog_result catalog_find(struct catalog *, const char *event,
		    const struct jschema **schema);
/* One sentence naming the file and the problem, after CATALOG_ERROR. */
const char	*catalog_error(const struct catalog *);

/*
 * Reads and compiles one schema file.  Returns the schema, or NULL with
 * one sentence naming the file and the problem in err.
 */
struct jschema	*catalog_load(const char *path, char *err, size_t errlen);
/*
 * The shipped schemas: "schemas" beside the executable when there is
 * one (a bundle for shared hosting, the build tree), else the installed
 * ones.  malloc'd, or NULL.
 */
char		*catalog_shipped_dir(const char *exe_dir);

/* Told each problem of a directory of schemas, one line. */
typedef void (*catalog_problem_fn)(const char *line, void *arg);
/*
 * Reads every schema of dir (ekahookctl check-config).  Returns the
 * number of files read, or -1 when there was any problem, each handed
 * to fn.
 */
int		 catalog_check_dir(const char *dir, catalog_problem_fn fn,
		    void *arg);

#endif
