/*
 * service.c: tell the service manager where referd stands, through
 * sd_notify(3).  systemd's referd.service is Type=notify: it counts
 * referd started when READY=1 arrives, that is when the SIP endpoints of
 * the configuration are bound and the SNMP side runs.  A subagent whose
 * master is not reachable yet is ready all the same (SIP serves calls;
 * the session is retried every agentxPingInterval): STATUS= says so, and
 * changes when the session comes and goes.  sd_notify does nothing when
 * referd was not started by systemd (no NOTIFY_SOCKET).
 */
#include "referd-build.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>

#include "agent/service.h"

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>

/* 1 while the AgentX session to the master is open. */
static int agentx_up;
/* 1 once READY=1 was sent: STATUS= follows the session from then on. */
static int ready_sent;

/* The STATUS= line for the AgentX session. */
static void
status_agentx(void)
{
	sd_notifyf(0, "STATUS=SIP endpoints bound; AgentX master %s",
	    agentx_up ? "connected" : "not reachable, retrying");
}

/* The AgentX session opened (INDEX_START) or closed (INDEX_STOP). */
static int
on_agentx(int major, int minor, void *server, void *client)
{
	agentx_up = minor == SNMPD_CALLBACK_INDEX_START;
	if (ready_sent)
		status_agentx();
	return 0;
}

void
service_watch_agentx(void)
{
	snmp_register_callback(SNMP_CALLBACK_APPLICATION,
	    SNMPD_CALLBACK_INDEX_START, on_agentx, NULL);
	snmp_register_callback(SNMP_CALLBACK_APPLICATION,
	    SNMPD_CALLBACK_INDEX_STOP, on_agentx, NULL);
}

void
service_ready(int master)
{
	ready_sent = 1;
	if (master)
		sd_notify(0, "READY=1\nSTATUS=SIP endpoints bound; SNMP master agent listening");
	else {
		sd_notify(0, "READY=1");
		status_agentx();
	}
}

void
service_reloading(void)
{
	sd_notify(0, "RELOADING=1\nSTATUS=re-reading the configuration file");
}

void
service_stopping(void)
{
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}

#else /* !HAVE_LIBSYSTEMD */

void
service_watch_agentx(void)
{
}

void
service_ready(int master)
{
}

void
service_reloading(void)
{
}

void
service_stopping(void)
{
}

#endif /* HAVE_LIBSYSTEMD */
