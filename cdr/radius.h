/*
 * radius.h: RADIUS accounting (RFC 2866) of the call detail records,
 * with radcli, on a thread of its own (cdr/radius.c).
 *
 * Accounting-Request Start when the caller is answered, Interim-Update
 * when a transfer's outcome is known, Stop at the end; only answered calls
 * are accounted.  Requests the servers do not answer are spooled to disk
 * and sent again, oldest first, when a server answers again.
 */
#ifndef REFERD_CDR_RADIUS_H
#define REFERD_CDR_RADIUS_H

#include <stdint.h>

#include "cdr/record.h"
#include "cdr/writer.h"

struct cdr_radius;

/* Counters and state (any thread). */
struct cdr_radius_stats {
	uint64_t sent;       /* requests answered by a server */
	uint64_t retried;    /* of those, sent again (from the spool) */
	uint64_t spooled;    /* requests written to the spool */
	uint64_t failed;     /* requests lost (spool unwritable, refused) */
	int      up;         /* 1 answering, 0 not, -1 no server set */
	unsigned changes;    /* times `up` changed */
};

int  cdr_radius_new(struct cdr_radius **rp, cdr_log_h *log, void *log_arg);
void cdr_radius_record(void *r, enum cdr_event ev,
    const struct cdr_record *rec);
void cdr_radius_settings(void *r, const struct cdr_settings *s);
void cdr_radius_stats_get(struct cdr_radius *r, struct cdr_radius_stats *st);
/* Spool what is queued, stop the thread, free. */
void cdr_radius_free(struct cdr_radius *r);

#endif /* REFERD_CDR_RADIUS_H */
