/*
 * dialog.c: a leg's SIP dialog (RFC 3261 12): made from the request
 * referd answers or from the responses to the INVITE it sent, checked
 * against every in-dialog request that arrives, and the source of every
 * in-dialog request referd sends (ACK, BYE, CANCEL, NOTIFY, OPTIONS),
 * which go through the one builder (build.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_port.h>

#include "internal.h"

static const char *const state_names[] = {
	"none", "early", "confirmed", "terminated"
};

/* Move a leg's dialog to state s; the one place that changes it. */
void
dialog_set_state(struct engine *e, struct leg *leg, enum dialog_state s)
{
	if (leg->dlg.state == s)
		return;
	if (e->debug)
		engine_log(e, ENGINE_LOG_DEBUG, "dialog %s: %s -> %s",
		    leg->dlg.call_id ? leg->dlg.call_id : "-",
		    state_names[leg->dlg.state], state_names[s]);
	leg->dlg.state = s;
	if (s == DLG_TERMINATED)
		timer_stop(e, leg);
}

/* Is a leg's dialog in state s? */
int
dialog_is(const struct leg *leg, enum dialog_state s)
{
	return leg->dlg.state == s;
}

/*
 * The dialog of a request referd answers as UAS (an INVITE, or an INVITE
 * with Replaces): its Call-ID, the peer's tag, URI, Contact and Record-
 * Route, its CSeq, and a new local tag.  0, or ENOMEM.
 */
int
dialog_from_request(struct engine *e, struct leg *leg,
    const osip_message_t *req)
{
	struct dialog *d = &leg->dlg;
	char buf[512], tag[32];

	if (callid_text(req, buf, sizeof(buf)) != 0)
		return EINVAL;
	d->call_id = strdup(buf);
	stack_new_tag(e, tag, sizeof(tag));
	d->local_tag = strdup(tag);
	d->remote_tag = header_tag(req->from) ?
	    strdup(header_tag(req->from)) : NULL;
	d->local_uri = name_addr(req->to);
	d->remote_uri = name_addr(req->from);
	d->remote_target = contact_uri(req);
	d->route_set = route_set_of(req, 0);
	d->remote_cseq = (unsigned)strtoul(req->cseq->number, NULL, 10);
	return d->call_id && d->local_tag && d->local_uri && d->remote_uri ?
	    0 : ENOMEM;
}

/*
 * A response to the INVITE referd sent on a leg: a provisional one with a
 * To tag makes the dialog early; a 2xx makes it the 2xx's (its To tag,
 * Contact and reversed Record-Route: a fork may answer with another tag
 * than the one that rang) and confirms it.
 */
void
dialog_on_response(struct engine *e, struct leg *leg,
    const osip_message_t *resp)
{
	struct dialog *d = &leg->dlg;
	const char *tag = header_tag(resp->to);
	int code = resp->status_code;

	if (code > 100 && code < 300 && osip_list_size(&resp->allows) > 0)
		leg->allow_update = msg_allows(resp, "UPDATE");
	if (code < 200) {
		char *target;

		if (tag != NULL && d->remote_tag == NULL)
			d->remote_tag = strdup(tag);
		if (tag != NULL && code > 100 && dialog_is(leg, DLG_NONE))
			dialog_set_state(e, leg, DLG_EARLY);
		/* The early dialog's target and route set (RFC 3261 12.1.2):
		 * where a PRACK or an UPDATE in it goes. */
		if (tag == NULL || code == 100 || !dialog_is(leg, DLG_EARLY) ||
		    (target = contact_uri(resp)) == NULL)
			return;
		free(d->remote_target);
		d->remote_target = target;
		free(d->route_set);
		d->route_set = route_set_of(resp, 1);
		return;
	}
	if (code >= 300)
		return;
	if (tag != NULL) {
		free(d->remote_tag);
		d->remote_tag = strdup(tag);
	}
	free(d->remote_target);
	d->remote_target = contact_uri(resp);
	free(d->route_set);
	d->route_set = route_set_of(resp, 1);
	dialog_set_state(e, leg, DLG_CONFIRMED);
}

/*
 * Does an in-dialog request belong to this leg's dialog, in order?
 * 0 (and the remote CSeq taken), or the status to refuse it with: 481 for
 * another dialog's tags, 500 for a CSeq lower than the last one
 * (RFC 3261 12.2.2; ACK and CANCEL repeat their INVITE's).
 */
int
dialog_check(struct leg *leg, const osip_message_t *req)
{
	struct dialog *d = &leg->dlg;
	const char *to = header_tag(req->to), *from = header_tag(req->from);
	unsigned cseq;

	if (to == NULL || d->local_tag == NULL || strcmp(to, d->local_tag) != 0 ||
	    (d->remote_tag != NULL && (from == NULL ||
	    strcmp(from, d->remote_tag) != 0)))
		return 481;
	if (MSG_IS_ACK(req) || MSG_IS_CANCEL(req))
		return 0;
	cseq = (unsigned)strtoul(req->cseq->number, NULL, 10);
	if (d->remote_cseq != 0 && cseq < d->remote_cseq)
		return 500;
	d->remote_cseq = cseq;
	return 0;
}

/* Free what a dialog holds, and forget it. */
void
dialog_clear(struct dialog *d)
{
	free(d->call_id);
	free(d->local_tag);
	free(d->remote_tag);
	free(d->local_uri);
	free(d->remote_uri);
	free(d->remote_target);
	free(d->route_set);
	memset(d, 0, sizeof(*d));
}

