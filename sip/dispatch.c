/*
 * dispatch.c: where each message goes.  A request that starts a server
 * transaction goes to the handler of its method (one row of `methods`
 * each; a method with no row gets 405 or 481); a response goes to what its
 * client transaction was sent for (an INVITE to b or to a transfer target,
 * a keepalive, a NOTIFY); a message without a transaction (an ACK for a
 * 2xx, a retransmitted 2xx) to call_on_stray().
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_port.h>

#include "internal.h"

/* A handler of the requests of one method. */
typedef void (request_h)(struct engine *e, struct stx *stx,
    osip_message_t *req);

/*
 * The leg of an in-dialog request, its dialog checked (dialog_check), or
 * NULL once the request is answered 481 or 500.
 */
static struct leg *
dialog_leg(struct engine *e, struct stx *stx, const osip_message_t *req)
{
	struct leg *leg = leg_find(e, req);
	int code;

	if (leg == NULL || (code = dialog_check(leg, req)) != 0) {
		stack_reply(e, stx, leg == NULL ? 481 : code, NULL, NULL);
		return NULL;
	}
	return leg;
}

/* INVITE: a new call, or a re-INVITE in one of referd's dialogs. */
static void
on_invite(struct engine *e, struct stx *stx, osip_message_t *req)
{
	struct leg *leg;

	if (header_tag(req->to) == NULL) {
		call_new(e, stx);
		return;
	}
	if ((leg = dialog_leg(e, stx, req)) != NULL)
		session_on_reinvite(e, stx, leg);
}

/* UPDATE (RFC 3311): a session change in an early or confirmed dialog. */
static void
on_update(struct engine *e, struct stx *stx, osip_message_t *req)
{
	struct leg *leg = dialog_leg(e, stx, req);

	if (leg != NULL)
		session_on_update(e, stx, leg);
}

/*
 * PRACK (RFC 3262): acknowledges a reliable provisional response (rel.c);
 * an offer in it is a session change like an UPDATE's, whose answer
 * comes in the 200.
 */
static void
on_prack(struct engine *e, struct stx *stx, osip_message_t *req)
{
	struct leg *leg = dialog_leg(e, stx, req);

	if (leg == NULL || rel_on_prack(e, stx, leg))
		return;
	if (body_of(req) != NULL)
		session_on_update(e, stx, leg);
	else
		stack_reply(e, stx, 200, NULL, NULL);
}

/* OPTIONS: 200 with what referd supports (from gateways only). */
static void
on_options(struct engine *e, struct stx *stx, osip_message_t *req)
{
	const struct referd_gw *gw = trusted_gateway(e, &stx->dest);
	struct leg *leg = leg_find(e, req);
	struct msg_resp r = { .allow = 1 };
	osip_message_t *resp = NULL;

	if (gw == NULL && leg == NULL) {
		stack_reply(e, stx, 403, NULL, NULL);
		return;
	}
	r.sgp = leg ? leg->sgp : gw->sgp_index ? gw->sgp_index :
	    stx->ep->row.sgp_index;
	if (msg_response(e, stx, 200, &r, &resp) == 0)
		stack_send_response(e, stx, resp);
}

/* CANCEL from the caller. */
static void
on_cancel(struct engine *e, struct stx *stx, osip_message_t *req)
{
	struct leg *a = leg_find(e, req);

	if (a == NULL || !a->is_a || a->invite == NULL || a->call->dead) {
		stack_reply(e, stx, 481, NULL, NULL);
		return;
	}
	stack_reply(e, stx, 200, NULL, NULL);
	billing_end(a->call, "caller", "cancel", 487, billing_reason(req));
	call_ended_by(a->call, req, a->sgp);
	call_cancelled(e, a->call);
}

/* BYE from either side. */
static void
on_bye(struct engine *e, struct stx *stx, osip_message_t *req)
{
	struct leg *leg = dialog_leg(e, stx, req);

	if (leg == NULL)
		return;
	stx->leg = NULL;
	stack_reply(e, stx, 200, NULL, NULL);
	billing_bye(leg, req);
	call_ended_by(leg->call, req, leg->sgp);
	call_leg_gone(e, leg);
	call_ended_by(leg->call, NULL, 0);
}

