/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notes.h"

void
notes_add(struct notes *ns, const char *field, const char *fmt, ...)
{
	struct note	*v;
	va_list		 ap;
	size_t		 cap;

	if (ns->n >= NOTES_MAX) {
		ns->more++;
		return;
	}
	if (ns->n == ns->cap) {
		cap = ns->cap ? ns->cap * 2 : 8;
		if ((v = realloc(ns->v, cap * sizeof(*v))) == NULL) {
			ns->nomem = true;
			return;
		}
		ns->v = v;
		ns->cap = cap;
	}
	v = &ns->v[ns->n++];
	snprintf(v->field, sizeof(v->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(v->problem, sizeof(v->problem), fmt, ap);
	va_end(ap);
}

void
notes_free(struct notes *ns)
{
	free(ns->v);
	memset(ns, 0, sizeof(*ns));
}
