/*
 * session.c: the session a call carries (RFC 3264, RFC 6337).  referd is
 * a B2BUA that anchors media, not an endpoint: an offer that arrives on
 * one leg becomes an offer on the other leg, with referd's addresses, and
 * the answer travels back the same way.
 *
 *   re-INVITE with an offer: relayed to the partner; its answer goes back
 *     in referd's 2xx, retransmitted until the ACK.
 *   re-INVITE without an offer: relayed without one; the partner's offer
 *     (in its 2xx) goes back in referd's 2xx, and the answer in the
 *     party's ACK goes to the partner in referd's ACK, which waits for it.
 *   glare: a re-INVITE while referd's own towards that party is pending,
 *     or while the partner has one pending either way, gets 491; one
 *     while the party's previous one is unanswered gets 500 with
 *     Retry-After (RFC 3261 14.1, 14.2).
 *   UPDATE (RFC 3311), in an early or a confirmed dialog, and an offer in
 *     a PRACK (RFC 3262) take the same path, glare included (RFC 3311
 *     5.2), as an UPDATE to the partner when the partner's Allow lists
 *     UPDATE; the partner's answer comes back in referd's 200.  When the
 *     partner's Allow does not list UPDATE, an offer goes to it in a
 *     re-INVITE if both dialogs are confirmed, and is refused with 488
 *     (the session unchanged) in an early dialog; an UPDATE without an
 *     offer (a target refresh) is then answered by referd itself.
 *
 * referd answers a re-INVITE itself only where nobody is on the other side
 * (a transferor left alone after its transfer): that session is its own.
 * It also makes offers of its own, to bring two parties that a transfer
 * connected into one session (session_align).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_port.h>

#include "internal.h"

/* A re-INVITE from a leg with nobody behind it: answered here. */
static void
answer_locally(struct engine *e, struct stx *stx, struct leg *leg,
    const char *offer)
{
	const char *dir = "sendrecv";
	char *body = NULL;

	if (offer != NULL) {
		const char *o = sdp_direction(offer);

		dir = strcmp(o, "sendonly") == 0 ? "recvonly" :
		    strcmp(o, "recvonly") == 0 ? "sendonly" :
		    strcmp(o, "inactive") == 0 ? "inactive" : "sendrecv";
		leg_learn_media(leg, offer);
		leg_keep_sdp(leg, offer);
		body = leg_sdp(leg, offer, dir, NULL);
	}
	leg_reply_body(e, leg, stx, 200, body, NULL, NULL);
	free(body);
}

/* A target refresh (RFC 3261 12.2): the party's new Contact, if any. */
static void
refresh_target(struct leg *leg, const osip_message_t *msg)
{
	char *target = contact_uri(msg);

	if (target == NULL)
		return;
	free(leg->dlg.remote_target);
	leg->dlg.remote_target = target;
}

/*
 * Send a leg an INVITE (or, update, an UPDATE) in its dialog with body (an
 * offer, or NULL); it is the leg's pending session change.  A change
 * that relays a party's request (asked, from leg from; NULL: referd's
 * own) carries its headers as the header policy allows (its identity:
 * build.c).  0, or an errno value.
 */
static int
send_change(struct engine *e, struct leg *leg, const char *body, int update,
    const struct leg *from, const osip_message_t *asked)
{
	struct msg_req r = {
		.method = update ? "UPDATE" : "INVITE", .leg = leg,
		.in_dialog = 1,
		.cseq = ++leg->dlg.local_cseq, .contact_user = "referd",
		.allow = 1, .content_type = body ? "application/sdp" : NULL,
		.body = body, .relay = from ? asked : NULL,
		.relay_sgp = from ? from->sgp : 0,
	};
	osip_message_t *req = msg_request(e, &r);
	struct stx *stx = NULL;

	if (req == NULL)
		return ENOMEM;
	if (stack_send_request(e, leg, req, &stx) != 0 || stx->dead)
		return EIO;
	leg->reinv_out = stx;
	leg->reinv_offerless = body == NULL;
	leg->reinv_update = update;
	return 0;
}

/* A re-INVITE referd sends a leg. */
static int
send_reinvite(struct engine *e, struct leg *leg, const char *body)
{
	return send_change(e, leg, body, 0, NULL, NULL);
}