/* REFER (refer.c). */
static void
on_refer(struct engine *e, struct stx *stx, osip_message_t *req)
{
	(void)req;
	refer_on_request(e, stx);
}

/* Requests referd does not act on: 405 with what it allows, or 481. */
static void
on_other(struct engine *e, struct stx *stx, osip_message_t *req)
{
	struct leg *leg = leg_find(e, req);

	if (header_tag(req->to) != NULL && leg == NULL) {
		stack_reply(e, stx, 481, NULL, NULL);
		return;
	}
	stack_reply(e, stx, 405, "Allow", profile_allow(e->current,
	    leg ? leg->sgp : 0));
}

/*
 * INFO and MESSAGE in a dialog: carried to the other party (relay.c).
 * Outside a dialog an INFO gets 481 (RFC 6086 4.2.2: INFO lives only in
 * an INVITE dialog usage) and a MESSAGE 403: referd carries MESSAGE
 * between the parties of a call, it is no pager-mode relay.
 */
static void
on_relayed(struct engine *e, struct stx *stx, osip_message_t *req)
{
	struct leg *leg = header_tag(req->to) ? leg_find(e, req) : NULL;
	int code;

	if (leg == NULL) {
		stack_reply(e, stx, header_tag(req->to) != NULL ||
		    MSG_IS_INFO(req) ? 481 : 403, NULL, NULL);
		return;
	}
	if ((code = dialog_check(leg, req)) != 0) {
		stack_reply(e, stx, code, NULL, NULL);
		return;
	}
	relay_on_request(e, stx, leg);
}

/*
 * NOTIFY: referd subscribes to nothing (it never sends SUBSCRIBE, nor
 * REFER), so no NOTIFY it receives belongs to a subscription of its own,
 * and one is not relayed either: the other party never subscribed through
 * referd (SUBSCRIBE gets 405).  RFC 6665 4.1.3: an Event package referd
 * does not know gets 489 Bad Event; `refer`, which it knows, 481 (no such
 * subscription); one without Event (which RFC 6665 requires) 400.  Where the profile
 * does not list NOTIFY in Allow (REFER disabled), 405 as before.
 */
static void
on_notify(struct engine *e, struct stx *stx, osip_message_t *req)
{
	const struct referd_gw *gw = trusted_gateway(e, &stx->dest);
	struct leg *leg = header_tag(req->to) ? leg_find(e, req) : NULL;
	const char *ev;
	size_t n;
	int code;

	if (leg == NULL && (header_tag(req->to) != NULL || gw == NULL)) {
		/* Another dialog's, or a stranger's (no dialog, no gateway). */
		stack_reply(e, stx, header_tag(req->to) ? 481 : 403, NULL,
		    NULL);
		return;
	}
	if (!profile_refer_enabled(e->current, leg ? leg->sgp :
	    gw->sgp_index ? gw->sgp_index : stx->ep->row.sgp_index)) {
		on_other(e, stx, req);
		return;
	}
	if (leg != NULL && (code = dialog_check(leg, req)) != 0) {
		stack_reply(e, stx, code, NULL, NULL);
		return;
	}
	if ((ev = header_first(req, "Event", "o", NULL)) == NULL) {
		stack_reply(e, stx, 400, "Warning",
		    "399 referd \"a NOTIFY without Event\"");
		return;
	}
	ev += strspn(ev, " \t");
	n = strcspn(ev, " \t;");
	stack_reply(e, stx, n == 5 && strncasecmp(ev, "refer", 5) == 0 ?
	    481 : 489, NULL, NULL);
}

