/*
 * stack.c: oSIP2's transaction state machines, driven from the engine's
 * libev loop: the receive path, and sending requests and responses.
 *
 * referd keeps its own index of transactions (stx.c) and hands each
 * incoming message straight to its transaction with
 * osip_transaction_execute(), so that no lookup walks oSIP2's lists.
 * oSIP2's callbacks only record what happened (struct deferred); the call
 * logic runs after oSIP2 has returned, because nothing may execute a
 * transaction or free one from inside a callback.  A transaction that
 * terminates is taken out of oSIP2's lists in the kill callback and freed
 * at the end of the loop iteration (stack_reap).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_port.h>

#include "internal.h"

/* Record an oSIP2 callback for after oSIP2 returns. */
void
stack_defer(struct engine *e, int type, osip_transaction_t *tr, osip_message_t *msg)
{
	struct deferred *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return;
	d->type = type;
	d->stx = osip_transaction_get_reserved2(tr);
	d->msg = msg;
	if (e->deferred_tail)
		e->deferred_tail->next = d;
	else
		e->deferred = d;
	e->deferred_tail = d;
}

/* Run the call logic for everything oSIP2 reported. */
void
stack_drain(struct engine *e)
{
	struct deferred *d;

	while ((d = e->deferred) != NULL) {
		e->deferred = d->next;
		if (e->deferred == NULL)
			e->deferred_tail = NULL;
		if (d->stx != NULL && d->type == STX_KILLED)
			call_kill_stx(e, d->stx);
		else if (d->stx != NULL)
			call_on_event(e, d);
		free(d);
	}
}

static void
cb_message(int type, osip_transaction_t *tr, osip_message_t *msg)
{
	stack_defer(osip_transaction_get_reserved3(tr), type, tr, msg);
}

/* Kill callback: out of oSIP2's lists now, freed by stack_reap. */
static void
cb_kill(int type, osip_transaction_t *tr)
{
	struct engine *e = osip_transaction_get_reserved3(tr);
	struct stx *s = osip_transaction_get_reserved2(tr);

	osip_remove_transaction(e->osip, tr);
	if (s == NULL || s->dead)
		return;
	s->dead = 1;
	ev_timer_stop(e->loop, &s->timer);
	stx_unindex(e, s);
	/* The leg learns of it after the events queued before it. */
	stack_defer(e, STX_KILLED, tr, NULL);
	s->reap_next = e->stx_reap;
	e->stx_reap = s;
}

/* Timer B/F expiry and transport errors arrive as deferred events too. */
static void
cb_transport_error(int type, osip_transaction_t *tr, int error)
{
	stack_defer(osip_transaction_get_reserved3(tr), STX_TRANSPORT_ERROR, tr, NULL);
}

/* oSIP2 wants a message sent: to the transaction's own destination. */
static int
cb_send(osip_transaction_t *tr, osip_message_t *msg, char *host, int port,
    int out_socket)
{
	struct engine *e = osip_transaction_get_reserved3(tr);
	struct stx *s = osip_transaction_get_reserved2(tr);
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (s == NULL)
		return -1;
	msg_outgoing(msg);
	if (msg_to_wire(msg, &buf, &len) != 0)
		return -1;
	rc = transport_send(e, s->ep, s->transport, &s->dest, buf, len);
	osip_free(buf);
	return rc ? -1 : 0;
}

/* oSIP2's trace output goes to referd's log, warnings and worse only. */
static struct engine *trace_engine;

static void
trace_func(const char *fi, int li, osip_trace_level_t level, const char *fmt,
    va_list ap)
{
	char buf[400];

	if (trace_engine == NULL || level > OSIP_WARNING)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\r\n")] = '\0';
	engine_log(trace_engine, ENGINE_LOG_DEBUG, "osip %s:%d: %s", fi, li, buf);
}

