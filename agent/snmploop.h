/*
 * snmploop.h: net-snmp driven from the agent thread's libev loop.
 */
#ifndef REFERD_AGENT_SNMPLOOP_H
#define REFERD_AGENT_SNMPLOOP_H

#include <ev.h>

struct snmploop;

/* Start driving net-snmp's sessions and alarms from loop. */
int snmploop_new(struct snmploop **slp, struct ev_loop *loop);

/* Stop the watchers and free. */
void snmploop_free(struct snmploop *sl);

#endif /* REFERD_AGENT_SNMPLOOP_H */
