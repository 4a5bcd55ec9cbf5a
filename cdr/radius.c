/*
 * radius.c: RADIUS accounting of the call detail records (RFC 2866), with
 * radcli, on a thread of its own: the engine only copies a request (a few
 * lines of text) into a queue, so a server that does not answer never
 * delays call processing.
 *
 * What is sent, for answered calls only (a call never answered has
 * nothing to bill; its record is in the files):
 *   Start           at the answer the caller saw (Delayed Answer: C's)
 *   Interim-Update  when a transfer's outcome is known after the answer
 *   Stop            at the end
 * Standard attributes: Acct-Status-Type, Acct-Session-Id (the record's
 * session_id), Acct-Session-Time (seconds since the answer), Calling- and
 * Called-Station-Id (From user, Request-URI user), Event-Timestamp,
 * Acct-Delay-Time, NAS-Identifier "referd", and on Stop
 * Acct-Terminate-Cause; referd's vendor attributes (cdr/dictionary.referd)
 * carry the Call-IDs, times, the end and the transfers (a Start carries
 * the transfers that ended before the answer, an Interim-Update the one
 * that just ended, each with its Referd-Transfer-Index).
 *
 * Never lost: a request the servers do not answer (radcli tries each
 * server in turn, radiusTimeout seconds, one retransmission) is written
 * to the spool directory (a file per request: written, fsynced, renamed),
 * the server is taken as down, and every later request goes to the spool
 * behind it, so that order is kept.  Every radiusRetryInterval seconds the
 * oldest spooled request is sent again; once one is answered the server
 * is up, the spool is sent in order, each file removed only after its
 * Accounting-Response.  At stop, requests still queued are spooled; at
 * start the spool is sent first.
 *
 * Duplicates: a request leaves the spool only when a server answered it,
 * and is never sent again after that; retransmissions inside one try are
 * radcli's, whose identical packets the server recognises (RFC 5080
 * 2.2.2).  Acct-Session-Id, Acct-Status-Type and (for Interim-Update)
 * Referd-Transfer-Index identify a request: what remains possible is a
 * request sent again because its answer was lost or late (a timeout), or
 * because referd was killed between the answer and the removal of the
 * file; a billing system drops those by that key.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <radcli/radcli.h>

#include "cdr/radius.h"
#include "cdr/dictionary.h"       /* referd_dictionary[], built */

#define REFERD_RADIUS_PEN 32473   /* RFC 5612's documentation PEN */
#define QUEUE_MAX 50000          /* events waiting (compact copies) */
#define REQ_TEXT_MAX 3500         /* well within a 4096-byte packet */

/* Referd's vendor attributes (cdr/dictionary.referd). */
enum {
	VA_CALLER_CALL_ID = 1, VA_CALLED_CALL_ID, VA_SETUP_TIME, VA_ANSWER_TIME,
	VA_ENDED_BY, VA_END_CAUSE, VA_END_CODE, VA_END_REASON,
	VA_XFER_INDEX, VA_XFER_BY, VA_XFER_REFERRED_BY, VA_XFER_TARGET,
	VA_XFER_KIND, VA_XFER_TIME, VA_XFER_CODE, VA_XFER_CALL_ID,
	VA_XFER_PARTY, VA_XFER_ANSWER_TIME, VA_TRANSFERS,
};

/* One accounting request: its attributes as text lines, "ID VENDOR i N"
 * or "ID VENDOR s TEXT", which is also its spool file's content. */
struct req {
	double      event;
	char        file[600];    /* its spool file, "" if not spooled */
	size_t      len;
	char        text[REQ_TEXT_MAX];
};

/*
 * An event waiting for the thread: a copy of the record (its used part
 * only), turned into a request there, so that the engine only copies.
 */
struct item {
	struct item       *next;
	enum cdr_event     ev;
	double             when;      /* an Interim-Update's time */
	struct cdr_record  rec;
};

/* The event of a periodic Interim-Update (radiusInterimInterval). */
#define EV_PERIODIC ((enum cdr_event)100)