int
stack_init(struct engine *e)
{
	static const int ict[] = { OSIP_ICT_STATUS_1XX_RECEIVED,
	    OSIP_ICT_STATUS_2XX_RECEIVED, OSIP_ICT_STATUS_3XX_RECEIVED,
	    OSIP_ICT_STATUS_4XX_RECEIVED, OSIP_ICT_STATUS_5XX_RECEIVED,
	    OSIP_ICT_STATUS_6XX_RECEIVED, OSIP_IST_INVITE_RECEIVED,
	    OSIP_IST_ACK_RECEIVED, OSIP_NICT_STATUS_2XX_RECEIVED,
	    OSIP_NICT_STATUS_3XX_RECEIVED, OSIP_NICT_STATUS_4XX_RECEIVED,
	    OSIP_NICT_STATUS_5XX_RECEIVED, OSIP_NICT_STATUS_6XX_RECEIVED,
	    OSIP_NIST_BYE_RECEIVED, OSIP_NIST_OPTIONS_RECEIVED,
	    OSIP_NIST_INFO_RECEIVED, OSIP_NIST_CANCEL_RECEIVED,
	    OSIP_NIST_NOTIFY_RECEIVED, OSIP_NIST_SUBSCRIBE_RECEIVED,
	    OSIP_NIST_REGISTER_RECEIVED, OSIP_NIST_UNKNOWN_REQUEST_RECEIVED,
	    OSIP_ICT_STATUS_TIMEOUT, OSIP_NICT_STATUS_TIMEOUT };

	if (osip_init(&e->osip) != 0)
		return ENOMEM;
	trace_engine = e;
	/* Only the levels logged: oSIP2 formats a trace before calling us. */
	osip_trace_initialize_func(OSIP_INFO1, trace_func);
	osip_set_application_context(e->osip, e);
	osip_set_cb_send_message(e->osip, cb_send);
	for (size_t i = 0; i < sizeof(ict) / sizeof(ict[0]); i++)
		osip_set_message_callback(e->osip, ict[i], cb_message);
	for (int k = 0; k < OSIP_KILL_CALLBACK_COUNT; k++)
		osip_set_kill_transaction_callback(e->osip, k, cb_kill);
	for (int k = 0; k < OSIP_TRANSPORT_ERROR_CALLBACK_COUNT; k++)
		osip_set_transport_error_callback(e->osip, k, cb_transport_error);
	return 0;
}

void
stack_free(struct engine *e)
{
	if (e->osip == NULL)
		return;
	e->stx_settle = NULL;    /* all of them are in the index */
	for (unsigned b = 0; b < STX_BUCKETS; b++)
		while (e->stx_hash[b] != NULL) {
			struct stx *s = e->stx_hash[b];

			e->stx_hash[b] = s->hnext;
			ev_timer_stop(e->loop, &s->timer);
			s->ep = NULL;   /* transport_close_all freed them */
			stx_free(e, s);
		}
	stack_reap(e);
	while (e->deferred) {
		struct deferred *d = e->deferred;

		e->deferred = d->next;
		free(d);
	}
	e->deferred_tail = NULL;
	osip_release(e->osip);
	e->osip = NULL;
	trace_engine = NULL;
}

/* Reply statelessly to a request no transaction could take (400). */
static void
reply_stateless(struct engine *e, struct endpoint *ep, int transport,
    const struct addr *src, osip_message_t *req, int code)
{
	osip_message_t *resp = msg_response_stateless(e, req, code);

	if (resp != NULL)
		stack_send_raw(e, ep, transport, src, resp);
	osip_message_free(resp);
}

/*
 * Answer a request statelessly from its own header lines (syntax.c): for
 * one that is malformed, or that oSIP2 could not parse.  An ACK is never
 * answered.
 */
static void
reply_raw(struct engine *e, struct endpoint *ep, int transport,
    const struct addr *src, const char *buf, size_t len,
    const struct syntax *sx, int code)
{
	size_t n;
	char *text;

	if (sx->response || sx->ack)
		return;
	if ((text = syntax_reply(e, buf, len, code, sx->why, &n)) != NULL)
		transport_send(e, ep, transport, src, text, n);
	free(text);
}

/*
 * What is wrong with a message osip_parse() accepted that syntax_check()
 * does not see, as the status a request gets (0: nothing): RFC 3261 8.2,
 * RFC 4475 3.1.2.16-18.
 *   505  a SIP version other than 2.0;
 *   400  a CSeq method that is not the request's.
 */
static int
message_fault(const osip_message_t *msg)
{
	if (msg->sip_version == NULL ||
	    strcasecmp(msg->sip_version, "SIP/2.0") != 0)
		return 505;
	if (MSG_IS_REQUEST(msg) && (msg->sip_method == NULL ||
	    strcasecmp(msg->sip_method, msg->cseq->method) != 0))
		return 400;
	return 0;
}

