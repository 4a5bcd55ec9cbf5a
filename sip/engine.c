/*
 * engine.c: the engine thread, its libev loop, and the configuration
 * snapshot hand-off.
 *
 * The agent thread publishes a snapshot by swapping it into `pending`
 * (an atomic pointer) and waking the loop with an ev_async.  The engine
 * thread swaps it out again and makes it current; the previous current
 * snapshot is freed on the engine thread, the only one that reads it.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "internal.h"


/* Send an event to the agent. */
void
engine_emit(struct engine *e, struct engine_event *ev)
{
	snprintf(ev->instance, sizeof(ev->instance), "%s", e->instance);
	if (e->eh != NULL)
		e->eh(ev, e->eh_arg);
}

/* Send a log line to the agent. */
void
engine_log(struct engine *e, int level, const char *fmt, ...)
{
	struct engine_event ev;
	va_list ap;

	memset(&ev, 0, sizeof(ev));
	ev.type = ENGINE_EV_LOG;
	ev.level = level;
	va_start(ap, fmt);
	vsnprintf(ev.text, sizeof(ev.text), fmt, ap);
	va_end(ap);
	engine_emit(e, &ev);
}

void
engine_set_debug(struct engine *e, int on)
{
	e->debug = on;
}

/* Count the active rows of a configuration, for the applied event. */
static void
count_active(const struct referd_config *c, size_t n[5])
{
	memset(n, 0, 5 * sizeof(n[0]));
	for (size_t i = 0; i < c->n_sgp; i++)
		n[0] += c->sgp[i].status == REFERD_RS_ACTIVE;
	for (size_t i = 0; i < c->n_refer; i++)
		n[1] += c->refer[i].status == REFERD_RS_ACTIVE;
	for (size_t i = 0; i < c->n_sig; i++)
		n[2] += c->sig[i].status == REFERD_RS_ACTIVE;
	for (size_t i = 0; i < c->n_gw; i++)
		n[3] += c->gw[i].status == REFERD_RS_ACTIVE;
	for (size_t i = 0; i < c->n_route; i++)
		n[4] += c->route[i].status == REFERD_RS_ACTIVE;
}

/* Take the pending snapshot, if any, and make it current. */
static void
engine_take_snapshot(struct engine *e)
{
	struct referd_config *cfg = atomic_exchange(&e->pending, NULL);
	struct engine_event ev;
	size_t n[5];

	if (cfg == NULL)
		return;
	/* A profile that is gone, or new, starts its counters at zero. */
	for (uint32_t i = 1; i <= REFERD_SGP_MAX; i++) {
		int had = e->current && referd_config_sgp(e->current, i);
		int has = referd_config_sgp(cfg, i) != NULL;

		if (had != has)
			for (int c = 0; c < REFERD_CTR__COUNT; c++)
				atomic_store(&e->counters[i][c], 0);
	}
	if (media_pool_sync(e, cfg) != 0 || gateways_sync(e, cfg) != 0) {
		engine_log(e, ENGINE_LOG_ERR, "out of memory: configuration "
		    "not applied");
		referd_config_free(cfg);
		return;
	}
	referd_config_free(e->current);
	e->current = cfg;
	/* New legs' Call-IDs carry it; running calls keep theirs. */
	snprintf(e->instance, sizeof(e->instance), "%s",
	    referd_instance_name(cfg, e->instance_default));
	transport_sync(e, cfg);
	billing_settings(e);

	memset(&ev, 0, sizeof(ev));
	ev.type = ENGINE_EV_CONFIG_APPLIED;
	ev.generation = atomic_fetch_add(&e->generation, 1) + 1;
	count_active(cfg, n);
	snprintf(ev.text, sizeof(ev.text), "configuration %llu applied: "
	    "%zu profiles, %zu refer support, %zu signaling, %zu gateways, "
	    "%zu routes active; maxCalls %u",
	    (unsigned long long)ev.generation, n[0], n[1], n[2], n[3], n[4],
	    cfg->max_calls);
	engine_emit(e, &ev);
}

/* ev_async callback: a new snapshot is pending. */
static void
on_wake_apply(struct ev_loop *loop, ev_async *w, int revents)
{
	struct engine *e = (struct engine *)((char *)w -
	    offsetof(struct engine, wake_apply));

	engine_take_snapshot(e);
}

/* ev_async callback: the agent asks the loop to end; calls are released. */
static void
on_wake_stop(struct ev_loop *loop, ev_async *w, int revents)
{
	struct engine *e = (struct engine *)((char *)w -
	    offsetof(struct engine, wake_stop));

	call_release_all(e);
	ev_break(loop, EVBREAK_ALL);
}

/* The end of every loop iteration: free what callbacks released. */
static void
on_reap(struct ev_loop *loop, ev_check *w, int revents)
{
	struct engine *e = w->data;

	call_reap(e);
	stack_reap(e);
	transport_reap(e);
}