/*
 * An answered call not ended yet, for its periodic Interim-Updates: found
 * by its session id (a hash table) and kept in order of due time (a list,
 * the soonest first), so that an event or a due update costs the same with
 * ten calls or a hundred thousand (the due list is read under the queue's
 * lock, which the engine thread takes for every record).
 */
struct live {
	struct live       *hnext;       /* the same bucket */
	struct live       *prev, *next; /* by due time */
	double             due;         /* its next periodic Interim-Update */
	struct cdr_record *rec;         /* as of its last event */
};

struct cdr_radius {
	pthread_t        thread;
	pthread_mutex_t  lock;
	pthread_cond_t   cond;
	int              stop;
	struct item     *head, **tail;
	size_t           n;
	struct cdr_settings want;
	unsigned         want_gen;
	int              configured;     /* a server is set (under lock) */

	/* The thread's own. */
	struct cdr_settings cur;
	unsigned         cur_gen;
	rc_handle       *rh;
	int              down;           /* the servers do not answer */
	double           probe_at;       /* next try while down */
	unsigned         seq;            /* spool file names */
	unsigned         spool_n;        /* requests in the spool */
	struct live    **bucket;         /* answered calls (interim on) */
	size_t           nbucket, nlive;
	struct live     *first, *last;   /* the same, soonest due first */

	cdr_log_h       *log;
	void            *log_arg;

	_Atomic uint64_t sent, retried, spooled, failed;
	_Atomic int      up;
	_Atomic int      enabled;        /* configured: worth a copy */
	_Atomic unsigned changes;
};

/* A log line of this thread, through the callback given at creation. */
#define rlog(x, level, ...) \
	cdr_logf((x)->log, (x)->log_arg, level, __VA_ARGS__)

/* ---- building a request (engine thread) ---------------------------- */

