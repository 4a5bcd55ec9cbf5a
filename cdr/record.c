/*
 * record.c: the fields of a call detail record, described once, and the
 * record written as a CSV line (RFC 4180 quoting) or a JSON line.
 *
 * Times are UTC, ISO 8601 with milliseconds (2026-12-02T02:40:01.123Z);
 * an event that did not happen is an empty field (JSON null).  Durations
 * are seconds with milliseconds.  The fields of the transfers are lists
 * in CSV, one entry per transfer in order, separated by '|' (an empty
 * entry where a transfer has no value); in JSON the transfers are an
 * array of objects.
 */
#include <pthread.h>
#include <stdarg.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cdr/record.h"

enum fkind {
	F_STR,      /* char[] at off */
	F_U32,      /* uint32_t at off, 0: empty */
	F_INT,      /* int at off, 0: empty */
	F_TIME,     /* double at off, 0: empty */
	F_DURATION, /* end - setup */
	F_BILLABLE, /* end - answer, 0 when never answered */
	F_COUNT,    /* n_xfer */
};

struct field {
	const char *name;
	enum fkind  kind;
	size_t      off;
	int         xfer;    /* a field of each transfer (off in the entry) */
};

#define R(m) offsetof(struct cdr_record, m)
#define X(m) offsetof(struct cdr_transfer, m)

/* The columns, in order (referd-cdr(5) documents each). */
static const struct field fields[] = {
	{ "session_id", F_STR, R(session), 0 },
	{ "call_index", F_U32, R(call_index), 0 },
	{ "caller_call_id", F_STR, R(a_call_id), 0 },
	{ "called_call_id", F_STR, R(b_call_id), 0 },
	{ "from_user", F_STR, R(from_user), 0 },
	{ "from_host", F_STR, R(from_host), 0 },
	{ "to_user", F_STR, R(to_user), 0 },
	{ "to_host", F_STR, R(to_host), 0 },
	{ "ruri_user", F_STR, R(ruri_user), 0 },
	{ "ruri_host", F_STR, R(ruri_host), 0 },
	{ "pai_user", F_STR, R(pai_user), 0 },
	{ "pai_host", F_STR, R(pai_host), 0 },
	{ "ingress_gateway", F_U32, R(in_gw), 0 },
	{ "ingress_gateway_name", F_STR, R(in_gw_name), 0 },
	{ "ingress_profile", F_U32, R(in_sgp), 0 },
	{ "egress_gateway", F_U32, R(out_gw), 0 },
	{ "egress_gateway_name", F_STR, R(out_gw_name), 0 },
	{ "egress_profile", F_U32, R(out_sgp), 0 },
	{ "setup_time", F_TIME, R(setup), 0 },
	{ "ringing_time", F_TIME, R(ringing), 0 },
	{ "answer_time", F_TIME, R(answer), 0 },
	{ "end_time", F_TIME, R(end), 0 },
	{ "caller_status", F_INT, R(a_status), 0 },
	{ "ended_by", F_STR, R(ended_by), 0 },
	{ "end_cause", F_STR, R(end_cause), 0 },
	{ "end_code", F_INT, R(end_code), 0 },
	{ "end_reason", F_STR, R(end_reason), 0 },
	{ "duration", F_DURATION, 0, 0 },
	{ "billable_duration", F_BILLABLE, 0, 0 },
	{ "transfers", F_COUNT, 0, 0 },
	{ "transfer_by", F_STR, X(by), 1 },
	{ "transfer_referred_by", F_STR, X(by_uri), 1 },
	{ "transfer_target", F_STR, X(target), 1 },
	{ "transfer_kind", F_STR, X(kind), 1 },
	{ "transfer_time", F_TIME, X(time), 1 },
	{ "transfer_code", F_INT, X(code), 1 },
	{ "transfer_call_id", F_STR, X(call_id), 1 },
	{ "transfer_party", F_STR, X(party), 1 },
	{ "transfer_answer_time", F_TIME, X(answer), 1 },
};
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

size_t
cdr_record_size(const struct cdr_record *r)
{
	unsigned n = r->n_xfer < CDR_XFER_MAX ? r->n_xfer : CDR_XFER_MAX;

	return offsetof(struct cdr_record, xfer) +
	    n * sizeof(struct cdr_transfer);
}

