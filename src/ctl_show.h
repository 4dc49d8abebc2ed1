/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_CTL_SHOW_H
#define EKAHOOK_CTL_SHOW_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "conf.h"
#include "job.h"
#include "reqline.h"

/*
 * ekahookctl(1) show: ctl_show.c finds what the three logs and the hook
 * queue hold for an ID, ctl_show_out.c prints it for a person or as JSON.
 */

enum show_kind { SHOW_ACCEPTED, SHOW_DUPLICATE, SHOW_REJECTED, SHOW_HOOK };
enum show_box { SHOW_NONE, SHOW_WAITING, SHOW_FAILED };

/* A line found in log_file, reject_file or hook_log. */
struct show_entry {
	long long	 ms;		/* received_at or finished_at */
	size_t		 seq;		/* the order read, for equal times */
	enum show_kind	 kind;
	char		 rid[REQLINE_ID_MAX];
	char		*file;
	char		*line;		/* as logged, without its newline */
	size_t		 len;
};

/* One request id: its place in the hook queue. */
struct show_delivery {
	char		 rid[REQLINE_ID_MAX];
	enum show_box	 box;
	char		 path[PATH_MAX];	/* new/<rid> or failed/<rid> */
	struct job	 job;		/* tries/<rid>; all 0 when none */
	unsigned	 attempts;	/* tries/<rid>, or hook_log's most */
};

struct show {
	struct conf		 c;
	const char		*id;
	struct buf		 quoted;	/* "id" as JSON text */
	struct buf		 inbody;	/* \"id\": that inside a body */
	char			*text;		/* the id's own event */
	size_t			 text_len;
	const char		*file;		/* the file being read */
	struct show_entry	*v;		/* in time order, once read */
	size_t			 n;
	struct show_delivery	*d;		/* in order of first line */
	size_t			 nd;
	bool			 nomem;
};

/* Appends what was found for a person (lines a terminal shows as is). */
void	show_put_person(struct buf *, const struct show *);
/* Appends it as one JSON object and a newline.  0, or -1 (no memory). */
int	show_put_json(struct buf *, const struct show *);

#endif
