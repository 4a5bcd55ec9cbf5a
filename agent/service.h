/*
 * service.h: referd's state told to the service manager (systemd's
 * sd_notify protocol): ready, reloading, stopping.  Without libsystemd
 * (configure --without-systemd) every function does nothing.
 */
#ifndef REFERD_AGENT_SERVICE_H
#define REFERD_AGENT_SERVICE_H

/* Follow the AgentX session (subagent mode): its STATUS= text says
 * whether the master is connected.  Call before init_snmp. */
void service_watch_agentx(void);

/* The SIP endpoints are bound and the SNMP side is started (the AgentX
 * session opened, or its first attempt logged and retried): READY=1. */
void service_ready(int master);

/* A SIGHUP reload begins (RELOADING=1); service_ready ends it. */
void service_reloading(void);

/* referd is shutting down (STOPPING=1). */
void service_stopping(void);

#endif /* REFERD_AGENT_SERVICE_H */
