/*
 * subscription.c: the implicit subscription a REFER creates (RFC 3515,
 * RFC 6665), referd as notifier.  It lives in the transferor's dialog and
 * reports the transfer's progress in NOTIFYs whose message/sipfrag body is
 * the status line of the target's response.  NOTIFYs go out one at a time
 * and in order: a new one waits until the one before it is answered or
 * has failed (RFC 6665 4.2.2).  A 481 to a NOTIFY ends the subscription
 * and nothing else; so does the transferor's BYE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <osipparser2/osip_port.h>

#include "internal.h"

/* How long an active subscription lasts from each NOTIFY (seconds). */
#define SUB_EXPIRES 60

/* The message/sipfrag body of a NOTIFY: a status line; snprintf's result. */
int
refer_sipfrag(char *buf, size_t len, int code, const char *reason)
{
	return snprintf(buf, len, "SIP/2.0 %d %s\r\n", code,
	    reason ? reason : osip_message_get_reason(code));
}

/* Drop the NOTIFYs not sent yet. */
static void
queue_free(struct subscription *sub)
{
	struct sub_notify *n;

	while ((n = sub->queue) != NULL) {
		sub->queue = n->next;
		free(n);
	}
	sub->queue_tail = &sub->queue;
}

/*
 * Start a subscription in a transferor's leg: active, or none at all
 * when the REFER asked for none (Refer-Sub: false, RFC 4488).
 */
void
sub_start(struct subscription *sub, struct leg *leg, unsigned event_id,
    int wanted)
{
	sub->state = wanted ? SUB_ACTIVE : SUB_NONE;
	sub->leg = leg;
	sub->event_id = event_id;
	sub->expires = 0;
	sub->pending = NULL;
	sub->queue = NULL;
	sub->queue_tail = &sub->queue;
	sub->bye_after = 0;
}

/* Send one NOTIFY now; 0, or an errno value when it could not be sent. */
static int
sub_send(struct engine *e, struct subscription *sub, int code, int final)
{
	struct leg *tl = sub->leg;
	char event[48], state[48], body[160];
	struct msg_hdr hdrs[3] = { { "Event", event },
	    { "Subscription-State", state }, { NULL, NULL } };
	osip_message_t *msg;
	struct stx *stx = NULL;

	if (sub->event_id)
		snprintf(event, sizeof(event), "refer;id=%u", sub->event_id);
	else
		snprintf(event, sizeof(event), "refer");
	sub->expires = ev_now(e->loop) + SUB_EXPIRES;
	if (final)
		snprintf(state, sizeof(state), "terminated;reason=noresource");
	else
		snprintf(state, sizeof(state), "active;expires=%d", SUB_EXPIRES);
	refer_sipfrag(body, sizeof(body), code, code == 100 ? "Trying" : NULL);
	msg = dialog_request(e, tl, "NOTIFY", hdrs,
	    "message/sipfrag;version=2.0", body);
	if (final)
		sub->state = SUB_TERMINATED;
	if (msg == NULL)
		return ENOMEM;
	/*
	 * A NOTIFY that could not be sent (a transport error) has already
	 * ended, and its kill event was handled inside stack_send_request
	 * (before pending pointed at it): keeping it would leave the
	 * subscription pointing at a transaction freed at the end of the
	 * iteration.
	 */
	if (stack_send_request(e, tl, msg, &stx) != 0 || stx->dead)
		return EIO;
	sub->pending = stx;
	return 0;
}

/*
 * Send the queued NOTIFYs, one at a time: the next waits for an answer.
 * Once none is left, a BYE asked for after them goes (sub_then_bye).
 */
static void
sub_flush(struct engine *e, struct subscription *sub)
{
	struct sub_notify *n;

	while (sub->pending == NULL && (n = sub->queue) != NULL) {
		sub->queue = n->next;
		if (sub->queue == NULL)
			sub->queue_tail = &sub->queue;
		if (sub->leg != NULL && dialog_is(sub->leg, DLG_CONFIRMED))
			sub_send(e, sub, n->code, n->final);
		free(n);
	}
	if (sub->bye_after && sub->pending == NULL && sub->queue == NULL) {
		sub->bye_after = 0;
		if (sub->leg != NULL)
			dialog_bye(e, sub->leg);
	}
}

/*
 * Hang up the subscription's leg (Release REFER Session, or the
 * transferor of an attended transfer), but only once its last NOTIFY has
 * been answered or has failed: a BYE that overtakes the final NOTIFY
 * would leave the transferor without the transfer's outcome.
 */
void
sub_then_bye(struct engine *e, struct subscription *sub, struct leg *leg)
{
	if (sub->leg == leg && (sub->pending != NULL || sub->queue != NULL)) {
		sub->bye_after = 1;
		return;
	}
	dialog_bye(e, leg);
}

/*
 * Report a transfer's progress: a NOTIFY with C's status (final: the
 * subscription ends with it).  Nothing when there is no active
 * subscription or the transferor's dialog is gone.
 */
void
sub_notify(struct engine *e, struct subscription *sub, int code, int final)
{
	struct sub_notify *n;

	if (sub->state != SUB_ACTIVE || sub->leg == NULL ||
	    !dialog_is(sub->leg, DLG_CONFIRMED))
		return;
	if (sub->pending == NULL && sub->queue == NULL) {
		sub_send(e, sub, code, final);
		return;
	}
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return;
	n->code = code;
	n->final = final;
	*sub->queue_tail = n;
	sub->queue_tail = &n->next;
	if (final)
		sub->state = SUB_TERMINATED;    /* nothing after the final one */
}

/* Is stx the NOTIFY this subscription waits on? */
int
sub_owns(const struct subscription *sub, const struct stx *stx)
{
	return sub->pending != NULL && sub->pending == stx;
}

/* A final response to a NOTIFY: 481 ends the subscription, and only it. */
void
sub_on_response(struct engine *e, struct stx *stx, int code)
{
	struct leg *leg = stx->leg;
	struct subscription *sub;

	if (leg == NULL || !sub_owns(sub = &leg->call->xfer.sub, stx))
		return;
	/* Answered: the transaction lives on (Timer K) but is no one's. */
	stx->leg = NULL;
	sub->pending = NULL;
	if (code == 481) {
		sub->state = SUB_TERMINATED;
		queue_free(sub);
	}
	sub_flush(e, sub);
}

/* The NOTIFY in flight ended without an answer (timeout, transport). */
void
sub_kill_stx(struct engine *e, struct subscription *sub,
    const struct stx *stx)
{
	if (!sub_owns(sub, stx))
		return;
	sub->pending = NULL;
	sub_flush(e, sub);
}

/* The transferor's dialog ended: no NOTIFY can reach it any more. */
void
sub_leg_gone(struct subscription *sub, const struct leg *leg)
{
	if (sub->leg != leg)
		return;
	if (sub->state == SUB_ACTIVE)
		sub->state = SUB_TERMINATED;
	queue_free(sub);
}

/* Forget a subscription (its transfer is over or the call is ending). */
void
sub_end(struct subscription *sub)
{
	if (sub->pending != NULL)
		sub->pending->leg = NULL;
	sub->pending = NULL;
	queue_free(sub);
	sub->state = SUB_NONE;
	sub->leg = NULL;
	sub->bye_after = 0;
}
