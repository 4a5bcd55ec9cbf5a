/*
 * record.h: a call detail record (referd-cdr(5)), plain C: nothing of
 * SIP, SNMP or libev.  The SIP engine fills one per call at well-defined
 * events (set-up, first ringing, the answer the caller saw, each
 * transfer, the end) and hands copies to a sink (struct cdr_sink): the
 * file writer (cdr/writer.c) takes the final one.
 *
 * Every field is a fixed-size member, so that a record is copied with
 * one memcpy and formatted without allocation; cdr_fields[] (record.c)
 * describes each field once, in the order of the CSV columns, and drives
 * the CSV header, the CSV line and the JSON line alike.
 */
#ifndef REFERD_CDR_RECORD_H
#define REFERD_CDR_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define CDR_STR      128      /* users, hosts, words */
#define CDR_LONG     256      /* Call-IDs, URIs, Reason */
#define CDR_XFER_MAX 8        /* transfers described; more are counted */

/* One transfer of the call (a REFER accepted, or an INVITE with Replaces). */
struct cdr_transfer {
	char     by[16];              /* caller | called: the transferor */
	char     by_uri[CDR_LONG];    /* Referred-By (or its identity) */
	char     target[CDR_LONG];    /* Refer-To without headers */
	char     kind[16];            /* blind | replaces | attended |
	                               * replaced */
	double   time;                /* the REFER (or INVITE) arrived */
	int      code;                /* outcome: C's final status */
	char     call_id[CDR_LONG];   /* the target's leg */
	char     party[CDR_LONG];     /* new connected party: user@host */
	double   answer;              /* C answered, 0: never */
};

/* The whole record of one call. */
struct cdr_record {
	char     session[72];         /* referd's id of the call, unique:
	                                 INSTANCE~32 hex digits */
	uint32_t call_index;          /* referdCallIndex */
	char     a_call_id[CDR_LONG], b_call_id[CDR_LONG];
	char     from_user[CDR_STR], from_host[CDR_STR];
	char     to_user[CDR_STR], to_host[CDR_STR];
	char     ruri_user[CDR_STR], ruri_host[CDR_STR];
	char     pai_user[CDR_STR], pai_host[CDR_STR];
	uint32_t in_gw, out_gw;       /* gateway indexes, 0: none */
	char     in_gw_name[64], out_gw_name[64];
	uint32_t in_sgp, out_sgp;     /* profiles */
	double   setup, ringing, answer, end;   /* epoch seconds, 0: none */
	int      a_status;            /* the caller's final status */
	char     ended_by[16];        /* caller | called | target | ... */
	char     end_cause[16];       /* bye | cancel | failure | ... */
	int      end_code;            /* SIP status, 0: none */
	char     end_reason[CDR_LONG];/* Reason header, as received */
	unsigned n_xfer;              /* transfers, even beyond XFER_MAX */
	struct cdr_transfer xfer[CDR_XFER_MAX];
};

/* Which event of the call a record copy is sent at. */
enum cdr_event {
	CDR_EV_START = 1,    /* the caller was answered */
	CDR_EV_INTERIM,      /* a transfer ended (its outcome is known) */
	CDR_EV_STOP,         /* the call ended: the record is final */
};

/* The files' settings (from the configuration). */
enum cdr_format { CDR_FORMAT_CSV = 1, CDR_FORMAT_JSON = 2 };
struct cdr_settings {
	char     dir[256];            /* "": no files */
	int      format;              /* enum cdr_format */
	uint64_t rotate_size;         /* bytes, 0: no size rotation */
	uint32_t rotate_interval;     /* seconds, 0: no time rotation */
	uint32_t sync_ms;             /* fsync within, 0: every line */
	/* RADIUS accounting (cdr/radius.c). */
	char     radius_server[2][64];   /* "ADDRESS[:PORT]", "": none */
	char     radius_secret[2][64];
	char     radius_spool[256];      /* the spool directory */
	uint32_t radius_timeout;         /* seconds per try */
	uint32_t radius_retry;           /* seconds between probes */
	uint32_t radius_interim;         /* periodic Interim-Update, 0: no */
};

/*
 * Where the engine sends records: record() runs on the engine thread, at
 * each event, and must neither block nor keep the pointer (it copies);
 * settings() runs there too, at each configuration snapshot.
 */
struct cdr_sink {
	void (*record)(void *arg, enum cdr_event ev,
	    const struct cdr_record *rec);
	void (*settings)(void *arg, const struct cdr_settings *s);
	void *arg;
};

/* The bytes of r that hold anything: its transfers described, not the
 * unused rest of the array (a copy of that much is a whole record). */
size_t cdr_record_size(const struct cdr_record *r);

/* Copy s into a field of size n, control characters made spaces. */
void cdr_copy(char *dst, size_t n, const char *s);

/* A log line from a thread of cdr/ (the callback must be thread-safe). */
typedef void (cdr_log_h)(void *arg, int level, const char *text);

/* Format a line and hand it to log (NULL: dropped). */
void cdr_logf(cdr_log_h *log, void *arg, int level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Lower the calling thread's priority (nice +10) and name it: the threads
 * of cdr/ export billing in the background, and under CPU pressure they
 * lag behind call processing rather than slow it (their queues wait).
 */
void cdr_background(const char *name);

/* The wall clock, in seconds. */
double cdr_now(void);

/* A time as the records write it (ISO 8601, UTC, ms), "" for 0. */
void cdr_time_text(double t, char *buf, size_t len);

/* The CSV header line (with its newline) into buf; its length. */
size_t cdr_csv_header(char *buf, size_t len);

/*
 * The record as one line (with its newline) in format fmt; its length,
 * or 0 if buf is too small (CDR_LINE_MAX always suffices).
 */
#define CDR_LINE_MAX 32768
size_t cdr_format_line(const struct cdr_record *r, int fmt, char *buf,
    size_t len);

#endif /* REFERD_CDR_RECORD_H */
