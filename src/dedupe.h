/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_DEDUPE_H
#define EKAHOOK_DEDUPE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define DEDUPE_HASH_LEN		32
#define DEDUPE_PRUNE_EVERY	60	/* seconds between prunes, at most */

/*
 * Duplicate deliveries across every process sharing a state_dir
 * (ekahook(8) "Duplicates").  A marker file per body hash,
 * state_dir/seen/<2 hex>/<64 hex>, is claimed with O_EXCL and held
 * with flock(2) while the event's line is written; a second delivery of
 * the same body waits for that lock.  The marker gets one byte once the
 * line is on disk; a marker without it (its writer died) or older than
 * the window is taken over, and a failed write removes the marker, so
 * the sender's retry counts as new.
 */
struct dedupe_claim {
	int	fd;		/* held marker, or -1 */
	bool	duplicate;
	char	path[4096];
};

/*
 * Claims the body's marker.  Returns 0 with c->duplicate set when the
 * body was accepted within window seconds (nothing is held then), or
 * with the marker held.  Returns -1 when state_dir cannot be used.
 */
int	dedupe_claim(const char *state_dir, const unsigned char *hash,
	    long long window, time_t now, struct dedupe_claim *c);
/* The line is on disk: the marker now stands for it. */
void	dedupe_commit(struct dedupe_claim *);
/* The line could not be written: no marker is left. */
void	dedupe_abort(struct dedupe_claim *);
/* Removes markers older than window from one of the 256 buckets. */
void	dedupe_prune(const char *state_dir, unsigned bucket, long long window,
	    time_t now);
/*
 * Removes the markers older than window from every bucket when no
 * process sharing state_dir has done so for DEDUPE_PRUNE_EVERY seconds
 * (or window, when shorter): under CGI every process is new, so the
 * time is kept in state_dir/seen/.pruned, not in a process.
 */
void	dedupe_prune_due(const char *state_dir, long long window, time_t now);
/* Creates state_dir (0750) if missing.  Returns 0 or -1. */
int	dedupe_mkdirs(const char *state_dir);

#endif