static void
add_line(struct req *q, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
add_line(struct req *q, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (q->len >= sizeof(q->text))
		return;
	va_start(ap, fmt);
	n = vsnprintf(q->text + q->len, sizeof(q->text) - q->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(q->text) - q->len)
		q->text[q->len] = '\0';      /* a line that does not fit: out */
	else
		q->len += (size_t)n;
}

static void
add_int(struct req *q, int id, int vendor, uint32_t v)
{
	add_line(q, "%d %d i %u\n", id, vendor, v);
}

static void
add_str(struct req *q, int id, int vendor, const char *s)
{
	if (s != NULL && s[0] != '\0')
		add_line(q, "%d %d s %s\n", id, vendor, s);
}

/* One transfer's attributes, after its index. */
static void
add_transfer(struct req *q, const struct cdr_transfer *t, unsigned index)
{
	char buf[64];

	add_int(q, VA_XFER_INDEX, REFERD_RADIUS_PEN, index);
	add_str(q, VA_XFER_BY, REFERD_RADIUS_PEN, t->by);
	add_str(q, VA_XFER_REFERRED_BY, REFERD_RADIUS_PEN, t->by_uri);
	add_str(q, VA_XFER_TARGET, REFERD_RADIUS_PEN, t->target);
	add_str(q, VA_XFER_KIND, REFERD_RADIUS_PEN, t->kind);
	cdr_time_text(t->time, buf, sizeof(buf));
	add_str(q, VA_XFER_TIME, REFERD_RADIUS_PEN, buf);
	add_int(q, VA_XFER_CODE, REFERD_RADIUS_PEN, (uint32_t)t->code);
	add_str(q, VA_XFER_CALL_ID, REFERD_RADIUS_PEN, t->call_id);
	add_str(q, VA_XFER_PARTY, REFERD_RADIUS_PEN, t->party);
	cdr_time_text(t->answer, buf, sizeof(buf));
	add_str(q, VA_XFER_ANSWER_TIME, REFERD_RADIUS_PEN, buf);
}

/* RFC 2866 5.10 Acct-Terminate-Cause of a record's end. */
static uint32_t
terminate_cause(const struct cdr_record *r)
{
	const char *by = r->ended_by, *why = r->end_cause;

	if (strcmp(by, "caller") == 0)
		return strcmp(why, "keepalive") == 0 ? 2 : 1;  /* Lost-Carrier,
		                                                * User-Request */
	if (strcmp(why, "keepalive") == 0 || strcmp(why, "no-ack") == 0)
		return 2;                                       /* Lost-Carrier */
	if (strcmp(why, "shutdown") == 0)
		return 11;                                      /* NAS-Reboot */
	if (strcmp(by, "referd") == 0)
		return strcmp(why, "timeout") == 0 ? 4 : 9;     /* Idle-Timeout,
		                                                 * NAS-Error */
	return 18;                          /* Host-Request: the far party */
}

/* The request of an event, or NULL when it is not sent (the thread). */
static struct req *
req_of(enum cdr_event ev, const struct cdr_record *r, double when)
{
	static const uint32_t status[] = { [CDR_EV_START] = 1,
	    [CDR_EV_INTERIM] = 3, [CDR_EV_STOP] = 2 };
	int periodic = ev == EV_PERIODIC;
	struct req *q;
	double t;
	char buf[64];

	if (r->answer <= 0)
		return NULL;               /* only answered calls */
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	t = ev == CDR_EV_START ? r->answer : ev == CDR_EV_STOP ? r->end :
	    (r->n_xfer > 0 && r->n_xfer <= CDR_XFER_MAX &&
	    r->xfer[r->n_xfer - 1].answer > 0 ? r->xfer[r->n_xfer - 1].answer :
	    r->answer);
	if (ev == CDR_EV_INTERIM && t < r->answer)
		t = r->answer;
	if (periodic) {
		ev = CDR_EV_INTERIM;
		t = when;
	}
	q->event = ev == CDR_EV_INTERIM ? when : t;
	if (q->event < t)
		q->event = t;
	add_int(q, PW_ACCT_STATUS_TYPE, 0, status[ev]);
	add_str(q, PW_ACCT_SESSION_ID, 0, r->session);
	if (ev != CDR_EV_START)
		add_int(q, PW_ACCT_SESSION_TIME, 0,
		    (uint32_t)(q->event - r->answer + 0.5));
	add_str(q, PW_CALLING_STATION_ID, 0, r->from_user);
	add_str(q, PW_CALLED_STATION_ID, 0, r->ruri_user);
	add_int(q, PW_EVENT_TIMESTAMP, 0, (uint32_t)q->event);
	add_str(q, PW_NAS_IDENTIFIER, 0, "referd");
	add_str(q, VA_CALLER_CALL_ID, REFERD_RADIUS_PEN, r->a_call_id);
	add_str(q, VA_CALLED_CALL_ID, REFERD_RADIUS_PEN, r->b_call_id);
	cdr_time_text(r->setup, buf, sizeof(buf));
	add_str(q, VA_SETUP_TIME, REFERD_RADIUS_PEN, buf);
	cdr_time_text(r->answer, buf, sizeof(buf));
	add_str(q, VA_ANSWER_TIME, REFERD_RADIUS_PEN, buf);
	add_int(q, VA_TRANSFERS, REFERD_RADIUS_PEN, r->n_xfer);
	if (ev == CDR_EV_START) {
		/* Transfers whose outcome came before the answer. */
		for (unsigned k = 0; k < r->n_xfer && k < 4; k++)
			if (r->xfer[k].code != 0)
				add_transfer(q, &r->xfer[k], k + 1);
	} else if (periodic) {
		/* No transfer: Acct-Session-Time tells it from the others. */
	} else if (ev == CDR_EV_INTERIM) {
		unsigned k = r->n_xfer;

		if (k == 0 || k > CDR_XFER_MAX) {
			free(q);
			return NULL;
		}
		add_transfer(q, &r->xfer[k - 1], k);
	} else {
		add_int(q, PW_ACCT_TERMINATE_CAUSE, 0, terminate_cause(r));
		add_str(q, VA_ENDED_BY, REFERD_RADIUS_PEN, r->ended_by);
		add_str(q, VA_END_CAUSE, REFERD_RADIUS_PEN, r->end_cause);
		if (r->end_code != 0)
			add_int(q, VA_END_CODE, REFERD_RADIUS_PEN,
			    (uint32_t)r->end_code);
		add_str(q, VA_END_REASON, REFERD_RADIUS_PEN, r->end_reason);
	}
	return q;
}

void
cdr_radius_record(void *arg, enum cdr_event ev, const struct cdr_record *rec)
{
	struct cdr_radius *r = arg;
	struct item *q;

	/* Only answered calls: an Interim-Update before the answer is
	 * carried by the Start. */
	if (rec->answer <= 0 || !atomic_load_explicit(&r->enabled,
	    memory_order_relaxed))
		return;
	if ((q = malloc(offsetof(struct item, rec) +
	    cdr_record_size(rec))) == NULL) {
		atomic_fetch_add(&r->failed, 1);
		return;
	}
	q->next = NULL;
	q->ev = ev;
	q->when = ev == CDR_EV_INTERIM ? cdr_now() : 0;
	memcpy(&q->rec, rec, cdr_record_size(rec));
	pthread_mutex_lock(&r->lock);
	if (!r->configured || r->n >= QUEUE_MAX) {
		if (r->configured)
			atomic_fetch_add(&r->failed, 1);
		pthread_mutex_unlock(&r->lock);
		free(q);
		return;
	}
	*r->tail = q;
	r->tail = &q->next;
	r->n++;
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

/* ---- the thread ------------------------------------------------------ */

/* A radcli handle for the current servers, or NULL. */
static rc_handle *
handle_new(struct cdr_radius *r)
{
	char servers[400] = "", one[200], num[16];
	rc_handle *rh;

	for (int i = 0; i < 2; i++) {
		const char *s = r->cur.radius_server[i];

		if (s[0] == '\0')
			continue;
		/* s is ADDRESS:PORT or [ADDRESS]:PORT (sip/billing.c) */
		snprintf(one, sizeof(one), "%s%s:%s", servers[0] ? "," : "",
		    s, r->cur.radius_secret[i]);
		strncat(servers, one, sizeof(servers) - strlen(servers) - 1);
	}
	if (servers[0] == '\0' || (rh = rc_new()) == NULL)
		return NULL;
	if (rc_config_init(rh) == NULL) {
		rc_destroy(rh);
		return NULL;
	}
	snprintf(num, sizeof(num), "%u", r->cur.radius_timeout ?
	    r->cur.radius_timeout : 1);
	if (rc_add_config(rh, "acctserver", servers, "referd", 0) != 0 ||
	    rc_add_config(rh, "authserver", servers, "referd", 0) != 0 ||
	    rc_add_config(rh, "radius_timeout", num, "referd", 0) != 0 ||
	    rc_add_config(rh, "radius_retries", "1", "referd", 0) != 0 ||
	    rc_add_config(rh, "radius_deadtime", "0", "referd", 0) != 0 ||
	    rc_add_config(rh, "dictionary", "/etc/radcli/dictionary",
	    "referd", 0) != 0 ||
	    rc_apply_config(rh) != 0 ||
	    rc_read_dictionary(rh, "/etc/radcli/dictionary") != 0 ||
	    rc_read_dictionary_from_buffer(rh, referd_dictionary,
	    sizeof(referd_dictionary) - 1) != 0) {
		rlog(r, 3, "RADIUS: the client cannot be set up for %s",
		    r->cur.radius_server[0]);
		rc_destroy(rh);
		return NULL;
	}
	return rh;
}

/* Send one request; 0 answered, -1 not answered (or cannot be sent). */
static int
send_req(struct cdr_radius *r, const struct req *q)
{
	VALUE_PAIR *send = NULL;
	const char *p = q->text;
	uint32_t delay;
	int rc;

	if (r->rh == NULL)
		return -1;
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		char line[REQ_TEXT_MAX], *f, *v;
		long id, vendor;
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		/* "ID VENDOR TYPE VALUE" (add_line; read back from the spool
		 * too): anything else is skipped. */
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + (nl != NULL);
		id = strtol(line, &f, 10);
		if (f == line || *f != ' ')
			continue;
		vendor = strtol(f + 1, &v, 10);
		if (v == f + 1 || v[0] != ' ' || (v[1] != 'i' && v[1] != 's') ||
		    v[2] != ' ' || id < 0 || id > 255 || vendor < 0)
			continue;
		if (v[1] == 'i') {
			uint32_t u = (uint32_t)strtoul(v + 3, NULL, 10);

			rc_avpair_add(r->rh, &send, (int)id, &u, 0, (int)vendor);
		} else
			rc_avpair_add(r->rh, &send, (int)id, v + 3, -1,
			    (int)vendor);
	}
	delay = (uint32_t)(cdr_now() - q->event > 0 ? cdr_now() - q->event : 0);
	rc_avpair_add(r->rh, &send, PW_ACCT_DELAY_TIME, &delay, 0, 0);
	rc = rc_acct(r->rh, 0, send);
	rc_avpair_free(send);
	return rc == OK_RC ? 0 : -1;
}

static void
set_up(struct cdr_radius *r, int up)
{
	int was = atomic_load(&r->up);

	if (was == up)
		return;
	atomic_store(&r->up, up);
	atomic_fetch_add(&r->changes, 1);
	if (up == 1 && was == 0)
		rlog(r, 5, "RADIUS: the accounting server answers again");
	else if (up == 0)
		rlog(r, 4, "RADIUS: no accounting server answers: requests "
		    "are spooled");
}

/* Write a request to the spool; 0, or -1 (counted as failed). */
static int
spool(struct cdr_radius *r, struct req *q)
{
	char tmp[620];
	int fd, ok;

	if (q->file[0] != '\0')
		return 0;
	if (r->cur.radius_spool[0] == '\0' ||
	    (mkdir(r->cur.radius_spool, 0700) != 0 && errno != EEXIST)) {
		atomic_fetch_add(&r->failed, 1);
		return -1;
	}
	/* Named by the time of the event and a sequence: sorted, oldest
	 * first. */
	snprintf(q->file, sizeof(q->file), "%s/acct-%016llx-%08x.req",
	    r->cur.radius_spool, (unsigned long long)(q->event * 1e6),
	    r->seq++);
	snprintf(tmp, sizeof(tmp), "%s.tmp", q->file);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ok = fd >= 0 && write(fd, q->text, q->len) == (ssize_t)q->len &&
	    fsync(fd) == 0;
	if (fd >= 0)
		close(fd);
	if (!ok || rename(tmp, q->file) != 0) {
		unlink(tmp);
		rlog(r, 3, "RADIUS: cannot spool to %s: %s", r->cur.radius_spool,
		    strerror(errno));
		q->file[0] = '\0';
		atomic_fetch_add(&r->failed, 1);
		return -1;
	}
	atomic_fetch_add(&r->spooled, 1);
	r->spool_n++;
	return 0;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* The oldest spooled request, read back; NULL if none. */
static struct req *
spool_oldest(struct cdr_radius *r)
{
	struct dirent **list = NULL;
	struct req *q = NULL;
	int n;

	if (r->cur.radius_spool[0] == '\0')
		return NULL;
	n = scandir(r->cur.radius_spool, &list, NULL, by_name);
	for (int i = 0; i < n; i++) {
		size_t l = strlen(list[i]->d_name);

		if (q == NULL && strncmp(list[i]->d_name, "acct-", 5) == 0 &&
		    l > 4 && strcmp(list[i]->d_name + l - 4, ".req") == 0 &&
		    (q = calloc(1, sizeof(*q))) != NULL) {
			FILE *f;
			unsigned long long us = 0;

			snprintf(q->file, sizeof(q->file), "%s/%s",
			    r->cur.radius_spool, list[i]->d_name);
			sscanf(list[i]->d_name, "acct-%16llx", &us);
			q->event = (double)us / 1e6;
			if ((f = fopen(q->file, "r")) != NULL) {
				q->len = fread(q->text, 1, sizeof(q->text) - 1, f);
				q->text[q->len] = '\0';
				fclose(f);
			}
		}
		free(list[i]);
	}
	free(list);
	return q;
}

/* Send what the spool holds, oldest first; 0 when it is empty. */
static int
spool_drain(struct cdr_radius *r)
{
	struct req *q;

	while (r->spool_n > 0) {
		if ((q = spool_oldest(r)) == NULL) {
			r->spool_n = 0;      /* the files were taken away */
			break;
		}
		if (send_req(r, q) != 0) {
			free(q);
			return -1;
		}
		unlink(q->file);
		r->spool_n--;
		atomic_fetch_add(&r->sent, 1);
		atomic_fetch_add(&r->retried, 1);
		free(q);
		set_up(r, 1);
	}
	return 0;
}

static void
apply_settings(struct cdr_radius *r, const struct cdr_settings *s)
{
	int changed = strcmp(s->radius_server[0], r->cur.radius_server[0]) ||
	    strcmp(s->radius_server[1], r->cur.radius_server[1]) ||
	    strcmp(s->radius_secret[0], r->cur.radius_secret[0]) ||
	    strcmp(s->radius_secret[1], r->cur.radius_secret[1]) ||
	    s->radius_timeout != r->cur.radius_timeout || r->rh == NULL;

	if (strcmp(s->radius_spool, r->cur.radius_spool) != 0 &&
	    s->radius_spool[0] != '\0') {
		/* What a previous run left in the spool goes first. */
		struct dirent **list = NULL;
		int n = scandir(s->radius_spool, &list, NULL, by_name);

		r->spool_n = 0;
		for (int i = 0; i < n; i++) {
			size_t l = strlen(list[i]->d_name);

			r->spool_n += strncmp(list[i]->d_name, "acct-", 5) == 0 &&
			    l > 4 && strcmp(list[i]->d_name + l - 4, ".req") == 0;
			free(list[i]);
		}
		free(list);
		if (r->spool_n > 0)
			rlog(r, 5, "RADIUS: %u spooled requests to send",
			    r->spool_n);
	}
	r->cur = *s;
	if (!changed)
		return;
	if (r->rh != NULL)
		rc_destroy(r->rh);
	r->rh = handle_new(r);
	r->down = 0;
	r->probe_at = 0;
	set_up(r, r->rh != NULL ? 1 : -1);
}

/* The bucket of a session id (FNV-1a) in a table of n buckets. */
static size_t
live_hash(size_t n, const char *session)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)session; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h & (n - 1);
}

