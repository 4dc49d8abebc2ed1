/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_LOGFILE_H
#define EKAHOOK_LOGFILE_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * An NDJSON log shared by any number of processes (ekahook(8) "Logs").
 *
 * Each append takes flock(2) on the file it is about to write, checks
 * that this file is still the one at the path (a rotation by another
 * process or by logrotate replaced it otherwise), rotates when the line
 * would push it past max_bytes (also holding flock(2) on the directory,
 * so that two rotations never overlap even when another tool has put a
 * new file at the path), and writes the line with one write(2)
 * to an O_APPEND descriptor.  A short write is cut back off with
 * ftruncate(2) while the lock is still held, so no partial line stays;
 * a partial line left by a writer killed inside write(2) is cut off by
 * the next writer, under the lock.  The fdatasync(2) happens after the
 * lock is released, so concurrent writers' syncs overlap instead of
 * queueing; the directory is synced once per file opened, so that a
 * file another process created or renamed is durable by name too.
 */
struct logfile {
	char		*path;
	int		 fd;
	dev_t		 dev;
	ino_t		 ino;
	bool		 readable;	/* fd can pread the tail */
	bool		 dir_synced;	/* fd's name made durable */
	off_t		 end;		/* where our last line ended, or -1 */
	uint64_t	 max_bytes;	/* 0: never rotate */
	unsigned	 keep;
};

void	logfile_init(struct logfile *, const char *path, uint64_t max_bytes,
	    unsigned keep);
/* Re-targets the log after a configuration change; keeps fd if same. */
void	logfile_configure(struct logfile *, const char *path,
	    uint64_t max_bytes, unsigned keep);
/*
 * Appends one line (which must end in '\n').  On success returns 0 and,
 * with sync, the line is on disk.  On failure returns -1 with errno set
 * and the file holds no part of the line.
 */
int	logfile_append(struct logfile *, const char *line, size_t len,
	    bool sync);
/* Opens (creating if needed) the file; 0 when it can be written. */
int	logfile_ready(struct logfile *);
void	logfile_close(struct logfile *);
/* Makes a rename or a new file durable: fsync of its directory. */
void	logfile_sync_dir(const char *path);

#endif