void
cdr_copy(char *dst, size_t n, const char *s)
{
	size_t i = 0;

	if (n == 0)
		return;
	for (; s != NULL && s[i] != '\0' && i + 1 < n; i++)
		dst[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
	dst[i] = '\0';
}

/* An output buffer that remembers overflow. */
struct out {
	char  *p;
	size_t len, n;
	int    over;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->over || o->n + n >= o->len) {
		o->over = 1;
		return;
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
	o->p[o->n] = '\0';
}

static void
puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void
putf(struct out *o, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

void
cdr_logf(cdr_log_h *log, void *arg, int level, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	if (log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	log(arg, level, text);
}

void
cdr_background(const char *name)
{
	/* Linux: a thread's own nice value, by its thread id. */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
	/* Its name, for top -H, ps -L and the benchmark's CPU split. */
	(void)pthread_setname_np(pthread_self(), name);
}

double
cdr_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void
cdr_time_text(double t, char *buf, size_t len)
{
	struct tm tm;
	time_t s;
	int ms;

	buf[0] = '\0';
	if (t <= 0)
		return;
	s = (time_t)t;
	ms = (int)((t - (double)s) * 1000.);
	if (ms > 999)
		ms = 999;
	gmtime_r(&s, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ms);
}

/* A field's value as text, and whether it is a string (JSON quotes). */
static int
value_text(const struct field *f, const void *base,
    const struct cdr_record *r, char *buf, size_t len, const char **strp)
{
	const char *b = base;
	uint32_t u;
	int i;
	double d;

	*strp = NULL;
	buf[0] = '\0';
	switch (f->kind) {
	case F_STR:
		*strp = b + f->off;
		return 1;
	case F_U32:
		memcpy(&u, b + f->off, sizeof(u));
		if (u != 0)
			snprintf(buf, len, "%u", u);
		return 0;
	case F_INT:
		memcpy(&i, b + f->off, sizeof(i));
		if (i != 0)
			snprintf(buf, len, "%d", i);
		return 0;
	case F_TIME:
		memcpy(&d, b + f->off, sizeof(d));
		cdr_time_text(d, buf, len);
		return 1;
	case F_DURATION:
		if (r->end > 0 && r->setup > 0)
			snprintf(buf, len, "%.3f", r->end - r->setup);
		return 0;
	case F_BILLABLE:
		snprintf(buf, len, "%.3f", r->answer > 0 && r->end > r->answer ?
		    r->end - r->answer : 0.);
		return 0;
	case F_COUNT:
		snprintf(buf, len, "%u", r->n_xfer);
		return 0;
	}
	return 0;
}

/* A CSV field: quoted when it holds a separator, a quote or a space. */
static void
csv_put(struct out *o, const char *s)
{
	if (s[strcspn(s, ",\"| ")] == '\0') {
		puts_(o, s);
		return;
	}
	put(o, "\"", 1);
	for (; *s; s++) {
		if (*s == '"')
			put(o, "\"", 1);
		put(o, s, 1);
	}
	put(o, "\"", 1);
}

/* A JSON string. */
static void
json_str(struct out *o, const char *s)
{
	put(o, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			put(o, "\\", 1);
			put(o, s, 1);
		} else if (c < 0x20)
			putf(o, "\\u%04x", c);
		else
			put(o, s, 1);
	}
	put(o, "\"", 1);
}

size_t
cdr_csv_header(char *buf, size_t len)
{
	struct out o = { buf, len, 0, 0 };

	for (size_t k = 0; k < N_FIELDS; k++) {
		if (k)
			put(&o, ",", 1);
		puts_(&o, fields[k].name);
	}
	put(&o, "\n", 1);
	return o.over ? 0 : o.n;
}

/* One field of the record (the transfers' as a '|' list) in CSV. */
static void
csv_field(struct out *o, const struct field *f, const struct cdr_record *r)
{
	char buf[64], item[CDR_LONG + 64];
	const char *s;
	struct out list = { item, sizeof(item), 0, 0 };
	unsigned n = r->n_xfer < CDR_XFER_MAX ? r->n_xfer : CDR_XFER_MAX;

	if (!f->xfer) {
		value_text(f, r, r, buf, sizeof(buf), &s);
		csv_put(o, s ? s : buf);
		return;
	}
	/* A list: each entry with its own '|' escaped as "%7C". */
	char all[CDR_XFER_MAX * (CDR_LONG + 8)];
	struct out a = { all, sizeof(all), 0, 0 };

	all[0] = '\0';
	for (unsigned k = 0; k < n; k++) {
		value_text(f, &r->xfer[k], r, buf, sizeof(buf), &s);
		s = s ? s : buf;
		list.n = 0;
		list.over = 0;
		item[0] = '\0';
		for (; *s; s++)
			if (*s == '|')
				puts_(&list, "%7C");
			else
				put(&list, s, 1);
		if (k)
			put(&a, "|", 1);
		puts_(&a, item);
	}
	csv_put(o, all);
}

/* One field of the record in JSON (key included). */
static void
json_field(struct out *o, const struct field *f, const void *base,
    const struct cdr_record *r)
{
	char buf[64];
	const char *s;
	int quoted = value_text(f, base, r, buf, sizeof(buf), &s);

	json_str(o, f->name);
	put(o, ":", 1);
	if (s != NULL)
		json_str(o, s);
	else if (buf[0] == '\0')
		puts_(o, f->kind == F_STR ? "\"\"" : "null");
	else if (quoted)
		json_str(o, buf);
	else
		puts_(o, buf);
}

size_t
cdr_format_line(const struct cdr_record *r, int fmt, char *buf, size_t len)
{
	struct out o = { buf, len, 0, 0 };
	unsigned n = r->n_xfer < CDR_XFER_MAX ? r->n_xfer : CDR_XFER_MAX;
	int first = 1;

	if (len > 0)
		buf[0] = '\0';
	if (fmt == CDR_FORMAT_JSON) {
		put(&o, "{", 1);
		for (size_t k = 0; k < N_FIELDS; k++) {
			if (fields[k].xfer)
				continue;
			if (!first)
				put(&o, ",", 1);
			first = 0;
			json_field(&o, &fields[k], r, r);
		}
		puts_(&o, ",\"transfer_list\":[");
		for (unsigned x = 0; x < n; x++) {
			first = 1;
			put(&o, x ? ",{" : "{", x ? 2 : 1);
			for (size_t k = 0; k < N_FIELDS; k++) {
				if (!fields[k].xfer)
					continue;
				if (!first)
					put(&o, ",", 1);
				first = 0;
				json_field(&o, &fields[k], &r->xfer[x], r);
			}
			put(&o, "}", 1);
		}
		puts_(&o, "]}\n");
	} else {
		for (size_t k = 0; k < N_FIELDS; k++) {
			if (k)
				put(&o, ",", 1);
			csv_field(&o, &fields[k], r);
		}
		put(&o, "\n", 1);
	}
	return o.over ? 0 : o.n;
}