/* The live call of a session, or NULL. */
static struct live *
live_find(const struct cdr_radius *r, const char *session)
{
	struct live *l;

	if (r->nbucket == 0)
		return NULL;
	for (l = r->bucket[live_hash(r->nbucket, session)]; l != NULL;
	    l = l->hnext)
		if (strcmp(l->rec->session, session) == 0)
			return l;
	return NULL;
}

/* Put l in the due list after every call due no later (searched from the
 * end: a new or refreshed call is nearly always the latest). */
static void
due_insert(struct cdr_radius *r, struct live *l)
{
	struct live *a = r->last;

	while (a != NULL && a->due > l->due)
		a = a->prev;
	l->prev = a;
	l->next = a != NULL ? a->next : r->first;
	if (l->next != NULL)
		l->next->prev = l;
	else
		r->last = l;
	if (a != NULL)
		a->next = l;
	else
		r->first = l;
}

static void
due_remove(struct cdr_radius *r, struct live *l)
{
	if (l->prev != NULL)
		l->prev->next = l->next;
	else
		r->first = l->next;
	if (l->next != NULL)
		l->next->prev = l->prev;
	else
		r->last = l->prev;
}

/* Forget a live call (its Stop, or the thread stopping). */
static void
live_remove(struct cdr_radius *r, struct live *l)
{
	struct live **pp = &r->bucket[live_hash(r->nbucket, l->rec->session)];

	while (*pp != l)
		pp = &(*pp)->hnext;
	*pp = l->hnext;
	due_remove(r, l);
	r->nlive--;
	free(l->rec);
	free(l);
}

