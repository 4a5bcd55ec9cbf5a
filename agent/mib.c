/*
 * mib.c: REFERD-MIB's objects (referdObjects, root.1), served by one
 * handler so that a SET request is seen whole: every varbind of a PDU is
 * checked, and the resulting configuration validated, before anything
 * changes (all-or-nothing, RFC 2579 RowStatus semantics).
 *
 * The tables are described by their columns (struct column); one generic
 * row engine does GET, GETNEXT and the SET phases for all of them:
 *   RESERVE1  each varbind alone: object, type, length, range, instance
 *   RESERVE2  the candidate configuration is built from every varbind and
 *             checked with referd_config_validate() against the running one
 *   ACTION    the candidate is written to stable storage and becomes the
 *             running configuration (the old one is kept for UNDO)
 *   COMMIT    the engine gets the new snapshot; referdConfigChange is sent
 *   UNDO      the old configuration is restored and written back
 *   FREE      whatever was not adopted is freed
 * Over AgentX these are TestSet (RESERVE1+2), CommitSet (ACTION), UndoSet
 * and CleanupSet (COMMIT or FREE): everything that can fail is done by
 * ACTION, so a committed SET is on disk before the manager hears of it.
 */
#include "referd-build.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "referd-oid.h"
#include "model/columns.h"
#include "model/digest.h"
#include "agent/mib.h"
#include "agent/notify.h"
#include "agent/persist.h"
#include "cdr/radius.h"
#include "cdr/writer.h"

/* root.1 (referdObjects) and where a name's parts are. */
#define OBJ_LEN   (REFERD_ROOT_OID_LEN + 1)
#define ARC_GROUP OBJ_LEN            /* 1 = scalars, 2..8 = tables,
                                      * 10 = referdAccounting's scalars */
#define ARC_COL   (OBJ_LEN + 2)      /* after the entry arc (1) */
#define ARC_INDEX (OBJ_LEN + 3)

static const oid objects_oid[] = { REFERD_ROOT_OID, 1 };

static struct mib_ctx *ctx;

/* ------------------------------------------------------------------ */
/* Reading                                                              */
/* ------------------------------------------------------------------ */

/* The calls as last published; refreshed once per request. */
static struct engine_call *calls;
static size_t n_calls;

static void
calls_refresh(void)
{
	struct engine_call *c = NULL;
	size_t n = 0;

	if (engine_calls_get(ctx->engine, &c, &n) != 0)
		return;   /* keep the previous copy rather than invent one */
	free(calls);
	calls = c;
	n_calls = n;
}

/* The table a name's group arc designates, or NULL. */
static const struct table *
table_by_arc(oid arc)
{
	for (size_t i = 0; i < mib_n_tables; i++)
		if (mib_tables[i].arc == arc)
			return &mib_tables[i];
	return NULL;
}

/* The configuration table behind a MIB table (the stats use profiles). */
static enum referd_table
config_table(const struct table *t)
{
	if (t->id == TABLE_STATS)
		return REFERD_TABLE_SGP;
	return (enum referd_table)t->id;
}

/* The row with this index, or NULL: config rows, or a call. */
static const void *
row_lookup(const struct table *t, uint32_t index)
{
	if (t->id == TABLE_CALLS) {
		size_t lo = 0, hi = n_calls;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (calls[mid].index == index)
				return &calls[mid];
			if (calls[mid].index < index)
				lo = mid + 1;
			else
				hi = mid;
		}
		return NULL;
	}
	return referd_config_row(*ctx->running, config_table(t), index);
}

/* The first row index strictly greater than after (0 = from the start):
 * a binary search, since every table is sorted by index. */
static int
row_next(const struct table *t, unsigned long after, uint32_t *indexp)
{
	const char *rows;
	size_t n, sz, lo = 0, hi;
	uint32_t idx;

	if (t->id == TABLE_CALLS) {
		rows = (const char *)calls;
		n = n_calls;
		sz = sizeof(*calls);
	} else {
		enum referd_table ct = config_table(t);

		rows = referd_config_rows(*ctx->running, ct, &n);
		sz = referd_row_size(ct);
	}
	hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		memcpy(&idx, rows + mid * sz, sizeof(idx));
		if (idx <= after)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == n)
		return 0;
	memcpy(indexp, rows + lo * sz, sizeof(*indexp));
	return 1;
}

/* Set a varbind to an unsigned 32-bit value of the given ASN type. */
static void
vb_u32(netsnmp_variable_list *vb, u_char type, unsigned long v)
{
	snmp_set_var_typed_value(vb, type, &v, sizeof(v));
}

/* Set a varbind to an INTEGER. */
static void
vb_int(netsnmp_variable_list *vb, long v)
{
	snmp_set_var_typed_value(vb, ASN_INTEGER, &v, sizeof(v));
}

