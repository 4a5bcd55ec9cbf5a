/*
 * keepalive.c: the dialog keepalive.  Every dialogKeepalive seconds each
 * established dialog of a call gets an in-dialog OPTIONS (no more than one
 * pending per dialog).  A party that answers anything but 408 or 481 is
 * there; one that answers 481 (the dialog is gone), 408, or nothing until
 * Timer F (32 s), or that cannot be reached, has vanished without a BYE:
 * its dialog is ended as if it had sent one, so the call is released by
 * timers, not kept for ever (RFC 3261 section 12.2.1.2, 481; the same
 * probe SBCs use).
 */
#include "internal.h"

static void on_keepalive(struct ev_loop *loop, ev_timer *w, int revents);

/* Start a new call's keepalive, at the interval in force now (0: off). */
void
keepalive_start(struct engine *e, struct call *c)
{
	ev_init(&c->keepalive, on_keepalive);
	c->keepalive.data = c;
	if (e->current->dialog_keepalive > 0) {
		c->keepalive.repeat = e->current->dialog_keepalive;
		ev_timer_again(e->loop, &c->keepalive);
	}
}

/* The keepalive timer: an OPTIONS on each confirmed dialog not pinged. */
static void
on_keepalive(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct call *c = w->data;
	struct engine *e = c->a.media.engine;

	(void)loop;
	(void)revents;
	if (c->dead || e == NULL)
		return;
	for (struct leg *l = &c->a; l; l = l == &c->a ? &c->b :
	    l == &c->b ? &c->x : NULL) {
		osip_message_t *req;
		struct stx *stx = NULL;

		if (!dialog_is(l, DLG_CONFIRMED) || l->ep == NULL ||
		    l->ping != NULL)
			continue;
		req = dialog_request(e, l, "OPTIONS", NULL, NULL, NULL);
		/* A send that failed at once has killed it already. */
		if (req != NULL && stack_send_request(e, l, req, &stx) == 0 &&
		    !stx->dead)
			l->ping = stx;
	}
}

/* The answer to a keepalive (code 0: none came, or it could not be sent). */
void
keepalive_result(struct engine *e, struct stx *stx, int code)
{
	struct leg *leg = stx->leg;
	struct call *c;

	leg->ping = NULL;
	stx->leg = NULL;
	c = leg->call;
	if ((code != 0 && code != 408 && code != 481) || c->dead ||
	    !dialog_is(leg, DLG_CONFIRMED))
		return;
	engine_log(e, ENGINE_LOG_NOTICE, "call %u: the %s %s the keepalive "
	    "OPTIONS: its dialog is ended", c->index, leg == &c->a ?
	    "caller" : leg == &c->b ? "called party" : "transfer target",
	    code == 0 ? "did not answer" : code == 481 ?
	    "answered 481 to" : "answered 408 to");
	call_leg_gone(e, leg);
}