/* Add a live call; the table doubles when it holds one call per bucket. */
static int
live_add(struct cdr_radius *r, struct live *l)
{
	size_t k;

	if (r->nlive + 1 > r->nbucket) {
		size_t n = r->nbucket ? 2 * r->nbucket : 1024;
		struct live **b = calloc(n, sizeof(*b));

		if (b == NULL)
			return -1;
		for (size_t i = 0; i < r->nbucket; i++)
			while (r->bucket[i] != NULL) {
				struct live *x = r->bucket[i];

				r->bucket[i] = x->hnext;
				k = live_hash(n, x->rec->session);
				x->hnext = b[k];
				b[k] = x;
			}
		free(r->bucket);
		r->bucket = b;
		r->nbucket = n;
	}
	k = live_hash(r->nbucket, l->rec->session);
	l->hnext = r->bucket[k];
	r->bucket[k] = l;
	r->nlive++;
	due_insert(r, l);
	return 0;
}

/*
 * Keep the table of live calls for periodic Interim-Updates: a Start adds
 * its call, an Interim-Update refreshes its record, a Stop removes it.
 * 0, or -1 for a periodic Interim-Update whose call has ended since (a
 * Stop went before it): not sent.
 */
static int
live_track(struct cdr_radius *r, const struct item *it)
{
	struct live *l = live_find(r, it->rec.session);
	size_t size = cdr_record_size(&it->rec);
	struct cdr_record *copy;

	if (it->ev == EV_PERIODIC)
		return l != NULL ? 0 : -1;
	if (it->ev == CDR_EV_STOP) {
		if (l != NULL)
			live_remove(r, l);
		return 0;
	}
	if (r->cur.radius_interim == 0 ||
	    (l == NULL && it->ev != CDR_EV_START) ||
	    (copy = malloc(size)) == NULL)
		return 0;
	memcpy(copy, &it->rec, size);
	if (l != NULL) {
		/* Its record as of now (the due time is kept). */
		free(l->rec);
		l->rec = copy;
		return 0;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		free(copy);
		return 0;
	}
	l->rec = copy;
	l->due = it->rec.answer + r->cur.radius_interim;
	if (live_add(r, l) != 0) {
		free(copy);
		free(l);
	}
	return 0;
}