/* The methods referd acts on: adding one is a row and a handler. */
static const struct {
	const char *method;
	request_h  *handler;
} methods[] = {
	{ "INVITE", on_invite },
	{ "BYE", on_bye },
	{ "CANCEL", on_cancel },
	{ "OPTIONS", on_options },
	{ "REFER", on_refer },
	{ "INFO", on_relayed },
	{ "MESSAGE", on_relayed },
	{ "NOTIFY", on_notify },
	{ "UPDATE", on_update },
	{ "PRACK", on_prack },
};

/*
 * RFC 3261 8.2.2.3: every option tag a request requires must be one the
 * profile supports (the tags of its Supported header); else 420 with the
 * others in Unsupported.  0, or 1 once answered.
 */
static int
check_require(struct engine *e, struct stx *stx, const osip_message_t *req,
    uint32_t sgp)
{
	const char *sup = profile_supported(e->current, sgp);
	osip_header_t *h = NULL;
	char bad[256] = "";
	size_t n = 0;

	for (int i = osip_message_header_get_byname(req, "require", 0, &h);
	    i >= 0; i = osip_message_header_get_byname(req, "require", i + 1,
	    &h))
		for (const char *p = h->hvalue; p != NULL && *p != '\0'; ) {
			size_t k;

			p += strspn(p, " \t,");
			k = strcspn(p, " \t,");
			if (k > 0 && !tag_listed(sup, p, k) && n + k + 3 < sizeof(bad))
				n += (size_t)snprintf(bad + n, sizeof(bad) - n,
				    "%s%.*s", n ? ", " : "", (int)k, p);
			p += k;
		}
	if (n == 0)
		return 0;
	stack_reply(e, stx, 420, "Unsupported", bad);
	return 1;
}

/*
 * What referd can take in an INVITE's body and send in its answers: an
 * SDP body, or none (415 with Accept, RFC 3261 8.2.3), and a response
 * with SDP (406 when an Accept header leaves it out: RFC 3261 20.1, RFC
 * 4475 3.3.15).  0, or 1 once answered.
 */
static int
check_invite_body(struct engine *e, struct stx *stx, const osip_message_t *req)
{
	const osip_content_type_t *ct = req->content_type;
	const osip_accept_t *a;
	int accepts = 0, sdp = 0;

	if (body_of(req) != NULL && ct != NULL && (ct->type == NULL ||
	    ct->subtype == NULL || strcasecmp(ct->type, "application") != 0 ||
	    strcasecmp(ct->subtype, "sdp") != 0)) {
		stack_reply(e, stx, 415, "Accept", "application/sdp");
		return 1;
	}
	for (int i = 0; (a = osip_list_get(&req->accepts, i)) != NULL; i++) {
		const char *t = a->type ? a->type : "", *st = a->subtype ?
		    a->subtype : "";

		accepts++;
		sdp |= (strcmp(t, "*") == 0 && strcmp(st, "*") == 0) ||
		    (strcasecmp(t, "application") == 0 && (strcmp(st, "*") == 0 ||
		    strcasecmp(st, "sdp") == 0));
	}
	if (accepts > 0 && !sdp) {
		stack_reply(e, stx, 406, NULL, NULL);
		return 1;
	}
	return 0;
}

/*
 * The checks of RFC 3261 8.2.2-8.2.3 before a handler runs, for a request
 * from a gateway or in a dialog (anything else is refused by its
 * handler): Require (420), an INVITE's body and Accept (415, 406), and
 * an INVITE's or UPDATE's Session-Expires below Min-SE (422).
 * 0, or 1 once answered.
 */
static int
uas_checks(struct engine *e, struct stx *stx, const osip_message_t *req)
{
	const struct referd_gw *gw = trusted_gateway(e, &stx->dest);
	const struct leg *leg = header_tag(req->to) ? leg_find(e, req) : NULL;
	uint32_t sgp;

	if (leg == NULL && gw == NULL)
		return 0;
	sgp = leg ? leg->sgp : gw->sgp_index ? gw->sgp_index :
	    stx->ep->row.sgp_index;
	if (!MSG_IS_CANCEL(req) && check_require(e, stx, req, sgp))
		return 1;
	if (MSG_IS_INVITE(req) && check_invite_body(e, stx, req))
		return 1;
	/* Both session refresh requests (RFC 4028 9): INVITE and UPDATE. */
	return (MSG_IS_INVITE(req) || MSG_IS_UPDATE(req)) &&
	    timer_check(e, stx, req, sgp);
}

