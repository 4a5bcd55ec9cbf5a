/*
 * fetch.c: referctl's SNMP reads and writes (see fetch.h).
 */
#include <stdlib.h>
#include <string.h>

#include "referd-oid.h"
#include "cli/fetch.h"

const oid referd_objects_oid[] = { REFERD_ROOT_OID, 1 };
const size_t referd_objects_len = REFERD_ROOT_OID_LEN + 1;

/* Print why a request got no usable answer. */
static void
session_error(netsnmp_session *ss, const char *what)
{
	int liberr, syserr;
	char *text = NULL;

	snmp_error(ss, &liberr, &syserr, &text);
	fprintf(stderr, "referctl: %s: %s\n", what,
	    text ? text : "no answer from the agent");
	free(text);
}

/* Send a request and wait; the response, or NULL after printing why. */
static netsnmp_pdu *
exchange(netsnmp_session *ss, netsnmp_pdu *pdu, const char *what)
{
	netsnmp_pdu *resp = NULL;
	int st = snmp_synch_response(ss, pdu, &resp);

	if (st == STAT_SUCCESS && resp != NULL)
		return resp;
	if (st == STAT_TIMEOUT)
		fprintf(stderr, "referctl: %s: no answer from %s (timeout); "
		    "is the agent address right, and is referd running?\n",
		    what, ss->peername);
	else
		session_error(ss, what);
	if (resp)
		snmp_free_pdu(resp);
	return NULL;
}

typedef int (*walk_fn)(void *arg, const oid *sfx, size_t sfxlen,
    const netsnmp_variable_list *vb);

/*
 * Walk the subtree under root (GETBULK, or GETNEXT over SNMPv1) and call
 * fn for each object with the arcs below root.  0, or -1 after printing.
 */
static int
walk(netsnmp_session *ss, const oid *root, size_t rootlen, walk_fn fn,
    void *arg)
{
	oid cur[MAX_OID_LEN];
	size_t curlen = rootlen;

	memcpy(cur, root, rootlen * sizeof(oid));
	for (;;) {
		int bulk = ss->version != SNMP_VERSION_1;
		netsnmp_pdu *pdu = snmp_pdu_create(bulk ? SNMP_MSG_GETBULK :
		    SNMP_MSG_GETNEXT);
		netsnmp_pdu *resp;
		const netsnmp_variable_list *vb;
		int more = 0;

		if (bulk) {
			pdu->non_repeaters = 0;
			pdu->max_repetitions = 40;
		}
		snmp_add_null_var(pdu, cur, curlen);
		if ((resp = exchange(ss, pdu, "reading REFERD-MIB")) == NULL)
			return -1;
		if (resp->errstat == SNMP_ERR_NOSUCHNAME &&
		    ss->version == SNMP_VERSION_1) {
			snmp_free_pdu(resp);
			return 0;
		}
		if (resp->errstat != SNMP_ERR_NOERROR) {
			fprintf(stderr, "referctl: reading REFERD-MIB: the agent "
			    "answered %s\n", snmp_errstring((int)resp->errstat));
			snmp_free_pdu(resp);
			return -1;
		}
		for (vb = resp->variables; vb != NULL; vb = vb->next_variable) {
			if (vb->type == SNMP_ENDOFMIBVIEW ||
			    vb->type == SNMP_NOSUCHOBJECT ||
			    vb->type == SNMP_NOSUCHINSTANCE ||
			    vb->name_length <= rootlen ||
			    snmp_oidtree_compare(root, rootlen, vb->name,
			    vb->name_length) != 0) {
				more = 0;
				break;
			}
			if (snmp_oid_compare(vb->name, vb->name_length, cur,
			    curlen) <= 0) {
				fprintf(stderr, "referctl: the agent returned "
				    "objects out of order; giving up\n");
				snmp_free_pdu(resp);
				return -1;
			}
			if (fn(arg, vb->name + rootlen, vb->name_length - rootlen,
			    vb) != 0) {
				snmp_free_pdu(resp);
				return -1;
			}
			memcpy(cur, vb->name, vb->name_length * sizeof(oid));
			curlen = vb->name_length;
			more = 1;
		}
		snmp_free_pdu(resp);
		if (!more)
			return 0;
	}
}