/* Is a leg's dialog one a session change may go in: confirmed, or early
 * for an UPDATE? */
static int
change_dialog(const struct leg *l, int update)
{
	return dialog_is(l, DLG_CONFIRMED) || (update && dialog_is(l,
	    DLG_EARLY));
}

/* Is a re-INVITE on this leg, or on its partner, still open either way? */
static int
pending(const struct leg *l)
{
	return l->reinv_in != NULL || l->reinv_out != NULL || l->ack_wait ||
	    l->ack_hold;
}

/*
 * A party's session change: a re-INVITE (or one that repeats one already
 * answered), or (update) an UPDATE or a PRACK with an offer.
 */
static void
session_change(struct engine *e, struct stx *stx, struct leg *leg, int update)
{
	osip_message_t *req = stx->tr->orig_request;
	const char *offer = body_of(req);
	struct leg *p = leg->partner;
	int by_update = update;
	char *body;

	if (leg->reinv_in != NULL) {
		stack_reply(e, stx, 500, "Retry-After", "2");
		return;
	}
	if (leg->reinv_out != NULL || leg->ack_wait || leg->ack_hold) {
		stack_reply(e, stx, 491, NULL, NULL);
		return;
	}
	refresh_target(leg, req);
	if (p == NULL || !change_dialog(p, update) ||
	    !change_dialog(leg, update)) {
		answer_locally(e, stx, leg, offer);
		return;
	}
	if (pending(p)) {
		stack_reply(e, stx, 491, NULL, NULL);
		return;
	}
	if (update && !p->allow_update) {
		/* The partner takes no UPDATE: a re-INVITE where one may go. */
		if (offer == NULL) {
			answer_locally(e, stx, leg, NULL);
			return;
		}
		if (!dialog_is(p, DLG_CONFIRMED) ||
		    !dialog_is(leg, DLG_CONFIRMED)) {
			stack_reply(e, stx, 488, "Warning", "399 referd \"the "
			    "other party does not accept UPDATE\"");
			return;
		}
		by_update = 0;
	}
	if (offer != NULL) {
		leg_learn_media(leg, offer);
		leg_keep_sdp(leg, offer);
	}
	body = offer ? leg_sdp(p, offer, NULL, NULL) : NULL;
	if ((offer != NULL && body == NULL) ||
	    send_change(e, p, body, by_update, leg, req) != 0) {
		free(body);
		stack_reply(e, stx, 500, NULL, NULL);
		return;
	}
	free(body);
	leg->reinv_in = stx;
	p->reinv_local = 0;
	p->reinv_asker = leg;
	engine_log(e, ENGINE_LOG_DEBUG, "call %u: %s relayed as %s%s",
	    leg->call->index, req->sip_method, by_update ? "UPDATE" :
	    "re-INVITE", offer ? "" : " without an offer");
}

/* A party's re-INVITE. */
void
session_on_reinvite(struct engine *e, struct stx *stx, struct leg *leg)
{
	session_change(e, stx, leg, 0);
}

/* A party's UPDATE, or its PRACK with an offer. */
void
session_on_update(struct engine *e, struct stx *stx, struct leg *leg)
{
	session_change(e, stx, leg, 1);
}

/* The party whose re-INVITE leg's pending one relays, or NULL. */
static struct leg *
asker_of(struct leg *leg)
{
	struct leg *l = leg->reinv_asker;

	return !leg->reinv_local && l != NULL && l->reinv_in != NULL ? l : NULL;
}

/* referd's re-INVITE to a leg failed (code): the asker gets the same. */
static void
reinvite_failed(struct engine *e, struct leg *leg, int code)
{
	struct leg *l = asker_of(leg);

	engine_log(e, ENGINE_LOG_INFO, "call %u: re-INVITE answered %d",
	    leg->call->index, code);
	if (l == NULL)
		return;
	stack_reply(e, l->reinv_in, code, code == 500 ? "Retry-After" : NULL,
	    code == 500 ? "2" : NULL);
	l->reinv_in = NULL;
}