/* Set a varbind to a string. */
static void
vb_str(netsnmp_variable_list *vb, const char *s)
{
	snmp_set_var_typed_value(vb, ASN_OCTET_STR, s, strlen(s));
}

/* Set a varbind to a Counter64. */
static void
vb_c64(netsnmp_variable_list *vb, uint64_t v)
{
	struct counter64 c = { .high = (u_long)(v >> 32),
	    .low = (u_long)(v & 0xffffffffu) };

	snmp_set_var_typed_value(vb, ASN_COUNTER64, &c, sizeof(c));
}

/* The value of one table cell into vb; the row exists. */
static void
cell_value(const struct table *t, const struct column *c, uint32_t index,
    const void *row, netsnmp_variable_list *vb)
{
	const char *r = row;
	enum referd_table ct = config_table(t);

	switch (c->kind) {
	case K_U32: {
		uint32_t v;

		memcpy(&v, r + c->off, sizeof(v));
		vb_u32(vb, ASN_UNSIGNED, v);
		break;
	}
	case K_ENUM: {
		int v;

		memcpy(&v, r + c->off, sizeof(v));
		vb_int(vb, v);
		break;
	}
	case K_STRING:
	case K_ADDRESS:
	case K_PREFIX:
		vb_str(vb, r + c->off);
		break;
	case K_SECRET:
		vb_str(vb, "");      /* written, never read back */
		break;
	case K_STORAGE:
		vb_int(vb, *referd_row_storage(ct, (void *)(uintptr_t)row));
		break;
	case K_ROWSTATUS:
		vb_int(vb, *referd_row_status(ct, (void *)(uintptr_t)row));
		break;
	case K_OPER:
		vb_int(vb, engine_sig_is_up(ctx->engine, index) ? 1 : 2);
		break;
	case K_COUNTER:
		vb_c64(vb, engine_sgp_counter(ctx->engine, index,
		    (enum referd_counter)c->off));
		break;
	case K_CALL: {
		const struct engine_call *k = row;

		switch (c->off) {
		case 2: vb_int(vb, k->state); break;
		case 3: vb_str(vb, k->caller); break;
		case 4: vb_str(vb, k->callee); break;
		case 5: vb_str(vb, k->target); break;
		case 6: vb_u32(vb, ASN_UNSIGNED, k->duration); break;
		case 7: vb_u32(vb, ASN_UNSIGNED, k->sgp_in); break;
		case 8: vb_u32(vb, ASN_UNSIGNED, k->sgp_out); break;
		default: vb_str(vb, k->instance); break;
		}
		break;
	}
	case K_INDEX:
	case K_RUNTIME:      /* scalars: scalar_value() */
	case K_PORT_RANGE:
		break;
	}
}

/* referdConfigDigest, computed again at the first read after the
 * configuration changed (mib_config_changed). */
static char config_digest[REFERD_DIGEST_HEX];
static int digest_stale = 1;

void
mib_config_changed(void)
{
	digest_stale = 1;
}

/* The value of scalar n into vb. */
static void
scalar_value(unsigned n, netsnmp_variable_list *vb)
{
	struct engine_stats st;

	switch (n) {
	case REFERD_SC_CONFIG_DIGEST:
		if (digest_stale) {
			referd_config_digest(*ctx->running, config_digest);
			digest_stale = 0;
		}
		vb_str(vb, config_digest);
		break;
	case REFERD_SC_VERSION:
		vb_str(vb, PACKAGE_VERSION);
		break;
	case REFERD_SC_MAX_CALLS:
		vb_u32(vb, ASN_UNSIGNED, (*ctx->running)->max_calls);
		break;
	case REFERD_SC_ACTIVE_CALLS:
		engine_stats_get(ctx->engine, &st);
		vb_u32(vb, ASN_GAUGE, st.active_calls);
		break;
	case REFERD_SC_NOTIFY_RATE_LIMIT:
		vb_u32(vb, ASN_UNSIGNED, (*ctx->running)->notify_rate_limit);
		break;
	case REFERD_SC_NOTIFY_DROPPED:
		vb_c64(vb, notify_dropped());
		break;
	case REFERD_SC_INSTANCE_NAME:
		/* The configured name, or the host's when none is. */
		vb_str(vb, referd_instance_name(*ctx->running,
		    ctx->instance_default));
		break;
	}
}

