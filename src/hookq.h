/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_HOOKQ_H
#define EKAHOOK_HOOKQ_H

#include <stdbool.h>
#include <stddef.h>

#include "evline.h"
#include "logtail.h"

/*
 * The hook queue's own files, under state_dir/hooks (see RUNNER.md):
 *   runner.lock	flock(2)ed by the one runner, which writes its pid in
 *   position		how far the runner has taken events from log_file
 *   slot.<n>		flock(2)ed by whoever runs a hook; n < hook_max_running
 *   jobs/<request_id>	one per event taken from the log and not finished:
 *			its attempt count, next due time and the event's line
 *   runner.log		what the runner has to say (it has no other stderr)
 * A lock dies with its holder, so a crash leaves nothing held.
 */

#define HOOKQ_DIR	"hooks"

/* state_dir/hooks/name into out.  Returns 0, or -1 when too long. */
int	hookq_path(char *out, size_t len, const char *state_dir,
	    const char *name);
/* Creates state_dir, hooks and hooks/jobs as needed.  Returns 0 or -1. */
int	hookq_mkdirs(const char *state_dir);
/*
 * Takes a free slot out of cap: returns its descriptor (the lock goes
 * with it, to a child too), or -1 with errno EWOULDBLOCK when all are
 * taken, another errno on error.
 */
int	hookq_slot_take(const char *state_dir, unsigned cap);
/* True when jobs/ holds a job.  */
bool	hookq_has_jobs(const char *state_dir);
/*
 * The request ids of the jobs there are (malloc'd array of malloc'd
 * strings).  Returns 0 or -1.
 */
int	hookq_list_jobs(const char *state_dir, char ***ids, size_t *n);
void	hookq_free_list(char **, size_t);

/* One event's unfinished hook work: the state in a job file. */
struct hookjob {
	int		 fd;		/* open and flock(2)ed, or -1 */
	char		 id[EVLINE_ID_MAX];
	char		 path[4096];
	unsigned	 next;		/* the number the next attempt gets */
	unsigned	 fails;		/* failed attempts so far */
	long long	 due_ms;	/* not to start before (Unix ms) */
	bool		 running;	/* an attempt started, not finished */
	struct logpos	 after;		/* log position after the event */
	char		*log_path;	/* where the event was read */
	char		*line;		/* the accepted-event line */
	size_t		 line_len;
};

/*
 * Creates the job of an event just taken from the log, complete or not
 * at all, and holds its lock.  Returns 0, 1 when it already exists, or
 * -1 on error.
 */
int	hookjob_create(const char *state_dir, const char *id,
	    const char *log_path, const struct logpos *after,
	    const char *line, size_t len, bool sync, struct hookjob *);
/*
 * Opens and locks a job without waiting.  Returns 0 with it loaded, 1
 * when someone else holds it, 2 when there is no such job, -1 on error
 * (errno EINVAL: not a job file).
 */
int	hookjob_open(const char *state_dir, const char *id, struct hookjob *);
/*
 * Loads a job whose open, locked descriptor was handed over (fd, owned
 * from now on).  Returns 0, or -1 with fd closed.
 */
int	hookjob_adopt(const char *state_dir, const char *id, int fd,
	    struct hookjob *);
/* Reads a job without its lock (for positions only).  0 or -1. */
int	hookjob_peek(const char *state_dir, const char *id, struct hookjob *);
/* Writes next, fails, due and running back.  Returns 0 or -1. */
int	hookjob_save(struct hookjob *, bool sync);
/* Deletes the finished job and closes it.  Returns 0 or -1. */
int	hookjob_remove(struct hookjob *);
/* Closes the job; a child holding the same descriptor keeps the lock. */
void	hookjob_close(struct hookjob *);

#endif