/* An integer-like varbind's value. */
static uint64_t
vb_num(const netsnmp_variable_list *vb)
{
	if (vb->type == ASN_COUNTER64)
		return ((uint64_t)vb->val.counter64->high << 32) |
		    vb->val.counter64->low;
	if (vb->val.integer == NULL)
		return 0;
	if (vb->type == ASN_INTEGER)
		return (uint64_t)(int64_t)*vb->val.integer;
	return (uint64_t)(unsigned long)*vb->val.integer;
}

/* A string varbind's value into buf[size]. */
static void
vb_text(const netsnmp_variable_list *vb, char *buf, size_t size)
{
	size_t n = 0;

	if (vb->type == ASN_OCTET_STR && vb->val.string != NULL)
		n = vb->val_len < size - 1 ? vb->val_len : size - 1;
	if (n)
		memcpy(buf, vb->val.string, n);
	buf[n] = '\0';
}

/*
 * The element with this index in a sorted array of rows that start with
 * their uint32_t index; inserted (zeroed) when absent.  NULL on ENOMEM.
 */
static void *
row_in(void **arr, size_t *n, size_t size, uint32_t index)
{
	char *a = *arr;
	size_t lo = 0, hi = *n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		uint32_t at;

		memcpy(&at, a + mid * size, sizeof(at));
		if (at == index)
			return a + mid * size;
		if (at < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	if ((a = realloc(a, (*n + 1) * size)) == NULL)
		return NULL;
	*arr = a;
	memmove(a + (lo + 1) * size, a + lo * size, (*n - lo) * size);
	memset(a + lo * size, 0, size);
	memcpy(a + lo * size, &index, sizeof(index));
	(*n)++;
	return a + lo * size;
}

/* The walk of one table: which table, and where to put what it holds. */
struct table_walk {
	const struct table *t;
	struct view        *v;
};

static int
on_table_object(void *arg, const oid *sfx, size_t sfxlen,
    const netsnmp_variable_list *vb)
{
	struct table_walk *w = arg;
	const struct column *c;
	uint32_t index;
	char *row;

	/* entry(1) . column . index */
	if (sfxlen != 3 || sfx[0] != 1 || sfx[2] > UINT32_MAX ||
	    (c = mib_column(w->t, (unsigned)sfx[1])) == NULL)
		return 0;
	index = (uint32_t)sfx[2];
	switch (c->kind) {
	case K_COUNTER: {
		struct stats_row *s = row_in((void **)&w->v->stats,
		    &w->v->n_stats, sizeof(*s), index);

		if (s == NULL)
			return -1;
		s->ctr[c->off] = vb_num(vb);
		return 0;
	}
	case K_CALL: {
		struct call_row *k = row_in((void **)&w->v->calls,
		    &w->v->n_calls, sizeof(*k), index);

		if (k == NULL)
			return -1;
		switch (c->off) {
		case 2: k->state = (long)vb_num(vb); break;
		case 3: vb_text(vb, k->caller, sizeof(k->caller)); break;
		case 4: vb_text(vb, k->callee, sizeof(k->callee)); break;
		case 5: vb_text(vb, k->target, sizeof(k->target)); break;
		case 6: k->duration = (uint32_t)vb_num(vb); break;
		case 7: k->sgp_in = (uint32_t)vb_num(vb); break;
		case 8: k->sgp_out = (uint32_t)vb_num(vb); break;
		default: break;
		}
		return 0;
	}
	case K_OPER: {
		struct oper_row *o = row_in((void **)&w->v->oper,
		    &w->v->n_oper, sizeof(*o), index);

		if (o == NULL)
			return -1;
		o->oper = (long)vb_num(vb);
		return 0;
	}
	case K_INDEX:
		return 0;
	default:
		break;
	}
	row = referd_config_row_ensure(w->v->cfg, (enum referd_table)w->t->id,
	    index);
	if (row == NULL)
		return -1;
	switch (c->kind) {
	case K_U32:
		*(uint32_t *)(void *)(row + c->off) = (uint32_t)vb_num(vb);
		break;
	case K_ENUM:
		*(int *)(void *)(row + c->off) = (int)vb_num(vb);
		break;
	case K_STRING:
	case K_ADDRESS:
	case K_PREFIX:
		vb_text(vb, row + c->off, (size_t)c->max + 1);
		break;
	case K_STORAGE:
		*referd_row_storage((enum referd_table)w->t->id, row) =
		    (int)vb_num(vb);
		break;
	case K_ROWSTATUS:
		*referd_row_status((enum referd_table)w->t->id, row) =
		    (int)vb_num(vb);
		break;
	default:
		break;
	}
	return 0;
}

/* referdGeneral: version, maxCalls, activeCalls, rate limit, dropped,
 * instance name, the configuration digest (an older agent has neither:
 * left ""). */
static int
fetch_general(netsnmp_session *ss, struct view *v)
{
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET), *resp;
	oid name[MAX_OID_LEN];
	const netsnmp_variable_list *vb;
	const struct column *c;
	int rc = 0;

	memcpy(name, referd_objects_oid, referd_objects_len * sizeof(oid));
	name[referd_objects_len] = 1;
	name[referd_objects_len + 2] = 0;
	for (c = mib_general.cols; c->name && c->arc != 0; c++) {
		name[referd_objects_len + 1] = c->arc;
		snmp_add_null_var(pdu, name, referd_objects_len + 3);
	}
	if ((resp = exchange(ss, pdu, "reading REFERD-MIB")) == NULL)
		return -1;
	vb = resp->variables;
	if (resp->errstat != SNMP_ERR_NOERROR || vb == NULL ||
	    vb->type == SNMP_NOSUCHOBJECT || vb->type == SNMP_NOSUCHINSTANCE) {
		fprintf(stderr, "referctl: %s does not serve REFERD-MIB (is "
		    "referd running and connected to this agent, and does "
		    "this community or user see it?)\n", ss->peername);
		snmp_free_pdu(resp);
		return -1;
	}
	for (c = mib_general.cols; vb != NULL && c->name;
	    vb = vb->next_variable, c++) {
		if (vb->type == SNMP_NOSUCHOBJECT ||
		    vb->type == SNMP_NOSUCHINSTANCE) {
			if (c->arc <= REFERD_SC_NOTIFY_DROPPED)
				rc = -1;
			continue;
		}
		switch (c->arc) {
		case REFERD_SC_VERSION:
			vb_text(vb, v->version, sizeof(v->version));
			break;
		case REFERD_SC_MAX_CALLS:
			v->cfg->max_calls = (uint32_t)vb_num(vb);
			break;
		case REFERD_SC_ACTIVE_CALLS:
			v->active_calls = (uint32_t)vb_num(vb);
			break;
		case REFERD_SC_NOTIFY_RATE_LIMIT:
			v->cfg->notify_rate_limit = (uint32_t)vb_num(vb);
			break;
		case REFERD_SC_NOTIFY_DROPPED:
			v->notify_dropped = vb_num(vb);
			break;
		case REFERD_SC_INSTANCE_NAME:
			vb_text(vb, v->cfg->instance_name,
			    sizeof(v->cfg->instance_name));
			break;
		case REFERD_SC_CONFIG_DIGEST:
			vb_text(vb, v->digest, sizeof(v->digest));
			break;
		default: break;
		}
	}
	if (rc)
		fprintf(stderr, "referctl: %s serves only part of "
		    "REFERD-MIB's scalars\n", ss->peername);
	snmp_free_pdu(resp);
	return rc;
}

