/*
 * evq.h: the queue that carries engine events to the agent thread.
 */
#ifndef REFERD_AGENT_EVQ_H
#define REFERD_AGENT_EVQ_H

#include <ev.h>

#include "sip/engine.h"

struct evq;

/* Handler run on the agent thread for each dequeued event. */
typedef void (evq_h)(const struct engine_event *ev, void *arg);

/* Create a queue whose events are delivered on loop by h. */
int evq_new(struct evq **qp, struct ev_loop *loop, evq_h *h, void *arg);

/* Free the queue, dropping what it still holds. */
void evq_free(struct evq *q);

/* The engine_event_h to hand to engine_new, with the queue as its arg. */
void evq_push(const struct engine_event *ev, void *arg);

/* Deliver everything queued now (used at shutdown). */
void evq_drain(struct evq *q);

#endif /* REFERD_AGENT_EVQ_H */
