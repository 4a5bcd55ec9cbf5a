/*
 * writer.h: the call detail record files (referd-cdr(5)).
 *
 * The writer runs on a thread of its own: the SIP engine only copies a
 * finished record into the writer's queue (a mutex held for a pointer
 * swap, never for I/O), so a slow or stalled disk never blocks call
 * processing.  The thread writes each record as one whole line, fsyncs
 * within the configured interval, and rotates the file by size and by
 * time: the file being written is NAME.part, a closed file is renamed to
 * NAME, so a collector that takes only names without ".part" never reads
 * a file still being written.
 */
#ifndef REFERD_CDR_WRITER_H
#define REFERD_CDR_WRITER_H

#include <stdint.h>

#include "cdr/record.h"

struct cdr_writer;

/* Counters (any thread). */
struct cdr_writer_stats {
	uint64_t written;      /* records written to a file */
	uint64_t failed;       /* records dropped (queue full) */
	uint64_t queued;       /* records waiting now */
	uint64_t files;        /* files closed (renamed) */
};

/* Create and start the writer (no files until settings name a directory). */
int cdr_writer_new(struct cdr_writer **wp, cdr_log_h *log, void *log_arg);

/* The sink's two functions, arg being the writer (any thread). */
void cdr_writer_record(void *w, enum cdr_event ev,
    const struct cdr_record *rec);
void cdr_writer_settings(void *w, const struct cdr_settings *s);

void cdr_writer_stats_get(struct cdr_writer *w, struct cdr_writer_stats *st);

/* Write what is queued, close (rename) the file, stop the thread, free. */
void cdr_writer_free(struct cdr_writer *w);

#endif /* REFERD_CDR_WRITER_H */