/* referdAccounting: its settings into the configuration, the rest by
 * arc.  An agent without it (an older referd) leaves the defaults. */
static int
fetch_accounting(netsnmp_session *ss, struct view *v)
{
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET), *resp;
	oid name[MAX_OID_LEN];
	const netsnmp_variable_list *vb;
	const struct column *c;

	memcpy(name, referd_objects_oid, referd_objects_len * sizeof(oid));
	name[referd_objects_len] = mib_accounting.arc;
	name[referd_objects_len + 2] = 0;
	for (c = mib_accounting.cols; c->name; c++) {
		name[referd_objects_len + 1] = c->arc;
		snmp_add_null_var(pdu, name, referd_objects_len + 3);
	}
	if ((resp = exchange(ss, pdu, "reading REFERD-MIB")) == NULL)
		return -1;
	for (vb = resp->variables, c = mib_accounting.cols;
	    resp->errstat == SNMP_ERR_NOERROR && vb != NULL && c->name;
	    vb = vb->next_variable, c++) {
		char *at = (char *)v->cfg + c->off;

		if (vb->type == SNMP_NOSUCHOBJECT ||
		    vb->type == SNMP_NOSUCHINSTANCE)
			continue;
		switch (c->kind) {
		case K_U32:
			*(uint32_t *)(void *)at = (uint32_t)vb_num(vb);
			break;
		case K_ENUM:
			*(int *)(void *)at = (int)vb_num(vb);
			break;
		case K_RUNTIME:
			if (c->arc < sizeof(v->acct) / sizeof(v->acct[0]))
				v->acct[c->arc] = vb_num(vb);
			break;
		default:     /* strings; a secret reads back "" */
			vb_text(vb, at, (size_t)c->max + 1);
			break;
		}
	}
	snmp_free_pdu(resp);
	return 0;
}