/* referd's re-INVITE to a leg was answered 2xx with sdp (may be NULL). */
static void
reinvite_answered(struct engine *e, struct leg *leg,
    const osip_message_t *resp, unsigned cseq, const char *sdp)
{
	struct leg *l = asker_of(leg);
	char *body;

	if (sdp != NULL) {
		leg_learn_media(leg, sdp);
		leg_keep_sdp(leg, sdp);
	}
	/*
	 * referd offered this party another party's media (session_align):
	 * when its answer narrows that, the other party is offered the
	 * answer, once, so that both send what the other takes.
	 */
	if (leg->reinv_local && leg->reinv_align != NULL && sdp != NULL) {
		struct leg *from = leg->reinv_align;

		leg->reinv_align = NULL;
		dialog_ack(e, leg, cseq, NULL);
		if (from->partner == leg)
			session_align_once(e, from, leg);
		return;
	}
	if (leg->reinv_update)
		;   /* an UPDATE: nothing to ACK */
	else if (leg->reinv_offerless && sdp != NULL && l != NULL) {
		/* The 2xx holds the offer: ACKed with the asker's answer. */
		leg->ack_hold = 1;
		leg->ack_cseq = cseq;
		l->ack_wait = 1;
	} else
		dialog_ack(e, leg, cseq, NULL);
	if (l == NULL)
		return;
	body = sdp ? leg_sdp(l, sdp, NULL, NULL) : NULL;
	/* The caller's answer before its 2xx (100rel): what the 2xx need
	 * not repeat (leg_reply). */
	if (sdp != NULL && l->rel_answered) {
		free(l->rel_src);
		l->rel_src = strdup(sdp);
	}
	/* The 200 carries the identity of the party that answered. */
	l->reply_relay = resp;
	l->reply_relay_sgp = leg->sgp;
	leg_reply_body(e, l, l->reinv_in, 200, body, NULL, NULL);
	l->reply_relay = NULL;
	free(body);
	l->reinv_in = NULL;
}

/*
 * The result of a re-INVITE or an UPDATE referd sent (resp NULL: none
 * came, code 408, or it could not be sent, 503).  1 when stx was one,
 * else 0.
 */
int
session_on_result(struct engine *e, struct stx *stx, int code,
    osip_message_t *resp)
{
	struct leg *leg = stx->leg;
	int refresh;

	if (leg == NULL || leg->reinv_out != stx)
		return 0;
	if (resp != NULL)
		code = resp->status_code;
	if (code < 200)
		return 1;
	/* Final: the transaction lives on (Timer D, 2xx retransmissions
	 * come as strays) but is no one's. */
	stx->leg = NULL;
	leg->reinv_out = NULL;
	refresh = leg->se_refresh;
	leg->se_refresh = 0;
	if (code >= 300) {
		reinvite_failed(e, leg, code);
		if (refresh)
			timer_refresh_failed(e, leg, code);
		return 1;
	}
	refresh_target(leg, resp);
	/* A 2xx to an UPDATE refreshes the session as one to a re-INVITE
	 * does (dispatch.c: on_invite_response). */
	if (leg->reinv_update)
		timer_uac(e, leg, resp);
	reinvite_answered(e, leg, resp,
	    (unsigned)strtoul(resp->cseq->number, NULL, 10), body_of(resp));
	return 1;
}

/*
 * An ACK from a party for referd's 2xx.  When that 2xx held an offer, the
 * ACK holds the answer, and the partner's 2xx (which held the offer) is
 * ACKed with it now.
 */
void
session_on_ack(struct engine *e, struct leg *leg, const osip_message_t *ack)
{
	const char *answer = body_of(ack);
	struct leg *p = leg->partner;
	char *body = NULL;

	leg_acked(e, leg);
	if (!leg->ack_wait)
		return;
	leg->ack_wait = 0;
	if (answer != NULL) {
		leg_learn_media(leg, answer);
		leg_keep_sdp(leg, answer);
	} else
		engine_log(e, ENGINE_LOG_NOTICE, "call %u: an ACK without the "
		    "answer to referd's offer", leg->call->index);
	if (p == NULL || !p->ack_hold)
		return;
	if (answer != NULL)
		body = leg_sdp(p, answer, NULL, NULL);
	p->ack_hold = 0;
	dialog_ack(e, p, p->ack_cseq, body);
	free(body);
}

/*
 * referd's own offer to a leg (nothing to relay back): sdp with the
 * leg's addresses, only the payload types in keep (per stream).
 */