/* An event taken off the queue, as its request (NULL: none); freed. */
static struct req *
req_take(struct cdr_radius *r, struct item *it)
{
	struct req *q = live_track(r, it) == 0 ?
	    req_of(it->ev, &it->rec, it->when) : NULL;

	free(it);
	return q;
}

/*
 * Queue the periodic Interim-Updates that are due (under the lock); the
 * time of the next one, or 0.
 */
static double
live_due(struct cdr_radius *r, double now)
{
	struct live *l;

	if (r->cur.radius_interim == 0)
		return 0;
	/* Only the calls due: the list is in due order. */
	while ((l = r->first) != NULL && l->due <= now && r->n < QUEUE_MAX) {
		size_t size = cdr_record_size(l->rec);
		struct item *it = malloc(offsetof(struct item, rec) + size);

		if (it != NULL) {
			it->next = NULL;
			it->ev = EV_PERIODIC;
			it->when = now;
			memcpy(&it->rec, l->rec, size);
			*r->tail = it;
			r->tail = &it->next;
			r->n++;
		}
		while (l->due <= now)
			l->due += r->cur.radius_interim;
		due_remove(r, l);
		due_insert(r, l);
	}
	return r->first != NULL ? r->first->due : 0;
}

/* Wait for the condition, until `when` if it is not 0 (under the lock). */
static void
wait_until(struct cdr_radius *r, double when)
{
	struct timespec ts;

	if (when <= 0) {
		pthread_cond_wait(&r->cond, &r->lock);
		return;
	}
	ts.tv_sec = (time_t)when;
	ts.tv_nsec = (long)((when - (double)ts.tv_sec) * 1e9);
	pthread_cond_timedwait(&r->cond, &r->lock, &ts);
}