/*
 * An in-dialog request (it has a To tag) or a CANCEL acts on a dialog only
 * when it comes from that dialog's peer (leg_from_peer): from anyone else
 * it gets 403, is counted on the leg's profile, and changes nothing.  0,
 * or 1 once refused.
 */
static int
check_peer(struct engine *e, struct stx *stx, const osip_message_t *req)
{
	struct leg *leg;
	char host[INET6_ADDRSTRLEN];
	int port;

	if ((header_tag(req->to) == NULL && !MSG_IS_CANCEL(req)) ||
	    (leg = leg_find(e, req)) == NULL ||
	    leg_from_peer(e, leg, &stx->dest))
		return 0;
	addr_to_text(&stx->dest, host, sizeof(host), &port);
	engine_log(e, ENGINE_LOG_NOTICE, "call %u: %s from %s:%d refused: not "
	    "the peer of dialog %s", leg->call->index, req->sip_method, host,
	    port, leg->dlg.call_id);
	engine_count(e, leg->sgp, REFERD_CTR_DIALOG_REFUSED);
	stack_reply(e, stx, 403, NULL, NULL);
	return 1;
}

/* A request that started a server transaction, to its method's handler. */
static void
on_request(struct engine *e, struct stx *stx, osip_message_t *req)
{
	if (check_peer(e, stx, req))
		return;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(req->sip_method, methods[i].method) == 0) {
			if (!uas_checks(e, stx, req))
				methods[i].handler(e, stx, req);
			return;
		}
	on_other(e, stx, req);
}

/* A response to an INVITE referd sent (to b, or to a transfer target). */
static void
on_invite_response(struct engine *e, struct stx *stx, int type,
    osip_message_t *resp)
{
	struct leg *leg = stx->leg;

	if (leg == NULL) {
		if (type == OSIP_ICT_STATUS_2XX_RECEIVED)
			call_hangup_orphan(e, stx->ep, stx->transport,
			    &stx->dest, resp, 1);
		return;
	}
	/* Any 2xx to referd's INVITE sets the leg's session timer. */
	if (type == OSIP_ICT_STATUS_2XX_RECEIVED)
		timer_uac(e, leg, resp);
	if (rel_on_response(e, leg, resp))
		return;
	if (session_on_result(e, stx, 0, resp))
		return;
	if (leg == &leg->call->x)
		refer_on_x_response(e, leg, resp);
	else if (!leg->is_a)
		call_on_b_response(e, leg, resp);
}

/* A client transaction got no answer (code 408) or could not send (503). */
static void
on_no_answer(struct engine *e, struct stx *stx, int code)
{
	struct leg *leg = stx->leg;

	if (relay_on_result(e, stx, code, NULL) || leg == NULL)
		return;
	if (leg->ping == stx)
		keepalive_result(e, stx, 0);
	else if (session_on_result(e, stx, code, NULL))
		return;
	else if (leg->invite == stx && !leg->is_a)
		call_on_invite_failed(e, leg, code);
}