int
fetch_view(netsnmp_session *ss, int what, struct view *v)
{
	memset(v, 0, sizeof(*v));
	if (referd_config_new(&v->cfg) != 0) {
		fprintf(stderr, "referctl: out of memory\n");
		return -1;
	}
	if (fetch_general(ss, v) != 0 || fetch_accounting(ss, v) != 0)
		return -1;
	for (size_t i = 0; i < mib_n_tables; i++) {
		const struct table *t = &mib_tables[i];
		struct table_walk w = { t, v };
		oid root[MAX_OID_LEN];

		if (t->id == TABLE_STATS ? !(what & VIEW_STATS) :
		    t->id == TABLE_CALLS ? !(what & VIEW_CALLS) :
		    !(what & VIEW_CONFIG))
			continue;
		memcpy(root, referd_objects_oid,
		    referd_objects_len * sizeof(oid));
		root[referd_objects_len] = t->arc;
		if (walk(ss, root, referd_objects_len + 1, on_table_object,
		    &w) != 0)
			return -1;
	}
	return 0;
}

void
view_free(struct view *v)
{
	referd_config_free(v->cfg);
	free(v->oper);
	free(v->stats);
	free(v->calls);
	memset(v, 0, sizeof(*v));
}

int
fetch_set(netsnmp_session *ss, const struct change *ch, size_t n,
    struct set_error *err)
{
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_SET), *resp;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		if (ch[i].type == ASN_OCTET_STR)
			snmp_pdu_add_variable(pdu, ch[i].name, ch[i].len,
			    ASN_OCTET_STR, ch[i].str, strlen(ch[i].str));
		else
			snmp_pdu_add_variable(pdu, ch[i].name, ch[i].len,
			    ch[i].type, &ch[i].num, sizeof(ch[i].num));
	}
	if ((resp = exchange(ss, pdu, "writing REFERD-MIB")) == NULL)
		return -1;
	if (resp->errstat != SNMP_ERR_NOERROR) {
		err->status = resp->errstat;
		err->which = resp->errindex > 0 &&
		    (size_t)resp->errindex <= n ?
		    (size_t)resp->errindex - 1 : SIZE_MAX;
		rc = 1;
	}
	snmp_free_pdu(resp);
	return rc;
}