/* The value of a column of referdAccounting into vb. */
static void
group_value(const struct column *c, netsnmp_variable_list *vb)
{
	struct cdr_writer_stats st = { 0 };
	struct cdr_radius_stats rs = { .up = -1 };

	if (c->kind != K_RUNTIME) {
		/* A setting: a cell of the configuration itself. */
		cell_value(&mib_accounting, c, 0, *ctx->running, vb);
		return;
	}
	if (ctx->cdr != NULL)
		cdr_writer_stats_get(ctx->cdr, &st);
	if (ctx->radius != NULL)
		cdr_radius_stats_get(ctx->radius, &rs);
	switch (c->arc) {
	case REFERD_AC_CDR_WRITTEN: vb_c64(vb, st.written); break;
	case REFERD_AC_CDR_FAILED: vb_c64(vb, st.failed); break;
	case REFERD_AC_RADIUS_SENT: vb_c64(vb, rs.sent); break;
	case REFERD_AC_RADIUS_RETRIED: vb_c64(vb, rs.retried); break;
	case REFERD_AC_RADIUS_SPOOLED: vb_c64(vb, rs.spooled); break;
	case REFERD_AC_RADIUS_FAILED: vb_c64(vb, rs.failed); break;
	default:    /* referdRadiusServerStatus: up(1), down(2), none(3) */
		vb_int(vb, rs.up == 1 ? 1 : rs.up == 0 ? 2 : 3);
		break;
	}
}

/* GET of one varbind. */
static void
do_get(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *req)
{
	netsnmp_variable_list *vb = req->requestvb;
	const oid *name = vb->name;
	size_t len = vb->name_length;
	const struct table *t;
	const struct column *c;
	const void *row;

	if (len == OBJ_LEN + 3 && name[ARC_GROUP] == 1) {
		if (name[OBJ_LEN + 1] >= 1 &&
		    name[OBJ_LEN + 1] <= REFERD_SC__LAST &&
		    mib_column(&mib_general, name[OBJ_LEN + 1]) &&
		    name[OBJ_LEN + 2] == 0) {
			scalar_value((unsigned)name[OBJ_LEN + 1], vb);
			return;
		}
	}
	if (len > ARC_GROUP && name[ARC_GROUP] == mib_accounting.arc) {
		if (len == OBJ_LEN + 3 && name[OBJ_LEN + 2] == 0 &&
		    (c = mib_column(&mib_accounting, name[OBJ_LEN + 1])))
			group_value(c, vb);
		else
			netsnmp_set_request_error(reqinfo, req,
			    len == OBJ_LEN + 3 && mib_column(&mib_accounting,
			    name[OBJ_LEN + 1]) ? SNMP_NOSUCHINSTANCE :
			    SNMP_NOSUCHOBJECT);
		return;
	}
	if (len <= ARC_GROUP || (t = table_by_arc(name[ARC_GROUP])) == NULL ||
	    len <= ARC_COL || name[OBJ_LEN + 1] != 1 ||
	    (c = mib_column(t, name[ARC_COL])) == NULL ||
	    c->kind == K_INDEX) {
		netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHOBJECT);
		return;
	}
	if (len != ARC_INDEX + 1 || name[ARC_INDEX] > UINT32_MAX ||
	    (row = row_lookup(t, (uint32_t)name[ARC_INDEX])) == NULL) {
		netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHINSTANCE);
		return;
	}
	cell_value(t, c, (uint32_t)name[ARC_INDEX], row, vb);
}

/* GETNEXT of one varbind: the first instance after its name, if any. */
static void
do_getnext(netsnmp_request_info *req)
{
	netsnmp_variable_list *vb = req->requestvb;
	oid cand[ARC_INDEX + 1];

	memcpy(cand, objects_oid, sizeof(objects_oid));
	/* Scalars: root.1.1.N.0 */
	cand[OBJ_LEN] = 1;
	for (unsigned n = 1; n <= REFERD_SC__LAST; n++) {
		if (mib_column(&mib_general, n) == NULL)
			continue;
		cand[OBJ_LEN + 1] = n;
		cand[OBJ_LEN + 2] = 0;
		if (snmp_oid_compare(cand, OBJ_LEN + 3, vb->name,
		    vb->name_length) > 0) {
			snmp_set_var_objid(vb, cand, OBJ_LEN + 3);
			scalar_value(n, vb);
			return;
		}
	}
	/* Tables: root.1.T.1.C.I, column by column. */
	for (size_t ti = 0; ti < mib_n_tables; ti++) {
		const struct table *t = &mib_tables[ti];

		cand[OBJ_LEN] = t->arc;
		cand[OBJ_LEN + 1] = 1;
		for (const struct column *c = t->cols; c->name; c++) {
			unsigned long after = 0;
			uint32_t idx;
			int cmp;

			if (c->kind == K_INDEX)
				continue;
			cand[ARC_COL] = c->arc;
			cmp = snmp_oid_compare(cand, ARC_COL + 1, vb->name,
			    vb->name_length < ARC_COL + 1 ? vb->name_length :
			    ARC_COL + 1);
			if (cmp < 0)
				continue;     /* the whole column is before */
			if (cmp == 0 && vb->name_length > ARC_COL + 1) {
				after = vb->name[ARC_INDEX];
				if (after > UINT32_MAX)
					continue;
			}
			if (!row_next(t, after, &idx))
				continue;
			cand[ARC_INDEX] = idx;
			snmp_set_var_objid(vb, cand, ARC_INDEX + 1);
			cell_value(t, c, idx, row_lookup(t, idx), vb);
			return;
		}
	}
	/* referdAccounting: root.1.10.N.0, in arc order. */
	cand[OBJ_LEN] = mib_accounting.arc;
	for (const struct column *c = mib_accounting.cols; c->name; c++) {
		cand[OBJ_LEN + 1] = c->arc;
		cand[OBJ_LEN + 2] = 0;
		if (snmp_oid_compare(cand, OBJ_LEN + 3, vb->name,
		    vb->name_length) > 0) {
			snmp_set_var_objid(vb, cand, OBJ_LEN + 3);
			group_value(c, vb);
			return;
		}
	}
	/* Nothing after it here: leave the varbind for the next subtree. */
}