/* Copy a string, cut to fit. */
static void
copy_text(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * Every 10 s: when the live transactions fell below half their peak since
 * the last time (a burst of calls ended and their transactions left their
 * Timer J/K/D wait), give the freed memory back to the system; glibc
 * keeps it otherwise, and resident memory would stay at the peak.  (In a
 * referd linked with jemalloc, this and the mallopt() in engine_new()
 * touch glibc's unused heap and cost nothing; jemalloc's background
 * thread gives memory back instead, see agent/main.c.)
 */
static void
on_trim(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct engine *e = w->data;

	(void)loop;
	(void)revents;
	if (e->stx_peak >= 256 && e->n_stx < e->stx_peak / 2) {
		malloc_trim(0);
		e->stx_peak = e->n_stx;
	}
}

/*
 * Copy the call table for the agent when a call came, changed state or
 * went (at most twice a second); durations are derived when it is read.
 */
static void
on_publish(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct engine *e = w->data;
	struct engine_call *rows = NULL;
	size_t n = 0;

	(void)loop;
	(void)revents;
	if (!e->calls_dirty)
		return;
	if (e->n_live_calls > 0)
		rows = calloc(e->n_live_calls, sizeof(*rows));
	for (struct call *c = e->calls_head; c && rows; c = c->next) {
		struct engine_call *r = &rows[n++];

		r->index = c->index;
		r->state = c->state;
		copy_text(r->caller, sizeof(r->caller), c->caller_uri);
		copy_text(r->callee, sizeof(r->callee), c->callee_uri);
		copy_text(r->target, sizeof(r->target),
		    c->target_uri ? c->target_uri : "");
		r->started = c->started;
		r->sgp_in = c->a.sgp;
		r->sgp_out = c->b.sgp;
		memcpy(r->instance, c->instance, sizeof(r->instance));
	}
	/* The list is newest first; the table is sorted by index. */
	for (size_t i = 0; i < n / 2; i++) {
		struct engine_call t = rows[i];

		rows[i] = rows[n - 1 - i];
		rows[n - 1 - i] = t;
	}
	pthread_mutex_lock(&e->calls_lock);
	free(e->calls);
	e->calls = rows;
	e->n_calls = n;
	pthread_mutex_unlock(&e->calls_lock);
	e->calls_dirty = 0;
}

void
engine_calls_changed(struct engine *e)
{
	e->calls_dirty = 1;
}

void
engine_count(struct engine *e, uint32_t sgp, enum referd_counter c)
{
	engine_count_add(e, sgp, c, 1);
}

void
engine_count_add(struct engine *e, uint32_t sgp, enum referd_counter c,
    uint64_t n)
{
	if (sgp >= 1 && sgp <= REFERD_SGP_MAX)
		atomic_fetch_add_explicit(&e->counters[sgp][c], n,
		    memory_order_relaxed);
}

void
engine_emit_sig_status(struct engine *e, uint32_t sig, int up)
{
	struct engine_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = ENGINE_EV_SIG_STATUS;
	ev.index = sig;
	ev.up = up;
	snprintf(ev.text, sizeof(ev.text), "signaling %u is %s", sig,
	    up ? "up" : "down");
	engine_emit(e, &ev);
}

/* The engine thread. */
static void *
engine_main(void *arg)
{
	struct engine *e = arg;
	struct engine_event ev;

	engine_log(e, ENGINE_LOG_INFO, "engine thread running");
	engine_take_snapshot(e);  /* one may have arrived before the loop */
	ev_run(e->loop, 0);
	/* Last words on the wire, then everything is closed here, on the
	 * thread that owns it. */
	call_reap(e);
	call_free_zombies(e);
	stack_reap(e);
	transport_close_all(e);
	stack_free(e);
	media_pool_free(e);

	memset(&ev, 0, sizeof(ev));
	ev.type = ENGINE_EV_STOPPED;
	snprintf(ev.text, sizeof(ev.text), "engine thread stopped");
	engine_emit(e, &ev);
	return NULL;
}

int
engine_new(struct engine **enginep, engine_event_h *eh, void *arg)
{
	struct engine *e;
	int rc;

	/*
	 * No glibc fast bins: every request of 1 KiB or more (a call, an
	 * oSIP2 transaction of 15 KB, the buffer a message is printed into)
	 * made glibc consolidate all of them first, 10 % of the engine's time
	 * at 1,500 calls/s (perf).  The per-thread cache still serves the
	 * small requests; freed chunks coalesce at once instead.
	 */
	mallopt(M_MXFAST, 0);
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return ENOMEM;
	e->loop = ev_loop_new(EVFLAG_AUTO);
	if (e->loop == NULL) {
		free(e);
		return ENOMEM;
	}
	e->eh = eh;
	e->eh_arg = arg;
	atomic_init(&e->pending, NULL);
	atomic_init(&e->generation, 0);
	atomic_init(&e->active_calls, 0);
	pthread_mutex_init(&e->calls_lock, NULL);
	ev_async_init(&e->wake_apply, on_wake_apply);
	ev_async_init(&e->wake_stop, on_wake_stop);
	ev_async_start(e->loop, &e->wake_apply);
	ev_async_start(e->loop, &e->wake_stop);
	ev_check_init(&e->reap, on_reap);
	e->reap.data = e;
	ev_check_start(e->loop, &e->reap);
	ev_timer_init(&e->publish, on_publish, 0.5, 0.5);
	e->publish.data = e;
	ev_timer_start(e->loop, &e->publish);
	ev_timer_init(&e->trim, on_trim, 10., 10.);
	e->trim.data = e;
	ev_timer_start(e->loop, &e->trim);
	/* e->instance stays "" until the first snapshot names it. */
	referd_instance_default(e->instance_default,
	    sizeof(e->instance_default));
	if ((rc = stack_random_init(e)) != 0 || stack_init(e) != 0) {
		stack_random_free(e);
		ev_loop_destroy(e->loop);
		pthread_mutex_destroy(&e->calls_lock);
		free(e);
		return rc ? rc : ENOMEM;
	}
	*enginep = e;
	return 0;
}

const char *
engine_instance_default(const struct engine *e)
{
	return e->instance_default;
}

int
engine_start(struct engine *e)
{
	int rc;

	if (e->started)
		return EALREADY;
	rc = pthread_create(&e->thread, NULL, engine_main, e);
	if (rc == 0)
		e->started = 1;
	return rc;
}

int
engine_apply(struct engine *e, struct referd_config *cfg)
{
	struct referd_config *old;

	if (cfg == NULL)
		return EINVAL;
	old = atomic_exchange(&e->pending, cfg);
	/* A snapshot never taken by the engine was never read by it. */
	referd_config_free(old);
	ev_async_send(e->loop, &e->wake_apply);
	return 0;
}

void
engine_stop(struct engine *e)
{
	if (!e->started || e->stopped)
		return;
	ev_async_send(e->loop, &e->wake_stop);
	pthread_join(e->thread, NULL);
	e->stopped = 1;
}

void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	engine_stop(e);
	ev_async_stop(e->loop, &e->wake_apply);
	ev_async_stop(e->loop, &e->wake_stop);
	ev_check_stop(e->loop, &e->reap);
	ev_timer_stop(e->loop, &e->publish);
	ev_timer_stop(e->loop, &e->trim);
	if (!e->started) {
		transport_close_all(e);
		stack_free(e);
		media_pool_free(e);
	}
	ev_loop_destroy(e->loop);
	referd_config_free(atomic_load(&e->pending));
	referd_config_free(e->current);
	free(e->gw_addr);
	free(e->calls);
	pthread_mutex_destroy(&e->calls_lock);
	stack_random_free(e);
	free(e);
}

