/*
 * mib.h: REFERD-MIB served by one net-snmp handler over referdObjects.
 */
#ifndef REFERD_AGENT_MIB_H
#define REFERD_AGENT_MIB_H

#include "model/config.h"
#include "sip/engine.h"

struct cdr_writer;
struct cdr_radius;

/*
 * What the handler works on.  `running` is the agent's configuration,
 * owned by the caller; the handler replaces it (freeing the old one) on
 * every committed SET, persists it, and hands the engine a copy.
 */
struct mib_ctx {
	struct referd_config **running;
	struct engine         *engine;
	const char            *persist_path;
	struct cdr_writer     *cdr;        /* its counters, or NULL */
	struct cdr_radius     *radius;     /* its counters, or NULL */
	const char            *instance_default; /* referdInstanceName when
	                                            * none is configured */
};

/* Register the handler for referdObjects.  Returns 0 or an errno value. */
int mib_register(struct mib_ctx *ctx);

/* True while a SET is between its phases (the configuration must not
 * be replaced then). */
int mib_set_in_progress(void);

/* The running configuration was replaced other than by a SET (start,
 * SIGHUP): referdConfigDigest is computed again when next read. */
void mib_config_changed(void);

#endif /* REFERD_AGENT_MIB_H */