/* ------------------------------------------------------------------ */
/* Writing                                                              */
/* ------------------------------------------------------------------ */

/* One varbind of a SET, resolved. */
struct set_item {
	netsnmp_request_info *req;
	int                   group;    /* a scalar of t, a group (c) */
	const struct table   *t;
	const struct column  *c;
	uint32_t              index;
};

/* The SET in progress (net-snmp processes one SET at a time). */
static struct {
	struct set_item      *items;
	size_t                n;
	struct referd_config *candidate;   /* built in RESERVE2 */
	struct referd_config *previous;    /* kept by ACTION for UNDO */
	int                   adopted;     /* ACTION made candidate running */
} set;

/* Forget the SET in progress. */
static void
set_reset(void)
{
	free(set.items);
	if (!set.adopted)
		referd_config_free(set.candidate);
	set.items = NULL;
	set.n = 0;
	set.candidate = NULL;
	set.adopted = 0;
}

/* Resolve a varbind's name to a writable object; 0 or an SNMP error. */
static int
resolve(netsnmp_variable_list *vb, struct set_item *it)
{
	const oid *name = vb->name;
	size_t len = vb->name_length;

	memset(it, 0, sizeof(*it));
	/* referdGeneral, referdAccounting: scalars root.1.G.N.0 */
	for (size_t g = 0; mib_scalar_groups[g] != NULL; g++) {
		const struct table *sg = mib_scalar_groups[g];

		if (len <= ARC_GROUP || name[ARC_GROUP] != sg->arc)
			continue;
		it->group = 1;
		it->t = sg;
		if (len != OBJ_LEN + 3 || name[OBJ_LEN + 2] != 0 ||
		    (it->c = mib_column(sg, name[OBJ_LEN + 1])) == NULL)
			return SNMP_ERR_NOCREATION;
		return it->c->kind == K_RUNTIME ? SNMP_ERR_NOTWRITABLE : 0;
	}
	if (len <= ARC_COL || (it->t = table_by_arc(name[ARC_GROUP])) == NULL ||
	    name[OBJ_LEN + 1] != 1 ||
	    (it->c = mib_column(it->t, name[ARC_COL])) == NULL)
		return SNMP_ERR_NOCREATION;
	switch (it->c->kind) {
	case K_INDEX:
	case K_OPER:
	case K_COUNTER:
	case K_CALL:
		return SNMP_ERR_NOTWRITABLE;
	default:
		break;
	}
	if (len != ARC_INDEX + 1)
		return SNMP_ERR_NOCREATION;
	if (name[ARC_INDEX] < 1 || name[ARC_INDEX] > it->t->max_index)
		return it->c->kind == K_ROWSTATUS ? SNMP_ERR_INCONSISTENTNAME :
		    SNMP_ERR_NOCREATION;
	it->index = (uint32_t)name[ARC_INDEX];
	return 0;
}

/* True when every byte is printable NVT ASCII (DisplayString). */
static int
is_display(const u_char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isprint(s[i]))
			return 0;
	return 1;
}

