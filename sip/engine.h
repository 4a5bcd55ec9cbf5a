/*
 * engine.h: the SIP engine's public interface.
 *
 * The engine runs on its own thread with its own libev loop and knows
 * nothing of SNMP.  The agent hands it complete configuration snapshots
 * (engine_apply), reads the counters it publishes (engine_stats), and
 * receives the events worth a log line or a notification through the
 * callback given to engine_new, which runs on the engine thread and
 * must only queue the event for the agent's own thread.
 */
#ifndef REFERD_SIP_ENGINE_H
#define REFERD_SIP_ENGINE_H

#include <stdint.h>

#include "cdr/record.h"
#include "model/config.h"

struct engine;

/* What an event is about. */
enum engine_event_type {
	ENGINE_EV_LOG = 1,          /* a line for the log */
	ENGINE_EV_CONFIG_APPLIED,   /* a snapshot took effect */
	ENGINE_EV_STOPPED,          /* the engine thread has finished */
	ENGINE_EV_SIG_STATUS,       /* an endpoint went up or down */
	ENGINE_EV_TRANSFER_FAILED,  /* an accepted transfer failed */
	ENGINE_EV_DA_TIMEOUT,       /* a Delayed Answer Timer expired */
	ENGINE_EV_REPLACES_REFUSED, /* an INVITE with Replaces not entitled */
};

/* Log levels, the syslog numbering. */
enum engine_log_level {
	ENGINE_LOG_ERR = 3,
	ENGINE_LOG_WARNING = 4,
	ENGINE_LOG_NOTICE = 5,
	ENGINE_LOG_INFO = 6,
	ENGINE_LOG_DEBUG = 7,
};

/* One event, copied by value into the agent's queue. */
struct engine_event {
	enum engine_event_type type;
	int      level;            /* ENGINE_EV_LOG */
	uint64_t generation;       /* ENGINE_EV_CONFIG_APPLIED */
	uint32_t index;            /* SIG_STATUS: endpoint; others: profile */
	int      up;               /* ENGINE_EV_SIG_STATUS */
	uint32_t call_index;       /* TRANSFER_FAILED, DA_TIMEOUT,
	                              REPLACES_REFUSED: the call */
	int      status;           /* TRANSFER_FAILED: C's SIP status;
	                              REPLACES_REFUSED: referd's answer */
	char     call_id[128];     /* TRANSFER_FAILED, DA_TIMEOUT: A's Call-ID;
	                              REPLACES_REFUSED: the dialog's named */
	char     target[256];      /* TRANSFER_FAILED: the Refer-To URI */
	char     source[64];       /* REPLACES_REFUSED: its sender, host:port */
	char     instance[REFERD_INSTANCE_MAX + 1]; /* the engine's instance
	                              name when it sent the event ("" from
	                              elsewhere) */
	char     text[512];
};

/* Called on the engine thread; must not block and must not call net-snmp. */
typedef void (engine_event_h)(const struct engine_event *ev, void *arg);

/* Counters the engine publishes (read with relaxed atomics). */
struct engine_stats {
	uint64_t generation;       /* snapshots applied so far */
	uint32_t active_calls;
};

/* The per-profile counters are the model's (enum referd_counter,
 * REFERD_CTR_*: referdSgpStatsTable's columns, in order). */

/* One row of the published call table (referdCallTable). */
struct engine_call {
	uint32_t index;
	int      state;            /* referdCallState values */
	char     caller[256];
	char     callee[256];
	char     target[256];
	uint32_t duration;         /* seconds, as of engine_calls_get() */
	double   started;          /* when the first INVITE came (ev_time) */
	uint32_t sgp_in, sgp_out;
	char     instance[REFERD_INSTANCE_MAX + 1]; /* the instance name the
	                              call was created under */
};

/*
 * Create an engine (not yet running).  Returns 0, ENOMEM, or the errno of
 * the kernel's random source when neither getrandom(2) nor /dev/urandom
 * gives random bytes (the reason is sent as a log event first): referd
 * makes no Call-ID, tag or branch without them.
 */
int engine_new(struct engine **enginep, engine_event_h *eh, void *arg);

/*
 * The instance name used when the configuration gives none
 * (referd_instance_default() at engine_new()); never changes.  Any
 * thread.
 */
const char *engine_instance_default(const struct engine *engine);

/*
 * Log every dialog state change at debug level (off by default: at load
 * the lines would cost more than the calls).  Before engine_start().
 */
void engine_set_debug(struct engine *engine, int on);

/*
 * Where billing records go (cdr/record.h): sink->record() and
 * sink->settings() run on the engine thread and must not block.  Before
 * engine_start(); the sink is copied.
 */
void engine_set_cdr(struct engine *engine, const struct cdr_sink *sink);

/* Start the engine thread. */
int engine_start(struct engine *engine);

/*
 * Hand the engine a new complete configuration.  The engine takes
 * ownership of cfg, which nobody may modify afterwards; it takes effect
 * on the engine thread at its next loop iteration.  A snapshot that
 * arrives before the previous one was taken replaces it.  Safe to call
 * from any thread.
 */
int engine_apply(struct engine *engine, struct referd_config *cfg);

/* Stop the engine thread and wait for it.  Idempotent. */
void engine_stop(struct engine *engine);

/* Free a stopped engine; NULL is allowed. */
void engine_free(struct engine *engine);

/* Read the published counters.  Safe from any thread. */
void engine_stats_get(struct engine *engine, struct engine_stats *st);

/* A profile's counter; 0 for an index outside 1..1024.  Any thread. */
uint64_t engine_sgp_counter(struct engine *engine, uint32_t sgp_index,
    enum referd_counter c);

/* 1 when signaling endpoint sig_index is bound and listening.  Any thread. */
int engine_sig_is_up(struct engine *engine, uint32_t sig_index);

/*
 * A copy of the call table as last published, sorted by index; the
 * caller frees *callsp.  Any thread.  Returns 0 or ENOMEM.
 */
int engine_calls_get(struct engine *engine, struct engine_call **callsp,
    size_t *np);

#endif /* REFERD_SIP_ENGINE_H */
