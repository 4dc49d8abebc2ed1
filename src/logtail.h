/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_LOGTAIL_H
#define EKAHOOK_LOGTAIL_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * Following a rotating NDJSON log (logfile.h) from a saved position.
 *
 * A position names a file by identity (device and inode), not by name:
 * rotation renames events.ndjson to .1, .1 to .2 and so on, and the
 * inode goes along.  A reader at the end of a file that is no longer
 * at the path reads it once more (every write to it happened under its
 * lock before the rename) and then goes on with the file that came
 * after it, the one a rank lower (.2 -> .1 -> the path).
 */

#define LOGTAIL_LINE_MAX	(65UL * 1024 * 1024)	/* past this: skipped */

/*
 * A freed inode number is soon given to a new file, and a rotated file
 * may have been deleted meanwhile, so a file is known by its device,
 * inode and a hash of its first bytes (at most LOGPOS_TAG_LEN; none
 * yet for an empty file).  Every line of ours is longer than that, and
 * begins with a time and a unique request id.
 */
#define LOGPOS_TAG_LEN	64

struct logpos {
	bool		 known;		/* false: the log did not exist yet */
	dev_t		 dev;
	ino_t		 ino;
	uint32_t	 tag;		/* FNV-1a of the first taglen bytes */
	unsigned	 taglen;
	off_t		 off;		/* bytes of that file already taken */
};

struct logtail {
	char		*path;
	unsigned	 keep;
	int		 fd;		/* the file being read, or -1 */
	struct logpos	 at;		/* identity of fd; off of buf[0] */
	struct buf	 buf;		/* read but not yet taken */
	size_t		 used;		/* bytes of buf already taken */
	bool		 rotated;	/* fd is no longer at the path */
	bool		 drained;	/* and was read to its end after that */
	bool		 skipping;	/* in a line over LOGTAIL_LINE_MAX */
	bool		 drop_held;	/* deletes held files it is past */
};

/*
 * The text of a known position, "DEV INO TAG TAGLEN OFF", into out;
 * snprintf's result.  logpos_scan reads it back from s and returns a
 * pointer past it, or NULL when s does not start with one.
 */
int	logpos_format(char *out, size_t len, const struct logpos *);
const char *logpos_scan(const char *s, struct logpos *);
/* Reads a position file.  Returns 0, 1 when there is none, or -1. */
int	logpos_load(const char *file, struct logpos *);
/* Replaces the position file atomically.  Returns 0 or -1. */
int	logpos_save(const char *file, const struct logpos *, bool sync);
/*
 * Creates the position file only if there is none.  Returns 0 when it
 * was created, 1 when one already existed, -1 on error.
 */
int	logpos_create(const char *file, const struct logpos *, bool sync);
/* The end of the log at path now (not known when there is no file). */
void	logpos_end(const char *path, struct logpos *);
/* True when a comes after b in the log at path (rotated files too). */
bool	logpos_after(const char *path, unsigned keep, const struct logpos *a,
	    const struct logpos *b);
/* True when the log at path holds bytes after pos. */
bool	logpos_behind(const char *path, unsigned keep, const struct logpos *);
/*
 * The rank of the file pos is in: 0 for path itself, k for path.k; -1
 * when none is that file.  name (may be NULL) gets its name.
 */
int	logtail_rank(const char *path, unsigned keep, const struct logpos *pos,
	    char *name, size_t namelen);
/* True when a and b are in the same file. */
bool	logpos_same_file(const struct logpos *a, const struct logpos *b);
/*
 * The name of the file of rank k (0: the path, 1 to keep: path.k, past
 * keep: the files held for the runner, newest first), or -1 when there
 * is no such rank; the rank of the oldest file there is, or -1.
 */
int	logtail_rank_name(const char *path, unsigned keep, int k, char *name,
	    size_t len);
int	logtail_oldest_rank(const char *path, unsigned keep);

void	logtail_init(struct logtail *, const char *path, unsigned keep,
	    const struct logpos *start);
/*
 * The next whole line (with its newline; a torn last line of a rotated
 * file comes without).  Returns 1 with *line, *len and *after (the
 * position past it) set, 0 when there is none yet, -1 on error.  The
 * line stays valid until the next call.
 */
int	logtail_next(struct logtail *, const char **line, size_t *len,
	    struct logpos *after);
/* Goes back to pos, handed out earlier: lines after it come again. */
void	logtail_seek(struct logtail *, const struct logpos *pos);
/* The path of the file being read (for EKAHOOK_LOG_FILE), or NULL. */
const char *logtail_name(const struct logtail *, char *name, size_t namelen);
/* True when bytes may be waiting past what was taken. */
bool	logtail_pending(struct logtail *);
void	logtail_free(struct logtail *);

#endif