/*
 * A request in a leg's dialog (the next local CSeq), with more headers and
 * a body if given; parsed, for a transaction.  NULL if it cannot be built.
 */
osip_message_t *
dialog_request(struct engine *e, struct leg *leg, const char *method,
    const struct msg_hdr *hdrs, const char *content_type, const char *body)
{
	struct msg_req r = {
		.method = method, .leg = leg, .in_dialog = 1,
		.cseq = ++leg->dlg.local_cseq, .content_type = content_type,
		.body = body,
	};

	int n = 0;

	for (; hdrs != NULL && n < MSG_HDRS_MAX && hdrs[n].name; n++)
		r.hdrs[n] = hdrs[n];
	/* A BYE that ends the call after a party's carries its Reason; one
	 * that ends it for referd's own reason, that (RFC 3326). */
	if (leg->call != NULL && leg->call->ending != NULL) {
		r.relay = leg->call->ending;
		r.relay_sgp = leg->call->ending_sgp;
	} else if (leg->call != NULL && leg->call->own_reason[0] != '\0' &&
	    strcmp(method, "BYE") == 0 && n < MSG_HDRS_MAX) {
		r.hdrs[n].name = "Reason";
		r.hdrs[n].value = leg->call->own_reason;
	}
	if (strcmp(method, "NOTIFY") == 0)
		r.contact_user = "referd";
	return msg_request(e, &r);
}

/*
 * Where a request in a leg's dialog goes (RFC 3261 12.2.1.1, 8.1.2): the
 * first Route's address when the dialog has a route set (loose routing),
 * else the remote target's.  The leg's peer (the gateway, or where its
 * INVITE came from) when the dialog has no remote target yet (the INVITE
 * that starts it, its CANCEL), or when that URI's host is a name rather
 * than an IP literal: referd resolves no names on its engine thread.  The
 * leg keeps its transport (a transport= parameter is not followed); over
 * a connection (TCP) a target on the peer's host is reached through the
 * peer's connection, as its requests came.
 */
void
dialog_dest(const struct leg *leg, struct addr *out)
{
	const struct dialog *d = &leg->dlg;
	const char *uri = d->route_set ? d->route_set : d->remote_target;

	if (uri == NULL || uri_addr(uri, out) != 0 ||
	    (transport_reliable(leg->transport) && same_host(out, &leg->peer)))
		*out = leg->peer;
}

/* Send BYE on a confirmed leg (fire and forget: its NICT has no owner). */
void
dialog_bye(struct engine *e, struct leg *leg)
{
	osip_message_t *bye;

	if (!dialog_is(leg, DLG_CONFIRMED) || leg->ep == NULL)
		return;
	dialog_set_state(e, leg, DLG_TERMINATED);
	bye = dialog_request(e, leg, "BYE", NULL, NULL, NULL);
	if (bye != NULL)
		stack_send_request(e, leg, bye, NULL);
}

/*
 * ACK a 2xx to the INVITE with CSeq cseq, with sdp (the answer to an offer
 * in that 2xx) if given: sent directly as text (no transaction, RFC 3261
 * 17.1.1.3), and kept, to be sent again for a retransmitted 2xx.
 */
void
dialog_ack(struct engine *e, struct leg *leg, unsigned cseq, const char *sdp)
{
	struct msg_req r = {
		.method = "ACK", .leg = leg, .in_dialog = 1, .cseq = cseq,
		.content_type = sdp ? "application/sdp" : NULL, .body = sdp,
	};
	char *ack = msg_request_text(e, &r);
	struct addr to;

	if (ack == NULL)
		return;
	dialog_dest(leg, &to);
	transport_send(e, leg->ep, leg->transport, &to, ack, strlen(ack));
	free(leg->ack_text);
	leg->ack_text = ack;
	leg->ack_cseq = cseq;
}

/*
 * A 2xx to the INVITE with CSeq cseq came again: the same ACK again (none
 * while referd still waits for the answer it is to carry).
 */
void
dialog_reack(struct engine *e, struct leg *leg, unsigned cseq)
{
	if (leg->ack_hold && leg->ack_cseq == cseq)
		return;
	if (leg->ack_text != NULL && leg->ack_cseq == cseq) {
		struct addr to;

		dialog_dest(leg, &to);
		transport_send(e, leg->ep, leg->transport, &to,
		    leg->ack_text, strlen(leg->ack_text));
		return;
	}
	dialog_ack(e, leg, cseq, NULL);
}

/* CANCEL the INVITE of a leg: same Request-URI, Via branch, CSeq number. */
void
dialog_cancel(struct engine *e, struct leg *leg)
{
	/* A CANCEL's Request-URI is the INVITE's and its To has no tag, even
	 * when a provisional response had one (RFC 3261 9.1). */
	struct msg_req r = {
		.method = "CANCEL", .ruri = leg->invite_ruri, .leg = leg,
		.cseq = leg->invite_cseq, .branch = leg->invite_branch,
	};
	osip_message_t *cancel;

	if (leg->call != NULL && leg->call->ending != NULL) {
		r.relay = leg->call->ending;
		r.relay_sgp = leg->call->ending_sgp;
	}

	if (leg->invite_ruri == NULL || leg->invite_branch == NULL)
		return;
	if ((cancel = msg_request(e, &r)) != NULL)
		stack_send_request(e, leg, cancel, NULL);
}
