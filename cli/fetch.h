/*
 * fetch.h: referctl's SNMP side.  Reads the whole of REFERD-MIB into the
 * configuration model of model/config.h (so that a change can be checked
 * with the same referd_config_validate() the agent runs) plus the
 * read-only views (counters, calls, endpoint status), and writes one
 * change as a single SET PDU.  Only numeric OIDs are used: referctl needs
 * no MIB files.
 */
#ifndef REFERD_CLI_FETCH_H
#define REFERD_CLI_FETCH_H

#include <stdint.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "model/config.h"
#include "model/columns.h"
#include "model/digest.h"

/* One row of referdSgpStatsTable. */
struct stats_row {
	uint32_t sgp_index;
	uint64_t ctr[REFERD_CTR__COUNT];
};

/* One row of referdCallTable. */
struct call_row {
	uint32_t index;
	long     state;
	char     caller[256];
	char     callee[256];
	char     target[256];
	uint32_t duration;
	uint32_t sgp_in;
	uint32_t sgp_out;
};

/* referdSigOperStatus of one endpoint. */
struct oper_row {
	uint32_t index;
	long     oper;
};

/* Everything referctl shows. */
struct view {
	char                  version[65];
	uint32_t              active_calls;
	uint64_t              notify_dropped;
	char                  digest[REFERD_DIGEST_HEX];  /* or "" */
	uint64_t              acct[32];  /* referdAccounting's read-only
	                                  * objects, by arc */
	struct referd_config *cfg;       /* scalars + the five tables */
	struct oper_row      *oper;   size_t n_oper;
	struct stats_row     *stats;  size_t n_stats;
	struct call_row      *calls;  size_t n_calls;
};

/* What to read (bits). */
#define VIEW_CONFIG 1
#define VIEW_STATS  2
#define VIEW_CALLS  4

/*
 * Read the parts of the MIB named by `what` into *v (zeroed first).
 * Returns 0, or -1 after printing why to stderr (no response, an SNMP
 * error, or an agent that does not serve REFERD-MIB).
 */
int  fetch_view(netsnmp_session *ss, int what, struct view *v);
void view_free(struct view *v);

/* One varbind of a change. */
struct change {
	oid      name[MAX_OID_LEN];
	size_t   len;
	u_char   type;      /* ASN_INTEGER, ASN_UNSIGNED, ASN_OCTET_STR */
	long     num;
	char     str[REFERD_PREFIX_MAX + REFERD_ADDR_MAX + 1];
	const struct table  *t;    /* the varbind's table, or NULL (scalar) */
	const struct column *c;    /* its column, or NULL (scalar) */
	uint32_t index;
	const char *scalar;        /* the scalar's MIB name */
};

/* The SET's outcome when the agent answered with an error. */
struct set_error {
	long   status;       /* SNMP_ERR_* */
	size_t which;        /* the failed varbind (0-based), or SIZE_MAX */
};

/*
 * Send the n changes as one SET.  Returns 0 when the agent accepted it,
 * 1 when it answered with an error (*err filled), -1 when no answer came
 * (printed to stderr).
 */
int fetch_set(netsnmp_session *ss, const struct change *ch, size_t n,
    struct set_error *err);

/* The root of referdObjects, and its length. */
extern const oid referd_objects_oid[];
extern const size_t referd_objects_len;

#endif /* REFERD_CLI_FETCH_H */