/*
 * Keep the text of a message whose body and headers referd carries to the
 * other party as they came (relay.c: INFO, MESSAGE and their responses),
 * as oSIP2's `message` of it: body_raw() and header_raw() read it there.
 * Only for these: oSIP2 keeps no text of what it parses, and a copy of
 * every message would cost every call.
 */
static void
keep_text(osip_message_t *msg, const char *buf, size_t len)
{
	const char *m = MSG_IS_REQUEST(msg) ? msg->sip_method :
	    msg->cseq != NULL ? msg->cseq->method : NULL;

	if (m == NULL || (strcmp(m, "INFO") != 0 && strcmp(m, "MESSAGE") != 0) ||
	    msg->message != NULL || (msg->message = osip_malloc(len + 1)) == NULL)
		return;
	memcpy(msg->message, buf, len);
	msg->message[len] = '\0';
	msg->message_length = len;
}

/*
 * A message as it came: checked (syntax.c), parsed, and answered 400
 * statelessly when it is malformed or lacks what a response needs;
 * dropped when no response can be formed.  NULL when it is done with.
 */
static osip_event_t *
receive_parse(struct engine *e, struct endpoint *ep, int transport,
    const struct addr *src, const char *buf, size_t len)
{
	struct syntax sx;
	osip_event_t *evt;
	osip_message_t *msg;

	syntax_check(buf, len, transport_reliable(transport), &sx);
	if (sx.code != 0) {
		if (sx.code > 0)
			reply_raw(e, ep, transport, src, buf, len, &sx, sx.code);
		return NULL;
	}
	evt = osip_parse(sx.fixed ? sx.fixed : buf, len);
	if (evt != NULL && evt->sip != NULL)
		keep_text(evt->sip, sx.fixed ? sx.fixed : buf, len);
	free(sx.fixed);
	if (evt == NULL || evt->sip == NULL) {
		/* What oSIP2 cannot parse is answered from its own lines. */
		sx.why = "a request referd cannot parse";
		reply_raw(e, ep, transport, src, buf, len, &sx, 400);
		if (evt)
			osip_event_free(evt);
		return NULL;
	}
	msg = evt->sip;
	if (msg->call_id == NULL || msg->cseq == NULL || msg->from == NULL ||
	    msg->to == NULL || osip_list_size(&msg->vias) < 1 ||
	    msg->cseq->method == NULL || msg->cseq->number == NULL) {
		sx.why = "a header every request has is missing";
		reply_raw(e, ep, transport, src, buf, len, &sx, 400);
		osip_event_free(evt);
		return NULL;
	}
	{
		int code = message_fault(msg);

		if (code != 0) {
			/* A response is dropped; so is an ACK (no answer). */
			if (MSG_IS_REQUEST(msg) && !MSG_IS_ACK(msg))
				reply_stateless(e, ep, transport, src, msg, code);
			osip_event_free(evt);
			return NULL;
		}
	}
	return evt;
}

