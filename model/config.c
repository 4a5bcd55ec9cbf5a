/*
 * config.c: the configuration model: allocation, copies, row tables,
 * and the one validation function that checks every rule of SPEC
 * section 4.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/config.h"

/* Defaults for settings that have no MIB object. */
#define RTP_PORT_MIN_DEFAULT 20000
#define RTP_PORT_MAX_DEFAULT 29999

/*
 * The five tables have the same shape: a sorted array of fixed-size rows
 * whose first member is the uint32_t index.  One descriptor per table
 * lets one set of functions serve them all.
 */
struct table_desc {
	enum referd_table table;
	const char *name;
	size_t row_size;
	size_t arr_off;   /* offset of the array pointer in referd_config */
	size_t n_off;     /* offset of the row count in referd_config */
};

#define DESC(t, n, type, arr) \
	{ t, n, sizeof(type), offsetof(struct referd_config, arr), \
	  offsetof(struct referd_config, n_##arr) }

static const struct table_desc tables[] = {
	DESC(REFERD_TABLE_SGP, "referdSgpTable", struct referd_sgp, sgp),
	DESC(REFERD_TABLE_REFER, "referdReferTable", struct referd_refer, refer),
	DESC(REFERD_TABLE_SIG, "referdSignalingTable", struct referd_sig, sig),
	DESC(REFERD_TABLE_GW, "referdGatewayTable", struct referd_gw, gw),
	DESC(REFERD_TABLE_ROUTE, "referdRouteTable", struct referd_route, route),
};
#define N_TABLES (sizeof(tables) / sizeof(tables[0]))

/* Each row type starts with its index, which the generic code relies on. */
_Static_assert(offsetof(struct referd_sgp, index) == 0, "index first");
_Static_assert(offsetof(struct referd_refer, sgp_index) == 0, "index first");
_Static_assert(offsetof(struct referd_sig, index) == 0, "index first");
_Static_assert(offsetof(struct referd_gw, index) == 0, "index first");
_Static_assert(offsetof(struct referd_route, index) == 0, "index first");

/* The descriptor of a table. */
static const struct table_desc *
desc_of(enum referd_table t)
{
	for (size_t i = 0; i < N_TABLES; i++)
		if (tables[i].table == t)
			return &tables[i];
	return NULL;
}

/* The descriptor of a row table, for what only a row table has: a value
 * without one (REFERD_TABLE_NONE, the scalars) is a programming error. */
static const struct table_desc *
row_table(enum referd_table t)
{
	const struct table_desc *d = desc_of(t);

	if (d == NULL)
		abort();
	return d;
}

/* The array and count fields of one table in a configuration. */
static void **
arr_of(const struct referd_config *cfg, const struct table_desc *d)
{
	return (void **)((char *)(uintptr_t)cfg + d->arr_off);
}

static size_t *
n_of(const struct referd_config *cfg, const struct table_desc *d)
{
	return (size_t *)((char *)(uintptr_t)cfg + d->n_off);
}

/* The index of row i of a table. */
static uint32_t
row_index(const struct referd_config *cfg, const struct table_desc *d, size_t i)
{
	const char *base = *arr_of(cfg, d);
	uint32_t idx;

	memcpy(&idx, base + i * d->row_size, sizeof(idx));
	return idx;
}

/* Binary search: position of index, or where it would be inserted. */
static size_t
row_find(const struct referd_config *cfg, const struct table_desc *d,
    uint32_t index, int *found)
{
	size_t lo = 0, hi = *n_of(cfg, d);

	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t v = row_index(cfg, d, mid);
		if (v == index) {
			*found = 1;
			return mid;
		}
		if (v < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Generic lookup by index. */
static void *
row_get(const struct referd_config *cfg, enum referd_table t, uint32_t index)
{
	const struct table_desc *d = row_table(t);
	int found;
	size_t pos = row_find(cfg, d, index, &found);

	if (!found)
		return NULL;
	return (char *)*arr_of(cfg, d) + pos * d->row_size;
}

/* Generic insert-or-replace keeping the array sorted. */
static int
row_put(struct referd_config *cfg, enum referd_table t, const void *row)
{
	const struct table_desc *d = row_table(t);
	uint32_t index;
	int found;
	size_t pos, *n = n_of(cfg, d);
	char *base;

	memcpy(&index, row, sizeof(index));
	pos = row_find(cfg, d, index, &found);
	if (!found) {
		base = realloc(*arr_of(cfg, d), (*n + 1) * d->row_size);
		if (base == NULL)
			return ENOMEM;
		*arr_of(cfg, d) = base;
		memmove(base + (pos + 1) * d->row_size, base + pos * d->row_size,
		    (*n - pos) * d->row_size);
		(*n)++;
	}
	base = *arr_of(cfg, d);
	memcpy(base + pos * d->row_size, row, d->row_size);
	return 0;
}

/* Remove a row by index. */
int
referd_config_del(struct referd_config *cfg, enum referd_table t, uint32_t index)
{
	const struct table_desc *d = desc_of(t);
	int found;
	size_t pos, *n;
	char *base;

	if (d == NULL)
		return ENOENT;
	pos = row_find(cfg, d, index, &found);
	if (!found)
		return ENOENT;
	n = n_of(cfg, d);
	base = *arr_of(cfg, d);
	memmove(base + pos * d->row_size, base + (pos + 1) * d->row_size,
	    (*n - pos - 1) * d->row_size);
	(*n)--;
	return 0;
}

struct referd_sgp *
referd_config_sgp(const struct referd_config *cfg, uint32_t index)
{
	return row_get(cfg, REFERD_TABLE_SGP, index);
}

struct referd_refer *
referd_config_refer(const struct referd_config *cfg, uint32_t index)
{
	return row_get(cfg, REFERD_TABLE_REFER, index);
}

struct referd_sig *
referd_config_sig(const struct referd_config *cfg, uint32_t index)
{
	return row_get(cfg, REFERD_TABLE_SIG, index);
}

struct referd_gw *
referd_config_gw(const struct referd_config *cfg, uint32_t index)
{
	return row_get(cfg, REFERD_TABLE_GW, index);
}

struct referd_route *
referd_config_route(const struct referd_config *cfg, uint32_t index)
{
	return row_get(cfg, REFERD_TABLE_ROUTE, index);
}

int
referd_config_put_sgp(struct referd_config *cfg, const struct referd_sgp *row)
{
	return row_put(cfg, REFERD_TABLE_SGP, row);
}

int
referd_config_put_refer(struct referd_config *cfg, const struct referd_refer *row)
{
	return row_put(cfg, REFERD_TABLE_REFER, row);
}

int
referd_config_put_sig(struct referd_config *cfg, const struct referd_sig *row)
{
	return row_put(cfg, REFERD_TABLE_SIG, row);
}

int
referd_config_put_gw(struct referd_config *cfg, const struct referd_gw *row)
{
	return row_put(cfg, REFERD_TABLE_GW, row);
}

int
referd_config_put_route(struct referd_config *cfg, const struct referd_route *row)
{
	return row_put(cfg, REFERD_TABLE_ROUTE, row);
}

void
referd_config_drop_storage(struct referd_config *cfg, int storage)
{
	for (size_t t = 0; t < N_TABLES; t++) {
		const struct table_desc *d = &tables[t];
		char *base = *arr_of(cfg, d);
		size_t *n = n_of(cfg, d), keep = 0;

		for (size_t i = 0; i < *n; i++) {
			int st;

			memcpy(&st, base + (i + 1) * d->row_size -
			    2 * sizeof(int), sizeof(int));
			if (st >= storage)
				continue;
			if (keep != i)
				memcpy(base + keep * d->row_size,
				    base + i * d->row_size, d->row_size);
			keep++;
		}
		*n = keep;
	}
}

int
referd_config_put_all(struct referd_config *dst, const struct referd_config *src)
{
	for (size_t t = 0; t < N_TABLES; t++) {
		const struct table_desc *d = &tables[t];
		const char *base = *arr_of(src, d);

		for (size_t i = 0; i < *n_of(src, d); i++) {
			int rc = row_put(dst, d->table, base + i * d->row_size);
			if (rc)
				return rc;
		}
	}
	return 0;
}

size_t
referd_row_size(enum referd_table t)
{
	const struct table_desc *d = desc_of(t);

	return d ? d->row_size : 0;
}

void *
referd_config_rows(const struct referd_config *cfg, enum referd_table t,
    size_t *np)
{
	const struct table_desc *d = row_table(t);

	*np = *n_of(cfg, d);
	return *arr_of(cfg, d);
}

void *
referd_config_row(const struct referd_config *cfg, enum referd_table t,
    uint32_t index)
{
	return row_get(cfg, t, index);
}

int
referd_config_put(struct referd_config *cfg, enum referd_table t,
    const void *row)
{
	return row_put(cfg, t, row);
}

int *
referd_row_storage(enum referd_table t, void *row)
{
	return (int *)((char *)row + row_table(t)->row_size - 2 * sizeof(int));
}

int *
referd_row_status(enum referd_table t, void *row)
{
	return (int *)((char *)row + row_table(t)->row_size - sizeof(int));
}

void *
referd_config_row_ensure(struct referd_config *cfg, enum referd_table t,
    uint32_t index)
{
	union referd_row u;
	void *row = referd_config_row(cfg, t, index);

	if (row != NULL)
		return row;
	referd_row_init(t, &u, index);
	if (referd_config_put(cfg, t, &u) != 0)
		return NULL;
	return referd_config_row(cfg, t, index);
}

void
referd_row_init(enum referd_table t, void *row, uint32_t index)
{
	switch (t) {
	case REFERD_TABLE_SGP: referd_sgp_init(row, index); break;
	case REFERD_TABLE_REFER: referd_refer_init(row, index); break;
	case REFERD_TABLE_SIG: referd_sig_init(row, index); break;
	case REFERD_TABLE_GW: referd_gw_init(row, index); break;
	case REFERD_TABLE_ROUTE: referd_route_init(row, index); break;
	default: break;
	}
}

int
referd_row_complete(enum referd_table t, const void *row)
{
	const struct referd_gw *gw = row;

	switch (t) {
	case REFERD_TABLE_SGP:
		return ((const struct referd_sgp *)row)->name[0] != '\0';
	case REFERD_TABLE_REFER:
		return 1;
	case REFERD_TABLE_SIG:
		return ((const struct referd_sig *)row)->address[0] != '\0';
	case REFERD_TABLE_GW:
		return gw->name[0] != '\0' && gw->address[0] != '\0';
	case REFERD_TABLE_ROUTE:
		return ((const struct referd_route *)row)->gw_index != 0;
	default:
		return 0;
	}
}

/* Default row values: the MIB's DEFVALs; rows start notReady. */
void
referd_sgp_init(struct referd_sgp *row, uint32_t index)
{
	memset(row, 0, sizeof(*row));
	row->index = index;
	row->rel100 = REFERD_100REL_SUPPORTED;
	row->redirect = REFERD_REDIRECT_RELAY;
	row->max_redirects = REFERD_MAX_REDIRECTS_DEF;
	row->session_expires = REFERD_SE_DEFAULT;
	row->min_se = REFERD_SE_MIN;
	row->header_policy = REFERD_HP_CARRIER;
	row->topology_hiding = REFERD_ENABLED;
	row->storage = REFERD_ST_NONVOLATILE;
	row->status = REFERD_RS_NOTREADY;
}

void
referd_refer_init(struct referd_refer *row, uint32_t sgp_index)
{
	memset(row, 0, sizeof(*row));
	row->sgp_index = sgp_index;
	row->support = REFERD_DISABLED;
	row->from_header = REFERD_FROM_REFERRED_BY;
	row->delayed_answer = REFERD_DISABLED;
	row->da_timer = REFERD_DA_TIMER_MIN;
	row->release_session = REFERD_DISABLED;
	row->storage = REFERD_ST_NONVOLATILE;
	row->status = REFERD_RS_NOTREADY;
}

void
referd_sig_init(struct referd_sig *row, uint32_t index)
{
	memset(row, 0, sizeof(*row));
	row->index = index;
	row->port = 5060;
	row->transport = REFERD_TRANSPORT_UDP;
	row->storage = REFERD_ST_NONVOLATILE;
	row->status = REFERD_RS_NOTREADY;
}

void
referd_gw_init(struct referd_gw *row, uint32_t index)
{
	memset(row, 0, sizeof(*row));
	row->index = index;
	row->port = 5060;
	row->transport = REFERD_TRANSPORT_UDP;
	row->replaces = REFERD_DISABLED;
	row->storage = REFERD_ST_NONVOLATILE;
	row->status = REFERD_RS_NOTREADY;
}

void
referd_route_init(struct referd_route *row, uint32_t index)
{
	memset(row, 0, sizeof(*row));
	row->index = index;
	row->storage = REFERD_ST_NONVOLATILE;
	row->status = REFERD_RS_NOTREADY;
}

int
referd_config_new(struct referd_config **cfgp)
{
	struct referd_config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		return ENOMEM;
	cfg->max_calls = 0;
	cfg->notify_rate_limit = 10;
	cfg->rtp_port_min = RTP_PORT_MIN_DEFAULT;
	cfg->rtp_port_max = RTP_PORT_MAX_DEFAULT;
	cfg->invite_timeout = 180;   /* RFC 3261 Timer C: more than 3 minutes */
	cfg->dialog_keepalive = 120; /* see referd.conf(5), dialogKeepalive */
	cfg->cdr_format = REFERD_CDR_CSV;
	cfg->cdr_rotate_size = 64u << 20;     /* see referd-cdr(5) */
	cfg->cdr_rotate_interval = 3600;
	cfg->cdr_sync_interval = 1000;
	cfg->radius_port = 1813;           /* RFC 2866 */
	cfg->radius_port2 = 1813;
	cfg->radius_timeout = 3;
	cfg->radius_retry = 10;
	*cfgp = cfg;
	return 0;
}

void
referd_config_free(struct referd_config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < N_TABLES; i++)
		free(*arr_of(cfg, &tables[i]));
	free(cfg);
}

int
referd_config_dup(const struct referd_config *cfg, struct referd_config **copyp)
{
	struct referd_config *copy = malloc(sizeof(*copy));
	int err = 0;

	if (copy == NULL)
		return ENOMEM;
	*copy = *cfg;
	for (size_t i = 0; i < N_TABLES; i++)
		*arr_of(copy, &tables[i]) = NULL;
	for (size_t i = 0; i < N_TABLES; i++) {
		const struct table_desc *d = &tables[i];
		size_t bytes = *n_of(cfg, d) * d->row_size;
		void *a;

		if (bytes == 0)
			continue;
		a = malloc(bytes);
		if (a == NULL) {
			err = ENOMEM;
			goto out;
		}
		memcpy(a, *arr_of(cfg, d), bytes);
		*arr_of(copy, d) = a;
	}
	*copyp = copy;
out:
	if (err)
		referd_config_free(copy);
	return err;
}

int
referd_addr_is_literal(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* ------------------------------------------------------------------ */
/* Validation                                                           */
/* ------------------------------------------------------------------ */

static const char *const rule_names[REFERD_RULE__COUNT] = {
	[REFERD_RULE_OK] = "ok",
	[REFERD_RULE_INDEX_RANGE] = "index-range",
	[REFERD_RULE_INDEX_ORDER] = "index-duplicate",
	[REFERD_RULE_ENUM_VALUE] = "enum-value",
	[REFERD_RULE_STORAGE_VALUE] = "storage-value",
	[REFERD_RULE_STATUS_VALUE] = "status-value",
	[REFERD_RULE_NAME_LENGTH] = "name-length",
	[REFERD_RULE_NAME_UNIQUE] = "name-unique",
	[REFERD_RULE_ADDRESS] = "address-literal",
	[REFERD_RULE_PORT_RANGE] = "port-range",
	[REFERD_RULE_PREFIX_CHARS] = "prefix-chars",
	[REFERD_RULE_INCOMPLETE] = "row-incomplete",
	[REFERD_RULE_REFER_NEEDS_SGP] = "refer-needs-sgp",
	[REFERD_RULE_SGP_REF] = "profile-must-exist",
	[REFERD_RULE_GW_REF] = "gateway-must-exist",
	[REFERD_RULE_DA_NEEDS_SUPPORT] = "delayed-answer-needs-refer-support",
	[REFERD_RULE_DA_TIMER_RANGE] = "delayed-answer-timer-range",
	[REFERD_RULE_DA_TIMER_WRITE] = "delayed-answer-timer-needs-delayed-answer",
	[REFERD_RULE_SIG_UNIQUE] = "signaling-unique",
	[REFERD_RULE_PERMANENT_DESTROY] = "permanent-not-destroyable",
	[REFERD_RULE_READONLY_CHANGE] = "readonly-not-writable",
	[REFERD_RULE_STORAGE_CHANGE] = "storage-type-change",
	[REFERD_RULE_RTP_RANGE] = "rtp-port-range",
	[REFERD_RULE_LIMIT_RANGE] = "notify-rate-limit-range",
	[REFERD_RULE_TIMER_RANGE] = "invite-timeout-range",
	[REFERD_RULE_KEEPALIVE_RANGE] = "dialog-keepalive-range",
	[REFERD_RULE_REDIRECTS_RANGE] = "max-redirects-range",
	[REFERD_RULE_RADIUS_SECRET] = "radius-secret-chars",
	[REFERD_RULE_SESSION_TIMER] = "session-timer-range",
	[REFERD_RULE_INSTANCE_NAME] = "instance-name",
};

const char *
referd_rule_name(enum referd_rule rule)
{
	if ((unsigned)rule >= REFERD_RULE__COUNT)
		return "unknown";
	return rule_names[rule];
}

const char *
referd_table_name(enum referd_table t)
{
	const struct table_desc *d = desc_of(t);

	return d ? d->name : "scalar";
}

/* Record the first failure found; returns EINVAL for the caller to pass on. */
static int
fail(struct referd_config_error *err, enum referd_rule rule,
    enum referd_table t, uint32_t index, const char *column,
    const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return EINVAL;
	err->rule = rule;
	err->table = t;
	err->index = index;
	err->column = column;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return EINVAL;
}

/* The per-table index range. */
static uint32_t
index_max(enum referd_table t)
{
	switch (t) {
	case REFERD_TABLE_SGP:
	case REFERD_TABLE_REFER:
		return REFERD_SGP_MAX;
	case REFERD_TABLE_SIG:
		return REFERD_SIG_MAX;
	case REFERD_TABLE_GW:
		return REFERD_GW_MAX;
	case REFERD_TABLE_ROUTE:
		return REFERD_ROUTE_MAX;
	default:
		return 0;
	}
}

/* Index range, strict ordering, storage and status values, for one table. */
static int
check_rows_common(const struct referd_config *cfg, const struct table_desc *d,
    struct referd_config_error *err)
{
	size_t n = *n_of(cfg, d);
	uint32_t max = index_max(d->table);
	const char *base = *arr_of(cfg, d);

	for (size_t i = 0; i < n; i++) {
		uint32_t idx = row_index(cfg, d, i);
		const char *row = base + i * d->row_size;
		int storage, status;

		if (idx < 1 || idx > max)
			return fail(err, REFERD_RULE_INDEX_RANGE, d->table, idx,
			    NULL, "%s index %u is outside 1..%u", d->name,
			    idx, max);
		if (i > 0 && row_index(cfg, d, i - 1) >= idx)
			return fail(err, REFERD_RULE_INDEX_ORDER, d->table, idx,
			    NULL, "%s row %u appears twice", d->name, idx);
		/* storage and status are the last two ints of every row. */
		memcpy(&storage, row + d->row_size - 2 * sizeof(int),
		    sizeof(int));
		memcpy(&status, row + d->row_size - sizeof(int), sizeof(int));
		if (storage < REFERD_ST_VOLATILE || storage > REFERD_ST_READONLY)
			return fail(err, REFERD_RULE_STORAGE_VALUE, d->table,
			    idx, "StorageType", "%s row %u: storage type %d "
			    "is not volatile, nonVolatile, permanent or "
			    "readOnly", d->name, idx, storage);
		if (status < REFERD_RS_ACTIVE || status > REFERD_RS_NOTREADY)
			return fail(err, REFERD_RULE_STATUS_VALUE, d->table,
			    idx, "RowStatus", "%s row %u: row status %d is "
			    "not active, notInService or notReady", d->name,
			    idx, status);
	}
	return 0;
}

/* Storage and status must be the last two ints of each row type. */
#define LAST_TWO_INTS(type) \
	_Static_assert(offsetof(type, status) == sizeof(type) - sizeof(int) && \
	    offsetof(type, storage) == sizeof(type) - 2 * sizeof(int), \
	    #type " ends with storage, status")
LAST_TWO_INTS(struct referd_sgp);
LAST_TWO_INTS(struct referd_refer);
LAST_TWO_INTS(struct referd_sig);
LAST_TWO_INTS(struct referd_gw);
LAST_TWO_INTS(struct referd_route);

/* An enumeration with values 1 and 2 (switches, from header, transport). */
static int
check_enum2(int v, enum referd_table t, uint32_t idx, const char *column,
    struct referd_config_error *err)
{
	if (v == 1 || v == 2)
		return 0;
	return fail(err, REFERD_RULE_ENUM_VALUE, t, idx, column,
	    "%s row %u: %s value %d is not one of its enumerations",
	    referd_table_name(t), idx, column, v);
}

/* A name column: 1..32 characters; empty is allowed only if not active. */
static int
check_name(const char *name, int status, enum referd_table t, uint32_t idx,
    const char *column, struct referd_config_error *err)
{
	size_t len = strnlen(name, REFERD_NAME_MAX + 1);

	if (len > REFERD_NAME_MAX)
		return fail(err, REFERD_RULE_NAME_LENGTH, t, idx, column,
		    "%s row %u: %s is longer than %d characters",
		    referd_table_name(t), idx, column, REFERD_NAME_MAX);
	if (len == 0 && status == REFERD_RS_ACTIVE)
		return fail(err, REFERD_RULE_INCOMPLETE, t, idx, column,
		    "%s row %u cannot be active without %s",
		    referd_table_name(t), idx, column);
	return 0;
}

/* An address column: an IP literal; empty only if not active. */
static int
check_address(const char *addr, int status, enum referd_table t, uint32_t idx,
    const char *column, struct referd_config_error *err)
{
	if (addr[0] == '\0') {
		if (status == REFERD_RS_ACTIVE)
			return fail(err, REFERD_RULE_INCOMPLETE, t, idx, column,
			    "%s row %u cannot be active without %s",
			    referd_table_name(t), idx, column);
		return 0;
	}
	if (!referd_addr_is_literal(addr))
		return fail(err, REFERD_RULE_ADDRESS, t, idx, column,
		    "%s row %u: %s \"%s\" is not an IPv4 or IPv6 literal",
		    referd_table_name(t), idx, column, addr);
	return 0;
}

/* A profile reference: 0 or an existing SGP row. */
static int
check_sgp_ref(const struct referd_config *cfg, uint32_t sgp, enum referd_table t,
    uint32_t idx, const char *column, struct referd_config_error *err)
{
	if (sgp == 0 || referd_config_sgp(cfg, sgp) != NULL)
		return 0;
	return fail(err, REFERD_RULE_SGP_REF, t, idx, column,
	    "%s row %u: %s names profile %u, which does not exist",
	    referd_table_name(t), idx, column, sgp);
}

/*
 * A profile's session timers (RFC 4028): Session-Expires 0 (off) or
 * 90..86400 s, Min-SE 90..86400 s and, with timers on, not above
 * Session-Expires (referd would refuse its own interval with 422).
 */
static int
check_session_timer(const struct referd_sgp *s,
    struct referd_config_error *err)
{
	const enum referd_table t = REFERD_TABLE_SGP;

	if (s->session_expires != 0 && (s->session_expires < REFERD_SE_MIN ||
	    s->session_expires > REFERD_SE_MAX))
		return fail(err, REFERD_RULE_SESSION_TIMER, t, s->index,
		    "referdSgpSessionExpires", "referdSgpTable row %u: "
		    "Session-Expires %u is neither 0 (off) nor 90..86400 "
		    "seconds", s->index, s->session_expires);
	if (s->min_se < REFERD_SE_MIN || s->min_se > REFERD_SE_MAX)
		return fail(err, REFERD_RULE_SESSION_TIMER, t, s->index,
		    "referdSgpMinSE", "referdSgpTable row %u: Min-SE %u is "
		    "outside 90..86400 seconds", s->index, s->min_se);
	if (s->session_expires != 0 && s->min_se > s->session_expires)
		return fail(err, REFERD_RULE_SESSION_TIMER, t, s->index,
		    "referdSgpMinSE", "referdSgpTable row %u: Min-SE %u is "
		    "above Session-Expires %u", s->index, s->min_se,
		    s->session_expires);
	return 0;
}

static int
check_sgp(const struct referd_config *cfg, struct referd_config_error *err)
{
	for (size_t i = 0; i < cfg->n_sgp; i++) {
		const struct referd_sgp *s = &cfg->sgp[i];
		int rc = check_name(s->name, s->status, REFERD_TABLE_SGP,
		    s->index, "referdSgpName", err);

		if (rc || (rc = check_enum2(s->redirect, REFERD_TABLE_SGP,
		    s->index, "referdSgpRedirect", err)))
			return rc;
		if (s->max_redirects > REFERD_MAX_REDIRECTS_MAX)
			return fail(err, REFERD_RULE_REDIRECTS_RANGE,
			    REFERD_TABLE_SGP, s->index, "referdSgpMaxRedirects",
			    "referdSgpTable row %u: %u redirections is more "
			    "than 10", s->index, s->max_redirects);
		if ((rc = check_session_timer(s, err)))
			return rc;
		if (s->header_policy < REFERD_HP_CARRIER ||
		    s->header_policy > REFERD_HP_NONE)
			return fail(err, REFERD_RULE_ENUM_VALUE, REFERD_TABLE_SGP,
			    s->index, "referdSgpHeaderPolicy", "referdSgpTable "
			    "row %u: referdSgpHeaderPolicy value %d is not one "
			    "of its enumerations", s->index, s->header_policy);
		if ((rc = check_enum2(s->topology_hiding, REFERD_TABLE_SGP,
		    s->index, "referdSgpTopologyHiding", err)))
			return rc;
		if (s->rel100 < REFERD_100REL_DISABLED ||
		    s->rel100 > REFERD_100REL_REQUIRED)
			return fail(err, REFERD_RULE_ENUM_VALUE,
			    REFERD_TABLE_SGP, s->index, "referdSgp100rel",
			    "referdSgpTable row %u: referdSgp100rel value %d "
			    "is not one of its enumerations", s->index,
			    s->rel100);
		for (size_t j = 0; j < i; j++)
			if (s->name[0] != '\0' &&
			    strcmp(cfg->sgp[j].name, s->name) == 0)
				return fail(err, REFERD_RULE_NAME_UNIQUE,
				    REFERD_TABLE_SGP, s->index, "referdSgpName",
				    "referdSgpTable row %u: name \"%s\" is "
				    "already used by profile %u", s->index,
				    s->name, cfg->sgp[j].index);
	}
	return 0;
}

static int
check_refer(const struct referd_config *cfg, struct referd_config_error *err)
{
	const enum referd_table t = REFERD_TABLE_REFER;

	for (size_t i = 0; i < cfg->n_refer; i++) {
		const struct referd_refer *r = &cfg->refer[i];
		uint32_t idx = r->sgp_index;
		int rc;

		if (referd_config_sgp(cfg, idx) == NULL)
			return fail(err, REFERD_RULE_REFER_NEEDS_SGP, t, idx,
			    NULL, "referdReferTable row %u: profile %u does "
			    "not exist (create the SIP SGP profile first)",
			    idx, idx);
		if ((rc = check_enum2(r->support, t, idx,
		    "referdReferSupport", err)) ||
		    (rc = check_enum2(r->from_header, t, idx,
		    "referdReferFromHeader", err)) ||
		    (rc = check_enum2(r->delayed_answer, t, idx,
		    "referdReferDelayedAnswer", err)) ||
		    (rc = check_enum2(r->release_session, t, idx,
		    "referdReferReleaseSession", err)))
			return rc;
		if (r->da_timer < REFERD_DA_TIMER_MIN ||
		    r->da_timer > REFERD_DA_TIMER_MAX)
			return fail(err, REFERD_RULE_DA_TIMER_RANGE, t, idx,
			    "referdReferDelayedAnswerTimer",
			    "referdReferTable row %u: Delayed Answer Timer %u "
			    "is outside 1..10 minutes", idx, r->da_timer);
		if (r->delayed_answer == REFERD_ENABLED &&
		    r->support != REFERD_ENABLED)
			return fail(err, REFERD_RULE_DA_NEEDS_SUPPORT, t, idx,
			    "referdReferDelayedAnswer",
			    "referdReferTable row %u: Delayed Answer can be "
			    "enabled only while Refer Support is enabled", idx);
	}
	return 0;
}

static int
check_sig(const struct referd_config *cfg, struct referd_config_error *err)
{
	const enum referd_table t = REFERD_TABLE_SIG;

	for (size_t i = 0; i < cfg->n_sig; i++) {
		const struct referd_sig *s = &cfg->sig[i];
		int rc;

		if ((rc = check_address(s->address, s->status, t, s->index,
		    "referdSigAddress", err)))
			return rc;
		if (s->port < 1 || s->port > 65535)
			return fail(err, REFERD_RULE_PORT_RANGE, t, s->index,
			    "referdSigPort", "referdSignalingTable row %u: "
			    "port %u is outside 1..65535", s->index, s->port);
		if ((rc = check_enum2(s->transport, t, s->index,
		    "referdSigTransport", err)) ||
		    (rc = check_sgp_ref(cfg, s->sgp_index, t, s->index,
		    "referdSigSgpIndex", err)))
			return rc;
		for (size_t j = 0; j < i; j++) {
			const struct referd_sig *o = &cfg->sig[j];

			if (s->address[0] != '\0' && o->port == s->port &&
			    o->transport == s->transport &&
			    strcmp(o->address, s->address) == 0)
				return fail(err, REFERD_RULE_SIG_UNIQUE, t,
				    s->index, "referdSigAddress",
				    "referdSignalingTable row %u: %s port %u "
				    "%s is already signaling endpoint %u",
				    s->index, s->address, s->port,
				    s->transport == REFERD_TRANSPORT_TCP ?
				    "tcp" : "udp", o->index);
		}
	}
	return 0;
}

static int
check_gw(const struct referd_config *cfg, struct referd_config_error *err)
{
	const enum referd_table t = REFERD_TABLE_GW;

	for (size_t i = 0; i < cfg->n_gw; i++) {
		const struct referd_gw *g = &cfg->gw[i];
		int rc;

		if ((rc = check_name(g->name, g->status, t, g->index,
		    "referdGwName", err)) ||
		    (rc = check_address(g->address, g->status, t, g->index,
		    "referdGwAddress", err)))
			return rc;
		if (g->port > 65535)
			return fail(err, REFERD_RULE_PORT_RANGE, t, g->index,
			    "referdGwPort", "referdGatewayTable row %u: port "
			    "%u is outside 0..65535", g->index, g->port);
		if ((rc = check_enum2(g->transport, t, g->index,
		    "referdGwTransport", err)) ||
		    (rc = check_sgp_ref(cfg, g->sgp_index, t, g->index,
		    "referdGwSgpIndex", err)))
			return rc;
	}
	return 0;
}

static int
check_route(const struct referd_config *cfg, struct referd_config_error *err)
{
	const enum referd_table t = REFERD_TABLE_ROUTE;

	for (size_t i = 0; i < cfg->n_route; i++) {
		const struct referd_route *r = &cfg->route[i];
		size_t len = strnlen(r->prefix, REFERD_PREFIX_MAX + 1);

		if (len > REFERD_PREFIX_MAX ||
		    strspn(r->prefix, "0123456789*#+") != len)
			return fail(err, REFERD_RULE_PREFIX_CHARS, t, r->index,
			    "referdRoutePrefix", "referdRouteTable row %u: "
			    "prefix must be at most %d characters from "
			    "0-9 * # +", r->index, REFERD_PREFIX_MAX);
		if (r->gw_index == 0) {
			if (r->status == REFERD_RS_ACTIVE)
				return fail(err, REFERD_RULE_INCOMPLETE, t,
				    r->index, "referdRouteGatewayIndex",
				    "referdRouteTable row %u cannot be active "
				    "without referdRouteGatewayIndex", r->index);
			continue;
		}
		if (referd_config_gw(cfg, r->gw_index) == NULL)
			return fail(err, REFERD_RULE_GW_REF, t, r->index,
			    "referdRouteGatewayIndex", "referdRouteTable row "
			    "%u: gateway %u does not exist", r->index,
			    r->gw_index);
	}
	return 0;
}

static int
check_scalars(const struct referd_config *cfg, struct referd_config_error *err)
{
	if (cfg->notify_rate_limit > REFERD_NOTIFY_RATE_MAX)
		return fail(err, REFERD_RULE_LIMIT_RANGE, REFERD_TABLE_NONE, 0,
		    "referdNotifyRateLimit", "referdNotifyRateLimit %u is "
		    "outside 0..%d", cfg->notify_rate_limit,
		    REFERD_NOTIFY_RATE_MAX);
	if (cfg->invite_timeout < REFERD_INVITE_TIMEOUT_MIN ||
	    cfg->invite_timeout > REFERD_INVITE_TIMEOUT_MAX)
		return fail(err, REFERD_RULE_TIMER_RANGE, REFERD_TABLE_NONE, 0,
		    NULL, "inviteTimeout %u is outside %d..%d seconds",
		    cfg->invite_timeout, REFERD_INVITE_TIMEOUT_MIN,
		    REFERD_INVITE_TIMEOUT_MAX);
	if (cfg->dialog_keepalive > REFERD_KEEPALIVE_MAX)
		return fail(err, REFERD_RULE_KEEPALIVE_RANGE, REFERD_TABLE_NONE,
		    0, NULL, "dialogKeepalive %u is outside 0..%d seconds",
		    cfg->dialog_keepalive, REFERD_KEEPALIVE_MAX);
	if (cfg->rtp_port_min < 1024 || cfg->rtp_port_max > 65535 ||
	    cfg->rtp_port_min % 2 != 0 ||
	    cfg->rtp_port_max < cfg->rtp_port_min + 1)
		return fail(err, REFERD_RULE_RTP_RANGE, REFERD_TABLE_NONE, 0,
		    NULL, "media port range %u-%u must start on an even port "
		    "at or above 1024, end at or below 65535 and hold at "
		    "least one RTP/RTCP pair", cfg->rtp_port_min,
		    cfg->rtp_port_max);
	if ((cfg->radius_server[0] != '\0' &&
	    !referd_addr_is_literal(cfg->radius_server)) ||
	    (cfg->radius_server2[0] != '\0' &&
	    !referd_addr_is_literal(cfg->radius_server2)))
		return fail(err, REFERD_RULE_ADDRESS, REFERD_TABLE_NONE, 0,
		    NULL, "a RADIUS server must be an IPv4 or IPv6 literal");
	if (!referd_secret_ok(cfg->radius_secret) ||
	    !referd_secret_ok(cfg->radius_secret2))
		return fail(err, REFERD_RULE_RADIUS_SECRET, REFERD_TABLE_NONE,
		    0, NULL, "a RADIUS secret may hold no space, ':' or ','");
	if (cfg->instance_name[0] != '\0' &&
	    !referd_instance_name_ok(cfg->instance_name))
		return fail(err, REFERD_RULE_INSTANCE_NAME, REFERD_TABLE_NONE,
		    0, "referdInstanceName", "instance name \"%s\" is not 1 to "
		    "%d of the characters A-Z a-z 0-9 -", cfg->instance_name,
		    REFERD_INSTANCE_MAX);
	return 0;
}

/* A character of an instance name. */
static int
instance_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

int
referd_instance_name_ok(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (n == REFERD_INSTANCE_MAX || !instance_char(s[n]))
			return 0;
	return n > 0;
}

void
referd_instance_default(char *buf, size_t len)
{
	char host[256];
	size_t n = 0;

	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	for (; host[n] != '\0' && host[n] != '.' && n < REFERD_INSTANCE_MAX &&
	    n + 1 < len; n++)
		buf[n] = instance_char(host[n]) ? host[n] : '-';
	buf[n] = '\0';
	if (n == 0)
		snprintf(buf, len, "referd");
}

const char *
referd_instance_name(const struct referd_config *cfg, const char *dflt)
{
	return cfg->instance_name[0] != '\0' ? cfg->instance_name : dflt;
}

int
referd_secret_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s > '~' || *s == ':' || *s == ',')
			return 0;
	return 1;
}

/* The storage and status of row i of a table. */
static void
row_storage_status(const struct referd_config *cfg, const struct table_desc *d,
    size_t i, int *storage, int *status)
{
	const char *row = (const char *)*arr_of(cfg, d) + i * d->row_size;

	memcpy(storage, row + d->row_size - 2 * sizeof(int), sizeof(int));
	memcpy(status, row + d->row_size - sizeof(int), sizeof(int));
}

/*
 * The rules about changes between two configurations: permanent and
 * readOnly rows cannot be destroyed, readOnly rows cannot change, and
 * no row moves into or out of permanent/readOnly (those come from the
 * configuration file only).
 */
static int
check_storage_change(const struct referd_config *prev,
    const struct referd_config *next, struct referd_config_error *err)
{
	for (size_t ti = 0; ti < N_TABLES; ti++) {
		const struct table_desc *d = &tables[ti];

		for (size_t i = 0; i < *n_of(prev, d); i++) {
			uint32_t idx = row_index(prev, d, i);
			const char *old = (const char *)*arr_of(prev, d) +
			    i * d->row_size;
			const char *new = row_get(next, d->table, idx);
			int ost, ors;

			row_storage_status(prev, d, i, &ost, &ors);
			if (ost < REFERD_ST_PERMANENT)
				continue;
			if (new == NULL)
				return fail(err, REFERD_RULE_PERMANENT_DESTROY,
				    d->table, idx, "RowStatus", "%s row %u is "
				    "%s (from the configuration file) and "
				    "cannot be destroyed", d->name, idx,
				    ost == REFERD_ST_PERMANENT ? "permanent" :
				    "readOnly");
			if (ost == REFERD_ST_READONLY &&
			    memcmp(old, new, d->row_size) != 0)
				return fail(err, REFERD_RULE_READONLY_CHANGE,
				    d->table, idx, NULL, "%s row %u is readOnly "
				    "and cannot be changed", d->name, idx);
		}
		for (size_t i = 0; i < *n_of(next, d); i++) {
			uint32_t idx = row_index(next, d, i);
			int found, nst, nrs, ost = 0, ors;
			size_t pos = row_find(prev, d, idx, &found);

			row_storage_status(next, d, i, &nst, &nrs);
			if (found)
				row_storage_status(prev, d, pos, &ost, &ors);
			if (nst == ost)
				continue;
			if (nst >= REFERD_ST_PERMANENT ||
			    ost >= REFERD_ST_PERMANENT)
				return fail(err, REFERD_RULE_STORAGE_CHANGE,
				    d->table, idx, "StorageType", "%s row %u: "
				    "only volatile and nonVolatile can be "
				    "written; permanent and readOnly rows come "
				    "from the configuration file", d->name, idx);
		}
	}
	return 0;
}

/*
 * The Delayed Answer Timer may change only while Delayed Answer is
 * enabled in the new configuration.  A row created or enabled in the same
 * change may carry any valid timer.
 */
static int
check_da_timer_change(const struct referd_config *prev,
    const struct referd_config *next, struct referd_config_error *err)
{
	for (size_t i = 0; i < next->n_refer; i++) {
		const struct referd_refer *n = &next->refer[i];
		const struct referd_refer *o = referd_config_refer(prev,
		    n->sgp_index);

		if (n->delayed_answer == REFERD_ENABLED)
			continue;
		if ((o != NULL && o->da_timer != n->da_timer) ||
		    (o == NULL && n->da_timer != REFERD_DA_TIMER_MIN))
			return fail(err, REFERD_RULE_DA_TIMER_WRITE,
			    REFERD_TABLE_REFER, n->sgp_index,
			    "referdReferDelayedAnswerTimer",
			    "referdReferTable row %u: the Delayed Answer Timer "
			    "can be set only while Delayed Answer is enabled",
			    n->sgp_index);
	}
	return 0;
}

int
referd_config_validate(const struct referd_config *prev,
    const struct referd_config *next, struct referd_config_error *err)
{
	int rc;

	if (err != NULL) {
		memset(err, 0, sizeof(*err));
		err->rule = REFERD_RULE_OK;
	}
	for (size_t i = 0; i < N_TABLES; i++)
		if ((rc = check_rows_common(next, &tables[i], err)))
			return rc;
	if ((rc = check_scalars(next, err)) ||
	    (rc = check_sgp(next, err)) ||
	    (rc = check_refer(next, err)) ||
	    (rc = check_sig(next, err)) ||
	    (rc = check_gw(next, err)) ||
	    (rc = check_route(next, err)))
		return rc;
	if (prev == NULL)
		return 0;
	if ((rc = check_storage_change(prev, next, err)) ||
	    (rc = check_da_timer_change(prev, next, err)))
		return rc;
	return 0;
}
