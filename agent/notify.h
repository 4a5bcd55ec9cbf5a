/*
 * notify.h: REFERD-MIB notifications, rate-limited.
 */
#ifndef REFERD_AGENT_NOTIFY_H
#define REFERD_AGENT_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "model/config.h"

/*
 * Take the settings of a configuration: the limit in notifications per
 * second (referdNotifyRateLimit, 0 = none), and the instance name every
 * notification carries (referdInstanceName: cfg's, or dflt).
 */
void notify_configure(const struct referd_config *cfg, const char *dflt);

/* Notifications discarded by the limit since start (referdNotifyDropped). */
uint64_t notify_dropped(void);

/* referdConfigChange: a row (its RowStatus instance) or scalar changed. */
void notify_config_change(const oid *pointer, size_t len, long row_status);

/* referdSignalingStatusChange: endpoint sig went up (1) or down. */
void notify_sig_status(uint32_t sig, int up);

/* referdAccountingServerStatus: the RADIUS servers answer (up) or not. */
void notify_acct_status(int up);

/* referdTransferFailed: an accepted transfer failed with C's status. */
void notify_transfer_failed(uint32_t sgp, uint32_t call_index,
    const char *call_id, const char *target, int status);

/* referdDelayedAnswerTimeout: the timer expired; the caller was answered. */
void notify_da_timeout(uint32_t sgp, uint32_t call_index, const char *call_id);

/* referdReplacesRefused: an INVITE with Replaces from one not entitled. */
void notify_replaces_refused(uint32_t sgp, uint32_t call_index,
    const char *call_id, const char *source, int status);

#endif /* REFERD_AGENT_NOTIFY_H */