void
session_offer(struct engine *e, struct leg *leg, const char *sdp,
    const struct pt_set *keep)
{
	char *body;

	if (pending(leg) || !dialog_is(leg, DLG_CONFIRMED)) {
		engine_log(e, ENGINE_LOG_INFO, "call %u: no re-INVITE to align "
		    "the session: one is pending", leg->call->index);
		return;
	}
	if ((body = leg_sdp(leg, sdp, NULL, keep)) == NULL)
		return;
	if (send_reinvite(e, leg, body) == 0) {
		leg->reinv_local = 1;
		leg->reinv_asker = NULL;
		leg->reinv_align = NULL;
	}
	free(body);
}

/*
 * A session refresh of referd's own (timer.c, RFC 4028): an UPDATE
 * without SDP to a party whose Allow lists UPDATE (RFC 4028 9: no offer
 * in a refreshing UPDATE, nothing for the party to answer), else a
 * re-INVITE with the SDP the leg was last sent, unchanged (same o=
 * version: RFC 3264 8, no change to act on).  0, EBUSY while a session
 * change is open either way, or another errno value.
 */
int
session_refresh(struct engine *e, struct leg *leg)
{
	int update = leg->allow_update;

	if (pending(leg) || (leg->partner != NULL && pending(leg->partner)))
		return EBUSY;
	if ((!update && leg->local_sdp == NULL) ||
	    !dialog_is(leg, DLG_CONFIRMED))
		return ENOENT;
	if ((update ? send_change(e, leg, NULL, 1, NULL, NULL) :
	    send_reinvite(e, leg, leg->local_sdp)) != 0)
		return EIO;
	leg->reinv_local = 1;
	leg->reinv_asker = NULL;
	leg->reinv_align = NULL;
	leg->se_refresh = 1;
	engine_log(e, ENGINE_LOG_DEBUG, "call %u: session refresh (%s) sent to "
	    "the %s", leg->call->index, update ? "UPDATE" : "re-INVITE",
	    leg->is_a ? "caller" : "called party");
	return 0;
}

/* Offer `to` the media of `from` when their sessions differ; 1 if sent. */
static int
align(struct engine *e, struct leg *to, struct leg *from)
{
	struct pt_set ta[SDP_MEDIA_MAX], fa[SDP_MEDIA_MAX];
	struct sdp ts, fs;

	if (to->remote_sdp == NULL || from->remote_sdp == NULL ||
	    sdp_parse(to->remote_sdp, &ts) != 0 ||
	    sdp_parse(from->remote_sdp, &fs) != 0)
		return 0;
	leg_allowed(to, ta);
	leg_allowed(from, fa);
	if (sdp_same_codecs(&ts, ta, &fs, fa))
		return 0;
	engine_log(e, ENGINE_LOG_INFO, "call %u: the sessions differ: the %s "
	    "is offered the other party's media", to->call->index,
	    to->is_a ? "caller" : "called party");
	session_offer(e, to, from->remote_sdp, fa);
	return to->reinv_local && to->reinv_out != NULL;
}

/*
 * Two parties just connected (a transfer, Replaces, an attended transfer)
 * end up in one session: when `from`'s codecs or direction differ from
 * what `to` negotiated, `to` is offered `from`'s media; when `to`'s answer
 * narrows it, `from` is offered the answer in turn (session_align_once),
 * and there it ends.
 */
void
session_align(struct engine *e, struct leg *to, struct leg *from)
{
	if (align(e, to, from))
		to->reinv_align = from;
}

/* The second and last round of session_align(). */
void
session_align_once(struct engine *e, struct leg *to, struct leg *from)
{
	(void)align(e, to, from);
}

/* A transaction ended: the leg's session forgets it. */
void
session_kill_stx(struct leg *leg, const struct stx *stx)
{
	if (leg->reinv_in == stx)
		leg->reinv_in = NULL;
	if (leg->reinv_out == stx)
		leg->reinv_out = NULL;
	if (leg->reinv_asker != NULL && leg->reinv_out == NULL)
		leg->reinv_asker = NULL;
}

/* Free what a leg's session holds. */
void
session_clear(struct leg *leg)
{
	free(leg->local_sdp);
	free(leg->ack_text);
	leg->local_sdp = NULL;
	leg->ack_text = NULL;
}