/* What oSIP2 reported on a transaction, after it returned. */
void
call_on_event(struct engine *e, struct deferred *d)
{
	struct stx *stx = d->stx;
	osip_message_t *msg = d->msg;

	switch (d->type) {
	case OSIP_IST_INVITE_RECEIVED:
	case OSIP_NIST_BYE_RECEIVED:
	case OSIP_NIST_CANCEL_RECEIVED:
	case OSIP_NIST_OPTIONS_RECEIVED:
	case OSIP_NIST_INFO_RECEIVED:
	case OSIP_NIST_NOTIFY_RECEIVED:
	case OSIP_NIST_SUBSCRIBE_RECEIVED:
	case OSIP_NIST_REGISTER_RECEIVED:
	case OSIP_NIST_UNKNOWN_REQUEST_RECEIVED:
		if (msg != NULL && msg->sip_method != NULL)
			on_request(e, stx, msg);
		return;
	case OSIP_ICT_STATUS_1XX_RECEIVED:
	case OSIP_ICT_STATUS_2XX_RECEIVED:
	case OSIP_ICT_STATUS_3XX_RECEIVED:
	case OSIP_ICT_STATUS_4XX_RECEIVED:
	case OSIP_ICT_STATUS_5XX_RECEIVED:
	case OSIP_ICT_STATUS_6XX_RECEIVED:
		if (msg != NULL)
			on_invite_response(e, stx, d->type, msg);
		return;
	case OSIP_NICT_STATUS_TIMEOUT:
		on_no_answer(e, stx, 408);
		return;
	case OSIP_ICT_STATUS_TIMEOUT:
		on_no_answer(e, stx, 408);
		return;
	case STX_TRANSPORT_ERROR:
		on_no_answer(e, stx, 503);
		return;
	case OSIP_NICT_STATUS_2XX_RECEIVED:
	case OSIP_NICT_STATUS_3XX_RECEIVED:
	case OSIP_NICT_STATUS_4XX_RECEIVED:
	case OSIP_NICT_STATUS_5XX_RECEIVED:
	case OSIP_NICT_STATUS_6XX_RECEIVED:
		if (msg != NULL && relay_on_result(e, stx, 0, msg))
			return;
		if (msg != NULL && stx->leg != NULL && stx->leg->ping == stx)
			keepalive_result(e, stx, msg->status_code);
		else if (msg != NULL && session_on_result(e, stx, 0, msg))
			return;
		else if (msg != NULL)
			sub_on_response(e, stx, msg->status_code);
		return;
	default:
		return;   /* responses to our BYE/CANCEL, ACK of non-2xx */
	}
}

/* A message with no transaction: the ACK of a 2xx, or a resent 2xx. */
void
call_on_stray(struct engine *e, struct endpoint *ep, int transport,
    const struct addr *src, osip_message_t *msg)
{
	struct leg *leg = leg_find(e, msg);
	int invite_2xx = MSG_IS_RESPONSE(msg) && msg->status_code >= 200 &&
	    msg->status_code < 300 && msg->cseq->method != NULL &&
	    strcmp(msg->cseq->method, "INVITE") == 0;

	if (leg == NULL) {
		/* A 2xx retransmitted for an orphan INVITE: ACKed again. */
		if (invite_2xx && stack_branch_is_ours(e, msg))
			call_hangup_orphan(e, ep, transport, src, msg, 0);
		return;
	}
	/* Only the dialog's peer acks or repeats a 2xx (check_peer). */
	if (!leg_from_peer(e, leg, src)) {
		if (MSG_IS_ACK(msg))
			engine_count(e, leg->sgp, REFERD_CTR_DIALOG_REFUSED);
		return;
	}
	if (MSG_IS_ACK(msg)) {
		session_on_ack(e, leg, msg);
		return;
	}
	if (invite_2xx && !leg->is_a && leg->dlg.remote_tag != NULL &&
	    header_tag(msg->to) != NULL &&
	    strcmp(header_tag(msg->to), leg->dlg.remote_tag) != 0) {
		/*
		 * Another fork's 2xx (RFC 3261 13.2.2.4): its own dialog, ACKed
		 * with its own tag and ended with a BYE at once; a repeat of it
		 * is ACKed again only.  The call goes on with the first.
		 */
		int again = leg->fork_tag != NULL &&
		    strcmp(leg->fork_tag, header_tag(msg->to)) == 0;

		if (!again) {
			free(leg->fork_tag);
			leg->fork_tag = strdup(header_tag(msg->to));
		}
		call_hangup_orphan(e, ep, transport, src, msg, !again);
		return;
	}
	if (invite_2xx)
		dialog_reack(e, leg, (unsigned)strtoul(msg->cseq->number, NULL,
		    10));
}
