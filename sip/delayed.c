/*
 * delayed.c: Delayed Answer.  When B answers a caller whose called side's
 * profile has Refer Support and Delayed Answer enabled, referd ACKs B but
 * does not answer A: A hears 183 with B's media (refreshed every
 * DA_REFRESH s, under the 60 s of RFC 3261 13.3.1.1) until a transfer
 * target answers (billing starts there) or the Delayed Answer Timer
 * expires, and only then gets its 200.  The 183s and a 200 at the timer
 * carry B's identity as the header policy allows (B's 2xx is kept for
 * that while A waits); a 200 at the transfer target's answer carries the
 * target's.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* How often the caller hears the 183 again while it waits (under 60 s). */
#define DA_REFRESH 30.

static void on_da_timer(struct ev_loop *loop, ev_timer *w, int revents);
static void on_da_refresh(struct ev_loop *loop, ev_timer *w, int revents);

/* A new call's Delayed Answer watchers, stopped. */
void
delayed_init(struct call *c)
{
	ev_init(&c->da_timer, on_da_timer);
	c->da_timer.data = c;
	ev_init(&c->da_refresh, on_da_refresh);
	c->da_refresh.data = c;
}

/*
 * Answer the caller with code and sdp; what it says of the answering
 * party's identity is B's kept 2xx's unless the reply relays another
 * response (leg a's reply_relay).
 */
static void
reply_a(struct engine *e, struct call *c, int code, const char *sdp)
{
	const osip_message_t *was = c->a.reply_relay;

	if (was == NULL && c->da_answer != NULL) {
		c->a.reply_relay = c->da_answer;
		c->a.reply_relay_sgp = c->b.sgp;
	}
	call_reply_a(e, c, code, sdp, NULL, NULL);
	c->a.reply_relay = was;
}

/*
 * B answered with sdp (its 2xx being relayed: leg a's reply_relay): hold
 * the caller in Delayed Answer if B's profile says so (1), or not (0:
 * the caller is to be answered now).
 */
int
delayed_start(struct engine *e, struct call *c, const char *sdp)
{
	const struct referd_refer *da = profile_delayed_answer(e->current,
	    c->b.sgp);

	if (da == NULL)
		return 0;
	c->da_waiting = 1;
	osip_message_free(c->da_answer);
	c->da_answer = NULL;
	if (c->a.reply_relay != NULL &&
	    osip_message_clone(c->a.reply_relay, &c->da_answer) != 0)
		c->da_answer = NULL;
	reply_a(e, c, 183, sdp);
	ev_timer_set(&c->da_timer, da->da_timer * 60., 0.);
	ev_timer_start(e->loop, &c->da_timer);
	ev_timer_set(&c->da_refresh, DA_REFRESH, DA_REFRESH);
	ev_timer_start(e->loop, &c->da_refresh);
	call_set_state(e, c, CALL_DELAYED_ANSWER);
	return 1;
}

/*
 * Answer the caller now (the transfer target answered, or the Delayed
 * Answer Timer expired): 200 with sdp, the far end's media at A's port.
 */
void
delayed_answer(struct engine *e, struct call *c, const char *sdp)
{
	if (!c->da_waiting)
		return;
	c->da_waiting = 0;
	delayed_stop(e, c);
	reply_a(e, c, 200, sdp);
	osip_message_free(c->da_answer);
	c->da_answer = NULL;
}

/* Stop a call's Delayed Answer timers (it is answered or released). */
void
delayed_stop(struct engine *e, struct call *c)
{
	ev_timer_stop(e->loop, &c->da_timer);
	ev_timer_stop(e->loop, &c->da_refresh);
}

/* The Delayed Answer Timer: A is answered and connected to B. */
static void
on_da_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct call *c = w->data;
	struct engine *e = c->a.media.engine;
	struct engine_event ev;

	(void)loop;
	(void)revents;
	engine_count(e, c->b.sgp, REFERD_CTR_DA_TIMEOUTS);
	memset(&ev, 0, sizeof(ev));
	ev.type = ENGINE_EV_DA_TIMEOUT;
	ev.index = c->b.sgp;
	ev.call_index = c->index;
	snprintf(ev.call_id, sizeof(ev.call_id), "%s", c->a.dlg.call_id);
	snprintf(ev.text, sizeof(ev.text), "call %u: Delayed Answer Timer "
	    "expired: the caller is answered", c->index);
	engine_emit(e, &ev);
	delayed_answer(e, c, c->b.remote_sdp);
	if (!c->xfer.active)
		call_set_state(e, c, CALL_CONNECTED);
}

/* The caller hears 183 again: a provisional refresh (RFC 3261 13.3.1.1). */
static void
on_da_refresh(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct call *c = w->data;

	(void)loop;
	(void)revents;
	if (c->da_waiting)
		reply_a(c->a.media.engine, c, 183, c->b.remote_sdp);
}