void
stack_receive(struct engine *e, struct endpoint *ep, int transport,
    const struct addr *src, const char *buf, size_t len)
{
	osip_event_t *evt = receive_parse(e, ep, transport, src, buf, len);
	osip_message_t *msg;
	struct stx *stx;
	char host[INET6_ADDRSTRLEN], *key;
	int port;

	if (evt == NULL)
		return;
	msg = evt->sip;
	/*
	 * An ACK is never answered: a "response" to one would otherwise reach
	 * the INVITE client transaction it shares a branch with, which takes
	 * it for a retransmitted final response and sends the ACK again, for
	 * every such response (an ACK storm).  Dropped.
	 */
	if (MSG_IS_RESPONSE(msg) && strcasecmp(msg->cseq->method, "ACK") == 0) {
		osip_event_free(evt);
		return;
	}
	addr_to_text(src, host, sizeof(host), &port);
	if (MSG_IS_REQUEST(msg))
		osip_message_fix_last_via_header(msg, host, port);
	key = stx_key(msg);
	if (key == NULL) {
		if (MSG_IS_REQUEST(msg) && !MSG_IS_ACK(msg))
			reply_stateless(e, ep, transport, src, msg, 400);
		osip_event_free(evt);
		return;
	}
	stx = stx_find(e, key);
	if (stx != NULL && stx->tr == NULL) {
		free(key);
		stx_settled_receive(e, stx, msg);
		osip_event_free(evt);
		return;
	} else if (stx != NULL) {
		free(key);
		osip_transaction_execute(stx->tr, evt);
	} else if (MSG_IS_RESPONSE(msg) || MSG_IS_ACK(msg)) {
		/* A 2xx after its ICT ended, or the ACK for a 2xx. */
		free(key);
		call_on_stray(e, ep, transport, src, msg);
		osip_event_free(evt);
	} else if (leg_absorb(e, msg)) {
		free(key);
		osip_event_free(evt);
	} else {
		osip_transaction_t *tr = NULL;

		if (osip_transaction_init(&tr, MSG_IS_INVITE(msg) ? IST : NIST,
		    e->osip, msg) != 0 || (stx = stx_new(e, tr, key)) == NULL) {
			if (tr)
				osip_transaction_free(tr);
			else
				free(key);
			reply_stateless(e, ep, transport, src, msg, 500);
			osip_event_free(evt);
			return;
		}
		osip_transaction_set_reserved3(tr, e);
		stx->dest = *src;
		stx->ep = ep;
		if (ep != NULL)
			ep->refs++;
		stx->transport = transport;
		osip_transaction_execute(tr, evt);
	}
	stack_drain(e);
	if (stx != NULL)
		stx_arm(e, stx);
}

int
stack_send_response(struct engine *e, struct stx *stx, osip_message_t *resp)
{
	osip_event_t *evt;

	if (stx == NULL || stx->dead || stx->tr == NULL) {
		osip_message_free(resp);
		return ENOENT;
	}
	evt = osip_new_outgoing_sipmessage(resp);
	if (evt == NULL) {
		osip_message_free(resp);
		return ENOMEM;
	}
	evt->transactionid = stx->tr->transactionid;
	osip_transaction_execute(stx->tr, evt);
	stack_drain(e);
	stx_arm(e, stx);
	return 0;
}

/* A response with no body, and one more header if extra_name is set. */
int
stack_reply(struct engine *e, struct stx *stx, int code,
    const char *extra_name, const char *extra_value)
{
	struct msg_resp r = { .hdr = { extra_name, extra_value } };
	osip_message_t *resp;

	if (msg_response(e, stx, code, &r, &resp) != 0)
		return ENOMEM;
	return stack_send_response(e, stx, resp);
}

int
stack_send_request(struct engine *e, struct leg *leg, osip_message_t *req,
    struct stx **stxp)
{
	osip_transaction_t *tr = NULL;
	osip_event_t *evt;
	struct stx *stx;
	char *key = stx_key(req);

	if (key == NULL) {
		osip_message_free(req);
		return EINVAL;
	}
	if (osip_transaction_init(&tr, MSG_IS_INVITE(req) ? ICT : NICT,
	    e->osip, req) != 0) {
		free(key);
		osip_message_free(req);
		return ENOMEM;
	}
	if ((stx = stx_new(e, tr, key)) == NULL) {
		osip_transaction_free(tr);
		osip_message_free(req);
		return ENOMEM;
	}
	osip_transaction_set_reserved3(tr, e);
	stx->leg = stxp ? leg : NULL;    /* owned only if the leg keeps it */
	/* An in-dialog request goes to the dialog's target; the INVITE that
	 * starts a dialog, and its CANCEL, to the leg's peer. */
	if (MSG_IS_CANCEL(req))
		stx->dest = leg->peer;
	else
		dialog_dest(leg, &stx->dest);
	stx->ep = leg->ep;
	if (stx->ep != NULL)
		stx->ep->refs++;
	stx->transport = leg->transport;
	evt = osip_new_outgoing_sipmessage(req);
	if (evt == NULL) {
		osip_message_free(req);
		return ENOMEM;
	}
	evt->transactionid = tr->transactionid;
	if (stxp)
		*stxp = stx;
	osip_transaction_execute(tr, evt);
	stack_drain(e);
	stx_arm(e, stx);
	return 0;
}

int
stack_send_raw(struct engine *e, struct endpoint *ep, int transport,
    const struct addr *to, osip_message_t *msg)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (msg_to_wire(msg, &buf, &len) != 0)
		return ENOMEM;
	rc = transport_send(e, ep, transport, to, buf, len);
	osip_free(buf);
	return rc;
}