/* Type, length and range of one varbind; 0 or an SNMP error. */
static int
check_value(const struct set_item *it, netsnmp_variable_list *vb)
{
	char buf[REFERD_PATH_MAX + 1];
	int rc;

	switch (it->c->kind) {
	case K_U32:
		return netsnmp_check_vb_type(vb, ASN_UNSIGNED) ?:
		    netsnmp_check_vb_range(vb, (size_t)it->c->min,
		    (size_t)it->c->max);
	case K_ENUM:
		return netsnmp_check_vb_type(vb, ASN_INTEGER) ?:
		    netsnmp_check_vb_int_range(vb, (int)it->c->min,
		    (int)it->c->max);
	case K_STRING:
	case K_ADDRESS:
	case K_PREFIX:
	case K_SECRET:
		if ((rc = netsnmp_check_vb_type(vb, ASN_OCTET_STR)) ||
		    (rc = netsnmp_check_vb_size_range(vb, (size_t)it->c->min,
		    (size_t)it->c->max)))
			return rc;
		if (!is_display(vb->val.string, vb->val_len))
			return SNMP_ERR_WRONGVALUE;
		memcpy(buf, vb->val.string, vb->val_len);
		buf[vb->val_len] = '\0';
		if ((it->c->kind == K_PREFIX &&
		    strspn(buf, "0123456789*#+") < vb->val_len) ||
		    (it->c->chars != NULL &&
		    strspn(buf, it->c->chars) < vb->val_len))
			return SNMP_ERR_WRONGVALUE;
		/* An address; one that may be empty (min 0) is "none". */
		if (it->c->kind == K_ADDRESS && !referd_addr_is_literal(buf) &&
		    (vb->val_len > 0 || it->c->min > 0))
			return SNMP_ERR_WRONGVALUE;
		if (it->c->kind == K_SECRET && !referd_secret_ok(buf))
			return SNMP_ERR_WRONGVALUE;
		return 0;
	case K_STORAGE:
		if ((rc = netsnmp_check_vb_type(vb, ASN_INTEGER)))
			return rc;
		/* Only volatile and nonVolatile can be written. */
		if (*vb->val.integer != REFERD_ST_VOLATILE &&
		    *vb->val.integer != REFERD_ST_NONVOLATILE)
			return SNMP_ERR_WRONGVALUE;
		return 0;
	case K_ROWSTATUS:
		/*
		 * net-snmp's value check admits 0, its own "no row" state,
		 * which is no value of RowStatus: wrongValue (RFC 2579), as
		 * are notReady and anything outside 1..6.
		 */
		if ((rc = netsnmp_check_vb_type(vb, ASN_INTEGER)) ||
		    (rc = netsnmp_check_vb_rowstatus_value(vb)))
			return rc;
		return *vb->val.integer == RS_NONEXISTENT ?
		    SNMP_ERR_WRONGVALUE : 0;
	default:
		return SNMP_ERR_NOTWRITABLE;
	}
}

/* The RowStatus value this PDU writes for a row, or 0. */
static long
pdu_rowstatus(const struct table *t, uint32_t index)
{
	for (size_t i = 0; i < set.n; i++) {
		const struct set_item *it = &set.items[i];

		if (it->t == t && it->index == index &&
		    it->c->kind == K_ROWSTATUS)
			return *it->req->requestvb->val.integer;
	}
	return 0;
}

/* True when this PDU writes the given column of a row. */
static int
pdu_writes(const struct table *t, uint32_t index, unsigned arc)
{
	for (size_t i = 0; i < set.n; i++)
		if (set.items[i].t == t && set.items[i].index == index &&
		    set.items[i].c->arc == arc)
			return 1;
	return 0;
}

/* RESERVE1: each varbind on its own. */
static void
set_reserve1(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *reqs)
{
	size_t n = 0, i = 0;

	set_reset();
	for (netsnmp_request_info *r = reqs; r; r = r->next)
		n++;
	set.items = calloc(n, sizeof(*set.items));
	if (set.items == NULL) {
		netsnmp_set_request_error(reqinfo, reqs, SNMP_ERR_RESOURCEUNAVAILABLE);
		return;
	}
	set.n = n;
	for (netsnmp_request_info *r = reqs; r; r = r->next, i++) {
		set.items[i].req = r;
		int rc = resolve(r->requestvb, &set.items[i]);

		set.items[i].req = r;
		if (rc == 0)
			rc = check_value(&set.items[i], r->requestvb);
		if (rc) {
			netsnmp_set_request_error(reqinfo, r, rc);
			return;
		}
	}
	/* Instances that need a row: it exists, or this PDU creates it. */
	for (i = 0; i < set.n; i++) {
		struct set_item *it = &set.items[i];
		void *row;
		long rs;
		int rc;

		if (it->group)
			continue;
		row = referd_config_row(*ctx->running, config_table(it->t),
		    it->index);
		rs = pdu_rowstatus(it->t, it->index);
		/*
		 * RFC 2579's transitions from "no row" or "a row": net-snmp's
		 * table of them (active/notInService on a missing row,
		 * createAnd* on an existing one: inconsistentValue).  An
		 * existing row counts as active here: whether a notReady row
		 * is complete enough is judged with the whole PDU (RESERVE2).
		 */
		if (it->c->kind == K_ROWSTATUS &&
		    (rc = netsnmp_check_vb_rowstatus(it->req->requestvb,
		    row != NULL ? RS_ACTIVE : RS_NONEXISTENT)) != 0) {
			netsnmp_set_request_error(reqinfo, it->req, rc);
			return;
		}
		if (row == NULL && rs != RS_CREATEANDGO &&
		    rs != RS_CREATEANDWAIT && rs != RS_DESTROY) {
			/* a column of a row that neither exists nor is created */
			netsnmp_set_request_error(reqinfo, it->req,
			    SNMP_ERR_NOCREATION);
			return;
		}
		if (row != NULL && it->c->kind != K_ROWSTATUS &&
		    *referd_row_storage(config_table(it->t), row) ==
		    REFERD_ST_READONLY) {
			netsnmp_set_request_error(reqinfo, it->req,
			    SNMP_ERR_NOTWRITABLE);
			return;
		}
	}
}