static void *
radius_main(void *arg)
{
	struct cdr_radius *r = arg;
	struct item *it;
	struct req *q;
	double due;

	cdr_background("referd-radius");
	pthread_mutex_lock(&r->lock);
	for (;;) {
		double t = cdr_now();

		if (r->want_gen != r->cur_gen) {
			struct cdr_settings s = r->want;

			r->cur_gen = r->want_gen;
			pthread_mutex_unlock(&r->lock);
			apply_settings(r, &s);
			pthread_mutex_lock(&r->lock);
			continue;
		}
		if (r->stop)
			break;
		due = live_due(r, t);
		/* Down: wait for the next probe, spooling what comes. */
		if (r->down && t < r->probe_at) {
			while ((it = r->head) != NULL) {
				r->head = it->next;
				r->n--;
				pthread_mutex_unlock(&r->lock);
				if ((q = req_take(r, it)) != NULL &&
				    spool(r, q) != 0)
					rlog(r, 3, "RADIUS: a request is lost");
				free(q);
				pthread_mutex_lock(&r->lock);
			}
			r->tail = &r->head;
			if (r->stop || r->want_gen != r->cur_gen)
				continue;
			wait_until(r, due > 0 && due < r->probe_at ? due :
			    r->probe_at);
			continue;
		}
		pthread_mutex_unlock(&r->lock);
		/* The spool first (a probe, when down). */
		if (r->rh != NULL && spool_drain(r) != 0) {
			r->down = 1;
			r->probe_at = cdr_now() + (r->cur.radius_retry ?
			    r->cur.radius_retry : 10);
			set_up(r, 0);
			pthread_mutex_lock(&r->lock);
			continue;
		}
		r->down = 0;
		pthread_mutex_lock(&r->lock);
		if ((it = r->head) == NULL) {
			if (!r->stop && r->want_gen == r->cur_gen)
				wait_until(r, due);
			continue;
		}
		r->head = it->next;
		if (r->head == NULL)
			r->tail = &r->head;
		r->n--;
		pthread_mutex_unlock(&r->lock);
		if ((q = req_take(r, it)) == NULL) {
			pthread_mutex_lock(&r->lock);
			continue;
		}
		if (send_req(r, q) == 0) {
			atomic_fetch_add(&r->sent, 1);
			set_up(r, 1);
		} else {
			if (r->rh != NULL) {
				r->down = 1;
				r->probe_at = cdr_now() + (r->cur.radius_retry ?
				    r->cur.radius_retry : 10);
				set_up(r, 0);
			}
			spool(r, q);
		}
		free(q);
		pthread_mutex_lock(&r->lock);
	}
	/* Stopping: what is queued goes to the spool, sent at next start. */
	while ((it = r->head) != NULL) {
		r->head = it->next;
		if ((q = req_take(r, it)) != NULL)
			spool(r, q);
		free(q);
	}
	r->tail = &r->head;
	r->n = 0;
	pthread_mutex_unlock(&r->lock);
	if (r->rh != NULL)
		rc_destroy(r->rh);
	r->rh = NULL;
	while (r->first != NULL)
		live_remove(r, r->first);
	free(r->bucket);
	return NULL;
}

