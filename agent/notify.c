/*
 * notify.c: sending REFERD-MIB notifications through the agent (to the
 * master agent over AgentX, or to the trap sinks in -M mode), with a rate
 * limit so that a storm of failures cannot flood the NOC.  The limit is a
 * fixed one-second window: at most referdNotifyRateLimit notifications
 * start in any calendar second of the monotonic clock; the rest are
 * discarded and counted in referdNotifyDropped, and the first discard
 * of each such second is logged.  Runs on the agent thread only.
 */
#include <time.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "referd-oid.h"
#include "model/columns.h"
#include "notify.h"

static uint32_t limit = 10;
static char     instance[REFERD_INSTANCE_MAX + 1] = "referd";
static uint64_t dropped;
static time_t   window;
static uint32_t sent_in_window;
static uint32_t dropped_in_window;

static const oid snmptrap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
static const oid root_oid[] = { REFERD_ROOT_OID };

void
notify_configure(const struct referd_config *cfg, const char *dflt)
{
	limit = cfg->notify_rate_limit;
	snprintf(instance, sizeof(instance), "%s",
	    referd_instance_name(cfg, dflt));
}

uint64_t
notify_dropped(void)
{
	return dropped;
}

/* May one more notification go out now?  Counts the ones that may not. */
static int
notify_admit(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec != window) {
		window = ts.tv_sec;
		sent_in_window = 0;
		dropped_in_window = 0;
	}
	if (limit != 0 && sent_in_window >= limit) {
		if (dropped_in_window++ == 0)
			snmp_log(LOG_WARNING, "notifications: the rate limit of "
			    "%u per second is reached; the excess is dropped "
			    "and counted in referdNotifyDropped\n", limit);
		dropped++;
		return 0;
	}
	sent_in_window++;
	return 1;
}

/* Add root.1.group.n.0 (a scalar) to a varbind list. */
static void
add_scalar(netsnmp_variable_list **v, unsigned group, unsigned n,
    u_char type, const void *val, size_t len)
{
	oid obj[REFERD_ROOT_OID_LEN + 4];

	memcpy(obj, root_oid, sizeof(root_oid));
	obj[REFERD_ROOT_OID_LEN] = 1;
	obj[REFERD_ROOT_OID_LEN + 1] = group;
	obj[REFERD_ROOT_OID_LEN + 2] = n;
	obj[REFERD_ROOT_OID_LEN + 3] = 0;
	snmp_varlist_add_variable(v, obj, OID_LENGTH(obj), type, val, len);
}

/* Add root.1.9.n.0 (a notification object) to a varbind list. */
static void
add_notify_object(netsnmp_variable_list **v, unsigned n, u_char type,
    const void *val, size_t len)
{
	add_scalar(v, 9, n, type, val, len);
}

/* Build and send a notification: trap OID root.0.n, then the varbinds. */
static void
notify_send(unsigned n, netsnmp_variable_list *objects)
{
	netsnmp_variable_list *vars = NULL;
	oid trap[REFERD_ROOT_OID_LEN + 2];

	if (!notify_admit()) {
		snmp_free_varbind(objects);
		return;
	}
	memcpy(trap, root_oid, sizeof(root_oid));
	trap[REFERD_ROOT_OID_LEN] = 0;
	trap[REFERD_ROOT_OID_LEN + 1] = n;
	snmp_varlist_add_variable(&vars, snmptrap_oid, OID_LENGTH(snmptrap_oid),
	    ASN_OBJECT_ID, trap, sizeof(trap));
	if (vars == NULL) {
		snmp_free_varbind(objects);
		return;
	}
	vars->next_variable = objects;
	/* Last, every notification's: referdInstanceName.0. */
	add_scalar(&vars, 1, REFERD_SC_INSTANCE_NAME, ASN_OCTET_STR, instance,
	    strlen(instance));
	send_v2trap(vars);
	snmp_free_varbind(vars);
}


void
notify_config_change(const oid *pointer, size_t len, long row_status)
{
	netsnmp_variable_list *v = NULL;

	add_notify_object(&v, 6, ASN_OBJECT_ID, pointer, len * sizeof(oid));
	add_notify_object(&v, 7, ASN_INTEGER, &row_status, sizeof(row_status));
	notify_send(4, v);                     /* referdConfigChange */
}

void
notify_acct_status(int up)
{
	netsnmp_variable_list *v = NULL;
	long status = up ? 1 : 2;

	add_scalar(&v, 10, REFERD_AC_RADIUS_STATUS, ASN_INTEGER, &status,
	    sizeof(status));
	notify_send(6, v);                  /* referdAccountingServerStatus */
}

void
notify_sig_status(uint32_t sig, int up)
{
	netsnmp_variable_list *v = NULL;
	oid obj[REFERD_ROOT_OID_LEN + 5];    /* root.1.4.1.8.N */
	long status = up ? 1 : 2;

	memcpy(obj, root_oid, sizeof(root_oid));
	obj[REFERD_ROOT_OID_LEN] = 1;
	obj[REFERD_ROOT_OID_LEN + 1] = 4;
	obj[REFERD_ROOT_OID_LEN + 2] = 1;
	obj[REFERD_ROOT_OID_LEN + 3] = 8;     /* referdSigOperStatus */
	obj[REFERD_ROOT_OID_LEN + 4] = sig;
	snmp_varlist_add_variable(&v, obj, OID_LENGTH(obj), ASN_INTEGER,
	    &status, sizeof(status));
	notify_send(3, v);                     /* referdSignalingStatusChange */
}

/*
 * A notification about a call (number n): profile, call index, Call-ID,
 * one more text object (arc text_obj), and a SIP status.
 */
static void
notify_call(unsigned n, uint32_t sgp, uint32_t call_index,
    const char *call_id, unsigned text_obj, const char *text, int status)
{
	netsnmp_variable_list *v = NULL;
	u_long usgp = sgp, uidx = call_index, ustatus = (u_long)status;

	add_notify_object(&v, 1, ASN_UNSIGNED, &usgp, sizeof(usgp));
	add_notify_object(&v, 2, ASN_UNSIGNED, &uidx, sizeof(uidx));
	add_notify_object(&v, 3, ASN_OCTET_STR, call_id, strlen(call_id));
	add_notify_object(&v, text_obj, ASN_OCTET_STR, text, strlen(text));
	add_notify_object(&v, 5, ASN_UNSIGNED, &ustatus, sizeof(ustatus));
	notify_send(n, v);
}

/* referdTransferFailed (root.0.1): the target URI and its status. */
void
notify_transfer_failed(uint32_t sgp, uint32_t call_index, const char *call_id,
    const char *target, int status)
{
	notify_call(1, sgp, call_index, call_id, 4, target, status);
}

void
notify_da_timeout(uint32_t sgp, uint32_t call_index, const char *call_id)
{
	netsnmp_variable_list *v = NULL;
	u_long usgp = sgp, uidx = call_index;

	add_notify_object(&v, 1, ASN_UNSIGNED, &usgp, sizeof(usgp));
	add_notify_object(&v, 2, ASN_UNSIGNED, &uidx, sizeof(uidx));
	add_notify_object(&v, 3, ASN_OCTET_STR, call_id, strlen(call_id));
	notify_send(2, v);                     /* referdDelayedAnswerTimeout */
}

/* referdReplacesRefused (root.0.5): its sender and referd's answer. */
void
notify_replaces_refused(uint32_t sgp, uint32_t call_index,
    const char *call_id, const char *source, int status)
{
	notify_call(5, sgp, call_index, call_id, 8, source, status);
}
