/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_SPOOL_H
#define EKAHOOK_SPOOL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "job.h"

/*
 * The hook queue, ekahook(8) "The hook queue": a spool directory an
 * operator reads with ls(1), kept the way Maildir keeps mail.
 *
 *   state_dir/hooks/new/<request_id>     waiting or running; holds the
 *                                        hook's stdin; its mtime is the
 *                                        event's received_at
 *   state_dir/hooks/failed/<request_id>  a dead letter
 *   state_dir/hooks/tmp/                 files being written
 *   state_dir/hooks/tries/<request_id>   the job's state (job.h), once
 *                                        an attempt has finished
 *
 * A file reaches new/ whole, by rename(2) from tmp/.  Whoever runs an
 * attempt holds flock(2) on the new/ file for as long as the hook and
 * its attempt live (the hook's stdin is that same open file), so a job
 * is never run twice at once, and a lock dies with its holders.
 */

#define SPOOL_DIR	"hooks"
#define SPOOL_MODE	0640	/* files; directories 0750 */

enum spool_box { SPOOL_NEW, SPOOL_FAILED };

struct spool {
	char	*state_dir;	/* NULL: not open */
	int	 hooks_fd;	/* state_dir/hooks */
	int	 new_fd;
	int	 failed_fd;
	int	 tmp_fd;
	int	 tries_fd;
	int	 put_fd;	/* new/<put_id>, put and not yet committed */
	char	 put_id[NAME_MAX + 1];
};

void	spool_init(struct spool *);
/*
 * Opens (making them 0750 as needed) state_dir/hooks and its parts;
 * nothing is done when sp is already open on state_dir.  0 or -1.
 */
int	spool_open(struct spool *, const char *state_dir);
void	spool_close(struct spool *);
/* state_dir/hooks/name into out.  0, or -1 when too long. */
int	spool_path(char *out, size_t len, const char *state_dir,
	    const char *name);

/*
 * Queues id in state_dir's spool (opened as needed): new/<id> holds
 * text and a newline, its mtime *received.  A job other than job_new's
 * (a replay) is saved first.  With sync the file and its name are on
 * disk on return.  0, or -1 with errno set.
 */
int	spool_add(struct spool *, const char *state_dir, const char *id,
	    const struct timespec *received, const char *text, size_t len,
	    const struct job *, bool sync);
/* Told by spool_add_logged in the middle: the event's log line.  0 or -1. */
typedef int (*spool_log_fn)(void *arg);

/* What came of spool_add_logged. */
enum spool_added {
	SPOOL_ADDED,		/* logged and queued */
	SPOOL_NOT_LOGGED,	/* log said -1: nothing queued */
	SPOOL_NOT_QUEUED	/* not queued: errno */
};

/*
 * spool_add for the request path, around the event's log line
 * (ekahook.conf(5) log_fsync): new/<id> is put in place, locked so that
 * no runner takes it, then log(arg) writes (and with sync, syncs) the
 * line, then with sync the file and its name are synced, so that one
 * journal commit can carry all three.  Whatever fails, the file is gone
 * again: no hook runs for an event that was not logged.
 */
enum spool_added spool_add_logged(struct spool *, const char *state_dir,
	    const char *id, const struct timespec *received, const char *text,
	    size_t len, bool sync, spool_log_fn log, void *arg);
/* True when box holds id. */
bool	spool_has(const struct spool *, enum spool_box, const char *id);
/* The names in box, sorted (oldest request first).  0 or -1. */
int	spool_list(const struct spool *, enum spool_box, char ***names,
	    size_t *n);
void	spool_list_free(char **, size_t);

/*
 * Takes new/<id> for an attempt: open, locked, still in new/.  Returns
 * the descriptor (read-only, close-on-exec, at offset 0), or -1 with
 * errno EWOULDBLOCK when someone runs it, ENOENT when it is gone.
 */
int	spool_take(const struct spool *, const char *id);
/* The state of id: tries/<id>, else a new job due at fd's mtime (-1: 0). */
int	spool_job(const struct spool *, const char *id, int fd,
	    struct job *);
/* What an attempt decided: the file deleted, kept or moved to failed/. */
int	spool_settle(const struct spool *, const char *id, enum job_where,
	    const struct job *, bool sync);
/* A dead letter back to new/, due now (job_replay).  0 or -1. */
int	spool_requeue(const struct spool *, const char *id, long long now_ms,
	    bool sync);
/*
 * Tidies after crashes: files in tmp/ older than an hour, and job
 * states whose event is neither waiting nor dead.
 */
void	spool_tidy(const struct spool *, time_t now);

#endif