void
engine_stats_get(struct engine *e, struct engine_stats *st)
{
	st->generation = atomic_load_explicit(&e->generation,
	    memory_order_relaxed);
	st->active_calls = atomic_load_explicit(&e->active_calls,
	    memory_order_relaxed);
}

uint64_t
engine_sgp_counter(struct engine *e, uint32_t sgp, enum referd_counter c)
{
	if (sgp < 1 || sgp > REFERD_SGP_MAX || (unsigned)c >= REFERD_CTR__COUNT)
		return 0;
	return atomic_load_explicit(&e->counters[sgp][c], memory_order_relaxed);
}

int
engine_sig_is_up(struct engine *e, uint32_t sig)
{
	if (sig < 1 || sig > REFERD_SIG_MAX)
		return 0;
	return atomic_load_explicit(&e->sig_up[sig], memory_order_relaxed);
}

int
engine_calls_get(struct engine *e, struct engine_call **callsp, size_t *np)
{
	struct engine_call *copy = NULL;
	int rc = 0;

	pthread_mutex_lock(&e->calls_lock);
	if (e->n_calls > 0) {
		copy = malloc(e->n_calls * sizeof(*copy));
		if (copy == NULL)
			rc = ENOMEM;
		else {
			double now = ev_time();

			memcpy(copy, e->calls, e->n_calls * sizeof(*copy));
			for (size_t i = 0; i < e->n_calls; i++)
				copy[i].duration = now > copy[i].started ?
				    (uint32_t)(now - copy[i].started) : 0;
		}
	}
	if (rc == 0) {
		*callsp = copy;
		*np = copy ? e->n_calls : 0;
	}
	pthread_mutex_unlock(&e->calls_lock);
	return rc;
}
