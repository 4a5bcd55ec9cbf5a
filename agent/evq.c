/*
 * evq.c: a mutex-protected FIFO from the engine thread to the agent
 * thread, woken by an ev_async on the agent's loop.  Pushing never
 * blocks on the agent: the engine holds the lock only to link a node.
 * The queue is bounded; when it is full the oldest events stay and new
 * ones are counted as dropped, and the count is reported once the queue
 * drains.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evq.h"

#define EVQ_MAX 4096

struct evq_node {
	struct evq_node    *next;
	struct engine_event ev;
};

struct evq {
	pthread_mutex_t  lock;
	struct evq_node *head, *tail;
	size_t           len;
	unsigned long    dropped;
	struct ev_loop  *loop;
	ev_async         wake;
	evq_h           *h;
	void            *arg;
};

/* Take the whole list off the queue and deliver it in order. */
void
evq_drain(struct evq *q)
{
	struct evq_node *n, *next;
	unsigned long dropped;

	pthread_mutex_lock(&q->lock);
	n = q->head;
	q->head = q->tail = NULL;
	q->len = 0;
	dropped = q->dropped;
	q->dropped = 0;
	pthread_mutex_unlock(&q->lock);

	for (; n != NULL; n = next) {
		next = n->next;
		q->h(&n->ev, q->arg);
		free(n);
	}
	if (dropped > 0) {
		struct engine_event ev;

		memset(&ev, 0, sizeof(ev));
		ev.type = ENGINE_EV_LOG;
		ev.level = ENGINE_LOG_WARNING;
		snprintf(ev.text, sizeof(ev.text), "%lu engine events dropped: "
		    "the agent thread fell behind", dropped);
		q->h(&ev, q->arg);
	}
}

/* ev_async callback on the agent loop. */
static void
on_wake(struct ev_loop *loop, ev_async *w, int revents)
{
	evq_drain(w->data);
}

int
evq_new(struct evq **qp, struct ev_loop *loop, evq_h *h, void *arg)
{
	struct evq *q = calloc(1, sizeof(*q));

	if (q == NULL)
		return ENOMEM;
	pthread_mutex_init(&q->lock, NULL);
	q->loop = loop;
	q->h = h;
	q->arg = arg;
	ev_async_init(&q->wake, on_wake);
	q->wake.data = q;
	ev_async_start(loop, &q->wake);
	*qp = q;
	return 0;
}

void
evq_free(struct evq *q)
{
	struct evq_node *n, *next;

	if (q == NULL)
		return;
	ev_async_stop(q->loop, &q->wake);
	for (n = q->head; n != NULL; n = next) {
		next = n->next;
		free(n);
	}
	pthread_mutex_destroy(&q->lock);
	free(q);
}

void
evq_push(const struct engine_event *ev, void *arg)
{
	struct evq *q = arg;
	struct evq_node *n = malloc(sizeof(*n));

	pthread_mutex_lock(&q->lock);
	if (n == NULL || q->len >= EVQ_MAX) {
		q->dropped++;
		pthread_mutex_unlock(&q->lock);
		free(n);
		return;
	}
	n->next = NULL;
	n->ev = *ev;
	if (q->tail != NULL)
		q->tail->next = n;
	else
		q->head = n;
	q->tail = n;
	q->len++;
	pthread_mutex_unlock(&q->lock);
	ev_async_send(q->loop, &q->wake);
}