int
cdr_radius_new(struct cdr_radius **rp, cdr_log_h *log, void *log_arg)
{
	struct cdr_radius *r = calloc(1, sizeof(*r));
	int rc;

	if (r == NULL)
		return ENOMEM;
	r->tail = &r->head;
	r->log = log;
	r->log_arg = log_arg;
	atomic_store(&r->up, -1);
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	if ((rc = pthread_create(&r->thread, NULL, radius_main, r)) != 0) {
		pthread_mutex_destroy(&r->lock);
		pthread_cond_destroy(&r->cond);
		free(r);
		return rc;
	}
	*rp = r;
	return 0;
}

void
cdr_radius_settings(void *arg, const struct cdr_settings *s)
{
	struct cdr_radius *r = arg;

	pthread_mutex_lock(&r->lock);
	if (memcmp(&r->want, s, sizeof(*s)) != 0) {
		r->want = *s;
		r->want_gen++;
		r->configured = s->radius_server[0][0] != '\0' ||
		    s->radius_server[1][0] != '\0';
		atomic_store(&r->enabled, r->configured);
		pthread_cond_signal(&r->cond);
	}
	pthread_mutex_unlock(&r->lock);
}

void
cdr_radius_stats_get(struct cdr_radius *r, struct cdr_radius_stats *st)
{
	st->sent = atomic_load(&r->sent);
	st->retried = atomic_load(&r->retried);
	st->spooled = atomic_load(&r->spooled);
	st->failed = atomic_load(&r->failed);
	st->up = atomic_load(&r->up);
	st->changes = atomic_load(&r->changes);
}

void
cdr_radius_free(struct cdr_radius *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = 1;
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->cond);
	free(r);
}