/* Write one column value into a row. */
static void
apply_column(const struct set_item *it, void *row)
{
	netsnmp_variable_list *vb = it->req->requestvb;
	char *r = row;

	switch (it->c->kind) {
	case K_U32: {
		uint32_t v = (uint32_t)*vb->val.integer;

		memcpy(r + it->c->off, &v, sizeof(v));
		break;
	}
	case K_ENUM: {
		int v = (int)*vb->val.integer;

		memcpy(r + it->c->off, &v, sizeof(v));
		break;
	}
	case K_STRING:
	case K_ADDRESS:
	case K_PREFIX:
	case K_SECRET:
		memcpy(r + it->c->off, vb->val.string, vb->val_len);
		r[it->c->off + vb->val_len] = '\0';
		break;
	case K_STORAGE:
		*referd_row_storage(config_table(it->t), row) =
		    (int)*vb->val.integer;
		break;
	default:
		break;
	}
}

/* The SNMP error a broken rule is reported with. */
static int
rule_error(enum referd_rule rule)
{
	switch (rule) {
	case REFERD_RULE_INDEX_RANGE:
		return SNMP_ERR_INCONSISTENTNAME;
	case REFERD_RULE_READONLY_CHANGE:
		return SNMP_ERR_NOTWRITABLE;
	default:
		return SNMP_ERR_INCONSISTENTVALUE;
	}
}

/* The varbind to blame for a broken rule: its column, its row, or the first. */
static netsnmp_request_info *
blame(const struct referd_config_error *err)
{
	for (size_t i = 0; i < set.n; i++) {
		const struct set_item *it = &set.items[i];

		if (it->t && config_table(it->t) == err->table &&
		    it->index == err->index && err->column &&
		    strcmp(it->c->name, err->column) == 0)
			return it->req;
	}
	for (size_t i = 0; i < set.n; i++) {
		const struct set_item *it = &set.items[i];

		if (it->t && config_table(it->t) == err->table &&
		    it->index == err->index)
			return it->req;
	}
	/* A row this PDU destroys that another row still needs. */
	for (size_t i = 0; i < set.n; i++) {
		const struct set_item *it = &set.items[i];

		if (it->t && it->c->kind == K_ROWSTATUS &&
		    *it->req->requestvb->val.integer == RS_DESTROY)
			return it->req;
	}
	return set.items[0].req;
}

/* Apply every row of the PDU to the candidate; 0 or an SNMP error. */
static int
build_row(struct referd_config *cand, const struct set_item *first,
    netsnmp_request_info **errreq)
{
	enum referd_table ct = config_table(first->t);
	size_t sz = referd_row_size(ct);
	const void *old = referd_config_row(*ctx->running, ct, first->index);
	long rs = pdu_rowstatus(first->t, first->index);
	union referd_row rowbuf;
	void *row = &rowbuf;
	int *status, complete;
	const struct set_item *rsitem = NULL;

	*errreq = first->req;
	if (rs == RS_DESTROY) {
		if (old != NULL)
			referd_config_del(cand, ct, first->index);
		return 0;
	}
	if (old != NULL)
		memcpy(row, old, sz);
	else
		referd_row_init(ct, row, first->index);
	for (size_t i = 0; i < set.n; i++) {
		const struct set_item *it = &set.items[i];

		if (it->t != first->t || it->index != first->index)
			continue;
		if (it->c->kind == K_ROWSTATUS)
			rsitem = it;
		else
			apply_column(it, row);
	}
	/* Delayed Answer first enabled: the timer starts at 1 minute. */
	if (ct == REFERD_TABLE_REFER) {
		struct referd_refer *r = &rowbuf.refer;
		const struct referd_refer *o = old;

		if (r->delayed_answer == REFERD_ENABLED &&
		    (o == NULL || o->delayed_answer != REFERD_ENABLED) &&
		    !pdu_writes(first->t, first->index, 4))
			r->da_timer = REFERD_DA_TIMER_MIN;
		if (r->delayed_answer != REFERD_ENABLED &&
		    pdu_writes(first->t, first->index, 4)) {
			for (size_t i = 0; i < set.n; i++)
				if (set.items[i].t == first->t &&
				    set.items[i].index == first->index &&
				    set.items[i].c->arc == 4)
					*errreq = set.items[i].req;
			return SNMP_ERR_INCONSISTENTVALUE;
		}
	}
	status = referd_row_status(ct, row);
	complete = referd_row_complete(ct, row);
	if (rsitem != NULL)
		*errreq = rsitem->req;
	switch (rs) {
	case RS_CREATEANDGO:
	case RS_ACTIVE:
		if (!complete)
			return SNMP_ERR_INCONSISTENTVALUE;
		*status = REFERD_RS_ACTIVE;
		break;
	case RS_CREATEANDWAIT:
		*status = complete ? REFERD_RS_NOTINSERVICE : REFERD_RS_NOTREADY;
		break;
	case RS_NOTINSERVICE:
		if (!complete)
			return SNMP_ERR_INCONSISTENTVALUE;
		*status = REFERD_RS_NOTINSERVICE;
		break;
	default:
		/* Columns only: a notReady row that became complete. */
		if (*status == REFERD_RS_NOTREADY && complete)
			*status = REFERD_RS_NOTINSERVICE;
		break;
	}
	if (referd_config_put(cand, ct, row) != 0)
		return SNMP_ERR_RESOURCEUNAVAILABLE;
	return 0;
}

/* RESERVE2: build the whole candidate and check every rule. */
static void
set_reserve2(netsnmp_agent_request_info *reqinfo)
{
	struct referd_config_error verr;
	netsnmp_request_info *errreq = NULL;
	int rc;

	if (referd_config_dup(*ctx->running, &set.candidate) != 0) {
		netsnmp_set_request_error(reqinfo, set.items[0].req,
		    SNMP_ERR_RESOURCEUNAVAILABLE);
		return;
	}
	for (size_t i = 0; i < set.n; i++) {
		const struct set_item *it = &set.items[i];
		int seen = 0;

		if (it->group) {
			apply_column(it, set.candidate);
			continue;
		}
		/* Each row once, at its first varbind. */
		for (size_t j = 0; j < i; j++)
			if (set.items[j].t == it->t &&
			    set.items[j].index == it->index)
				seen = 1;
		if (seen)
			continue;
		if ((rc = build_row(set.candidate, it, &errreq)) != 0) {
			netsnmp_set_request_error(reqinfo, errreq, rc);
			return;
		}
	}
	if (referd_config_validate(*ctx->running, set.candidate, &verr)) {
		errreq = blame(&verr);
		rc = rule_error(verr.rule);
		/* A Refer Support row created without its profile. */
		if (verr.rule == REFERD_RULE_REFER_NEEDS_SGP &&
		    referd_config_refer(*ctx->running, verr.index) == NULL)
			rc = SNMP_ERR_INCONSISTENTNAME;
		DEBUGMSGTL(("referd:set", "refused: rule %s: %s\n",
		    referd_rule_name(verr.rule), verr.text));
		snmp_log(LOG_INFO, "SET refused: rule %s: %s\n",
		    referd_rule_name(verr.rule), verr.text);
		netsnmp_set_request_error(reqinfo, errreq, rc);
	}
}

/* ACTION: persist the candidate and make it the running configuration. */
static void
set_action(netsnmp_agent_request_info *reqinfo)
{
	int rc = persist_save(ctx->persist_path, set.candidate);

	if (rc) {
		snmp_log(LOG_ERR, "SET not committed: cannot write %s: %s\n",
		    ctx->persist_path, strerror(rc));
		netsnmp_set_request_error(reqinfo, set.items[0].req,
		    SNMP_ERR_COMMITFAILED);
		return;
	}
	set.previous = *ctx->running;
	*ctx->running = set.candidate;
	set.adopted = 1;
	mib_config_changed();
}

/* Send referdConfigChange for each row and scalar that changed. */
static void
notify_changes(const struct referd_config *old, const struct referd_config *new)
{
	static const enum referd_table order[] = { REFERD_TABLE_SGP,
	    REFERD_TABLE_REFER, REFERD_TABLE_SIG, REFERD_TABLE_GW,
	    REFERD_TABLE_ROUTE };
	oid ptr[ARC_INDEX + 1];

	memcpy(ptr, objects_oid, sizeof(objects_oid));
	/* The scalars of referdGeneral and referdAccounting, in order. */
	for (size_t g = 0; mib_scalar_groups[g] != NULL; g++) {
		ptr[OBJ_LEN] = mib_scalar_groups[g]->arc;
		for (const struct column *c = mib_scalar_groups[g]->cols;
		    c->name; c++) {
			const char *o = (const char *)old + c->off;
			const char *w = (const char *)new + c->off;

			/* Read-only, or the configuration file's alone. */
			if (c->kind == K_RUNTIME || c->arc == 0 ||
			    (c->kind == K_U32 || c->kind == K_ENUM ?
			    memcmp(o, w, mib_column_size(c)) :
			    strcmp(o, w)) == 0)
				continue;
			ptr[OBJ_LEN + 1] = c->arc;
			ptr[OBJ_LEN + 2] = 0;
			notify_config_change(ptr, OBJ_LEN + 3, RS_ACTIVE);
		}
	}
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		enum referd_table ct = order[k];
		const struct table *t = NULL;
		const struct column *c;
		size_t sz = referd_row_size(ct), n;
		const char *rows;

		for (size_t i = 0; i < mib_n_tables; i++)
			if (mib_tables[i].id == (int)ct)
				t = &mib_tables[i];
		if (t == NULL)          /* every table of order[] is described */
			continue;
		for (c = t->cols; c->kind != K_ROWSTATUS; c++)
			;
		ptr[OBJ_LEN] = t->arc;
		ptr[OBJ_LEN + 1] = 1;
		ptr[ARC_COL] = c->arc;
		/* Rows changed or created. */
		rows = referd_config_rows(new, ct, &n);
		for (size_t i = 0; i < n; i++) {
			const char *nr = rows + i * sz;
			uint32_t idx;
			const void *or;

			memcpy(&idx, nr, sizeof(idx));
			or = referd_config_row(old, ct, idx);
			if (or != NULL && memcmp(or, nr, sz) == 0)
				continue;
			ptr[ARC_INDEX] = idx;
			notify_config_change(ptr, ARC_INDEX + 1,
			    *referd_row_status(ct, (void *)(uintptr_t)nr));
		}
		/* Rows destroyed. */
		rows = referd_config_rows(old, ct, &n);
		for (size_t i = 0; i < n; i++) {
			uint32_t idx;

			memcpy(&idx, rows + i * sz, sizeof(idx));
			if (referd_config_row(new, ct, idx) != NULL)
				continue;
			ptr[ARC_INDEX] = idx;
			notify_config_change(ptr, ARC_INDEX + 1, RS_DESTROY);
		}
	}
}

/* COMMIT: the engine gets the new snapshot; the NOC hears of it. */
static void
set_commit(void)
{
	struct referd_config *snap;

	if (!set.adopted)
		return;
	if (referd_config_dup(*ctx->running, &snap) == 0)
		engine_apply(ctx->engine, snap);
	else
		snmp_log(LOG_ERR, "out of memory: the engine keeps its "
		    "previous configuration\n");
	notify_configure(*ctx->running, ctx->instance_default);
	notify_changes(set.previous, *ctx->running);
	referd_config_free(set.previous);
	set.previous = NULL;
}

/* UNDO: put the previous configuration back, on disk too. */
static void
set_undo(netsnmp_agent_request_info *reqinfo)
{
	if (!set.adopted)
		return;
	*ctx->running = set.previous;
	set.previous = NULL;
	set.adopted = 0;    /* set_reset frees the candidate */
	mib_config_changed();
	if (persist_save(ctx->persist_path, *ctx->running) != 0) {
		snmp_log(LOG_ERR, "UNDO: cannot restore %s\n",
		    ctx->persist_path);
		netsnmp_set_request_error(reqinfo, set.items[0].req,
		    SNMP_ERR_UNDOFAILED);
	}
}

/* The handler for all of referdObjects. */
static int
mib_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
    netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	switch (reqinfo->mode) {
	case MODE_GET:
		calls_refresh();
		for (netsnmp_request_info *r = requests; r; r = r->next)
			do_get(reqinfo, r);
		break;
	case MODE_GETNEXT:
		calls_refresh();
		for (netsnmp_request_info *r = requests; r; r = r->next)
			do_getnext(r);
		break;
	case MODE_SET_RESERVE1:
		set_reserve1(reqinfo, requests);
		break;
	case MODE_SET_RESERVE2:
		set_reserve2(reqinfo);
		break;
	case MODE_SET_ACTION:
		set_action(reqinfo);
		break;
	case MODE_SET_COMMIT:
		set_commit();
		set_reset();
		break;
	case MODE_SET_UNDO:
		set_undo(reqinfo);
		break;
	case MODE_SET_FREE:
		set_reset();
		break;
	default:
		break;
	}
	return SNMP_ERR_NOERROR;
}

int
mib_register(struct mib_ctx *c)
{
	netsnmp_handler_registration *reg;

	ctx = c;
	reg = netsnmp_create_handler_registration("referd", mib_handler,
	    objects_oid, OID_LENGTH(objects_oid), HANDLER_CAN_RWRITE);
	if (reg == NULL)
		return ENOMEM;
	if (netsnmp_register_handler(reg) != MIB_REGISTERED_OK)
		return EEXIST;
	return 0;
}

/* True between a SET's first phase and its last. */
int
mib_set_in_progress(void)
{
	return set.items != NULL;
}
