/*
 * call.c: the B2BUA.  A call has two legs: `a` towards the caller (referd
 * is its UAS) and `b` towards the called gateway (referd is its UAC).
 * Each leg has its own Call-ID, tags, CSeq, Contact and media port; the
 * only things carried across are the dialled number, the From/To URIs,
 * the codecs of the SDP, and the responses' status codes.
 *
 * Everything here runs on the engine thread, after oSIP2 has returned
 * (see stack.c).  A call is released by call_release(), which stops its
 * timers and media and puts it on the reap list; engine_reap() frees it
 * at the end of the loop iteration.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_port.h>

#include "internal.h"

#define ALLOW_BASIC "INVITE, ACK, CANCEL, BYE, OPTIONS"
#define ALLOW_REFER ALLOW_BASIC ", REFER, NOTIFY"

/* Does profile sgp act on REFER (an active row with support enabled)? */
static int
refer_enabled(const struct referd_config *cfg, uint32_t sgp)
{
	const struct referd_refer *r = referd_config_refer(cfg, sgp);

	return r != NULL && r->status == REFERD_RS_ACTIVE &&
	    r->support == REFERD_ENABLED;
}

/* The Allow header of a leg: REFER only where its profile enables it. */
const char *
leg_allow(struct engine *e, const struct leg *leg)
{
	return refer_enabled(e->current, leg->sgp) ? ALLOW_REFER : ALLOW_BASIC;
}

/*
 * Supported: replaces (RFC 3891) and norefersub (RFC 4488), only where
 * the leg's profile enables REFER, since both are handled only there.
 */
#define SUPPORTED_REFER "replaces, norefersub"

static const char *
leg_supported(struct engine *e, const struct leg *leg)
{
	return refer_enabled(e->current, leg->sgp) ? SUPPORTED_REFER : NULL;
}
#define T1 0.5
#define T2 4.0


static void on_da_timer(struct ev_loop *loop, ev_timer *w, int revents);
static void on_da_refresh(struct ev_loop *loop, ev_timer *w, int revents);
static void on_keepalive(struct ev_loop *loop, ev_timer *w, int revents);
static void leg_gone(struct engine *e, struct leg *leg);
static int reply_a(struct engine *e, struct call *c, int code,
    const char *sdp, const char *extra_name, const char *extra_value);

/* ---- small helpers --------------------------------------------------- */

/*
 * The value of the first header named name (or its compact form), and
 * in *countp how many such headers the message has (countp may be NULL).
 */
const char *
header_first(const osip_message_t *msg, const char *name, const char *compact,
    int *countp)
{
	const char *names[2] = { name, compact };
	const char *first = NULL;
	osip_header_t *h = NULL;
	int n = 0;

	for (int k = 0; k < 2 && names[k] != NULL; k++)
		for (int i = osip_message_header_get_byname(msg, names[k], 0, &h);
		    i >= 0;
		    i = osip_message_header_get_byname(msg, names[k], i + 1, &h)) {
			if (first == NULL)
				first = h->hvalue;
			n++;
		}
	if (countp)
		*countp = n;
	return first;
}

/* "host:port", with brackets around an IPv6 host. */
void
hostport(char *buf, size_t len, const char *host, unsigned port)
{
	if (strchr(host, ':'))
		snprintf(buf, len, "[%s]:%u", host, port);
	else
		snprintf(buf, len, "%s:%u", host, port);
}

/* The tag parameter of a From or To header, or NULL. */
const char *
header_tag(osip_from_t *h)
{
	osip_generic_param_t *tag = NULL;

	if (h == NULL || osip_from_get_tag(h, &tag) != 0 || tag == NULL)
		return NULL;
	return tag->gvalue;
}

/* A From/To header's "display <uri>" without parameters; caller frees. */
char *
name_addr(osip_from_t *h)
{
	char *uri = NULL, *out;
	size_t n;

	if (h == NULL || h->url == NULL || osip_uri_to_str(h->url, &uri) != 0)
		return NULL;
	n = strlen(uri) + (h->displayname ? strlen(h->displayname) : 0) + 8;
	out = malloc(n);
	if (out != NULL)
		snprintf(out, n, "%s%s<%s>", h->displayname ? h->displayname :
		    "", h->displayname ? " " : "", uri);
	osip_free(uri);
	return out;
}

/* The first body of a message as a string, or NULL. */
const char *
body_of(const osip_message_t *msg)
{
	osip_body_t *b = NULL;

	if (osip_message_get_body(msg, 0, &b) < 0 || b == NULL)
		return NULL;
	return b->body;
}

/* The Contact URI of a message, or NULL; caller frees. */
char *
contact_uri(const osip_message_t *msg)
{
	osip_contact_t *ct = NULL;
	char *uri = NULL;

	if (osip_message_get_contact(msg, 0, &ct) < 0 || ct == NULL ||
	    ct->url == NULL || osip_uri_to_str(ct->url, &uri) != 0)
		return NULL;
	{
		char *copy = strdup(uri);

		osip_free(uri);
		return copy;
	}
}

/*
 * The route set a dialog's requests carry (RFC 3261 12.1.1, 12.1.2): the
 * Record-Route values of msg, in order (reverse = 0: referd is the UAS,
 * msg the request) or reversed (reverse = 1: referd is the UAC, msg the
 * response), as one Route header value; NULL when there are none.  Loose
 * routing is assumed (RFC 3261 proxies; strict routers of RFC 2543 are
 * not supported): the Request-URI stays the remote target.
 */
char *
route_set_of(const osip_message_t *msg, int reverse)
{
	int n = osip_list_size(&msg->record_routes);
	size_t len = 0;
	char *out = NULL;

	for (int k = 0; k < n; k++) {
		osip_record_route_t *rr = osip_list_get(&msg->record_routes,
		    reverse ? n - 1 - k : k);
		char *text = NULL, *grown;
		size_t tl;

		if (rr == NULL || osip_record_route_to_str(rr, &text) != 0)
			continue;
		tl = strlen(text);
		grown = realloc(out, len + tl + 3);
		if (grown == NULL) {
			osip_free(text);
			free(out);
			return NULL;
		}
		out = grown;
		if (len) {
			memcpy(out + len, ", ", 2);
			len += 2;
		}
		memcpy(out + len, text, tl + 1);
		len += tl;
		osip_free(text);
	}
	return out;
}

/* The local endpoint's address text and port. */
const char *
ep_host(const struct leg *leg)
{
	return leg->ep->row.address;
}

/* Parse a composed message text into an osip message. */
osip_message_t *
parse_text(const char *text)
{
	osip_message_t *msg = NULL;

	if (osip_message_init(&msg) != 0)
		return NULL;
	if (osip_message_parse(msg, text, strlen(text)) != 0) {
		osip_message_free(msg);
		return NULL;
	}
	return msg;
}

/* ---- calls: index, lookup, publication -------------------------------- */

/* Index a leg by its Call-ID. */
void
leg_index(struct engine *e, struct leg *leg)
{
	unsigned h = hash_str(leg->call_id) % CALL_BUCKETS;

	leg->hnext = e->leg_hash[h];
	e->leg_hash[h] = leg;
	leg->indexed = 1;
}

void
leg_unindex(struct engine *e, struct leg *leg)
{
	struct leg **pp;

	if (!leg->indexed)
		return;
	for (pp = &e->leg_hash[hash_str(leg->call_id) % CALL_BUCKETS]; *pp;
	    pp = &(*pp)->hnext)
		if (*pp == leg) {
			*pp = leg->hnext;
			break;
		}
	leg->indexed = 0;
}

static void
call_index(struct engine *e, struct call *c)
{
	leg_index(e, &c->a);
	leg_index(e, &c->b);
	c->next = e->calls_head;
	if (e->calls_head)
		e->calls_head->prev = c;
	e->calls_head = c;
}

static void
call_unindex(struct engine *e, struct call *c)
{
	leg_unindex(e, &c->a);
	leg_unindex(e, &c->b);
	leg_unindex(e, &c->x);
	if (c->prev)
		c->prev->next = c->next;
	else
		e->calls_head = c->next;
	if (c->next)
		c->next->prev = c->prev;
}

/* A message's Call-ID as text ("number@host"); 0, or EINVAL if none. */
int
callid_text(const osip_message_t *msg, char *buf, size_t len)
{
	if (msg->call_id == NULL || msg->call_id->number == NULL)
		return EINVAL;
	snprintf(buf, len, "%s%s%s", msg->call_id->number,
	    msg->call_id->host ? "@" : "",
	    msg->call_id->host ? msg->call_id->host : "");
	return 0;
}

/* The leg of a live call with this Call-ID, or NULL. */
struct leg *
leg_find_callid(struct engine *e, const char *cid)
{
	for (struct leg *l = e->leg_hash[hash_str(cid) % CALL_BUCKETS]; l;
	    l = l->hnext)
		if (!l->call->dead && strcmp(l->call_id, cid) == 0)
			return l;
	return NULL;
}

/* The leg a message belongs to, by Call-ID. */
struct leg *
leg_find(struct engine *e, const osip_message_t *msg)
{
	char buf[512];

	if (callid_text(msg, buf, sizeof(buf)) != 0)
		return NULL;
	return leg_find_callid(e, buf);
}

void
call_set_state(struct engine *e, struct call *c, enum call_state s)
{
	if (c->state == s)
		return;
	c->state = s;
	engine_calls_changed(e);
}

/* ---- messages -------------------------------------------------------- */

/*
 * The text of a request on a leg's dialog to Request-URI target, with the
 * To tag to_tag (NULL: none), optional extra header lines (each ending in
 * CRLF) and body; caller frees.
 */
static char *
request_text(struct engine *e, struct leg *leg, const char *method,
    const char *target, const char *to_tag, unsigned cseq,
    const char *branch_in, const char *extra, const char *body)
{
	char branch[64], via[96], *text;
	size_t n;

	if (branch_in)
		snprintf(branch, sizeof(branch), "%s", branch_in);
	else
		stack_new_branch(e, branch, sizeof(branch));
	hostport(via, sizeof(via), ep_host(leg), leg->ep->row.port);
	n = strlen(target) * 2 + strlen(leg->local_uri) +
	    strlen(leg->remote_uri) + strlen(leg->call_id) + 512 +
	    strlen(leg->local_tag) + (to_tag ? strlen(to_tag) : 0) +
	    (extra ? strlen(extra) : 0) + (body ? strlen(body) : 0);
	text = malloc(n);
	if (text == NULL)
		return NULL;
	snprintf(text, n,
	    "%s %s SIP/2.0\r\n"
	    "Via: SIP/2.0/%s %s;branch=%s;rport\r\n"
	    "Max-Forwards: 70\r\n"
	    "From: %s;tag=%s\r\n"
	    "To: %s%s%s\r\n"
	    "Call-ID: %s\r\n"
	    "CSeq: %u %s\r\n"
	    "%s"
	    "Content-Length: %zu\r\n\r\n%s",
	    method, target,
	    leg->transport == REFERD_TRANSPORT_TCP ? "TCP" : "UDP", via, branch,
	    leg->local_uri, leg->local_tag,
	    leg->remote_uri, to_tag ? ";tag=" : "", to_tag ? to_tag : "",
	    leg->call_id, cseq, method, extra ? extra : "",
	    body ? strlen(body) : 0, body ? body : "");
	return text;
}

/* The same, parsed, for a transaction; caller frees. */
static osip_message_t *
build_request(struct engine *e, struct leg *leg, const char *method,
    const char *target, const char *to_tag, unsigned cseq,
    const char *branch_in, const char *extra, const char *body)
{
	char *text = request_text(e, leg, method, target, to_tag, cseq,
	    branch_in, extra, body);
	osip_message_t *msg = text ? parse_text(text) : NULL;

	free(text);
	return msg;
}

/*
 * The text of an in-dialog request on a leg: to its Contact, with its
 * peer's tag and the dialog's route set.
 */
static char *
leg_request_text(struct engine *e, struct leg *leg, const char *method,
    unsigned cseq, const char *branch, const char *extra, const char *body)
{
	char *hdrs = NULL, *text;

	if (leg->route_set != NULL &&
	    asprintf(&hdrs, "Route: %s\r\n%s", leg->route_set,
	    extra ? extra : "") < 0)
		return NULL;
	text = request_text(e, leg, method, leg->remote_target ?
	    leg->remote_target : leg->remote_uri, leg->remote_tag, cseq,
	    branch, hdrs ? hdrs : extra, body);
	free(hdrs);
	return text;
}

/* The same, parsed, for a transaction. */
osip_message_t *
leg_request_ex(struct engine *e, struct leg *leg, const char *method,
    unsigned cseq, const char *branch, const char *extra, const char *body)
{
	char *text = leg_request_text(e, leg, method, cseq, branch, extra,
	    body);
	osip_message_t *msg = text ? parse_text(text) : NULL;

	free(text);
	return msg;
}

static osip_message_t *
leg_request(struct engine *e, struct leg *leg, const char *method,
    unsigned cseq, const char *branch_in)
{
	return leg_request_ex(e, leg, method, cseq, branch_in, NULL, NULL);
}

/* Send BYE on a confirmed leg (fire and forget: its NICT has no owner). */
void
leg_bye(struct engine *e, struct leg *leg)
{
	osip_message_t *bye;

	if (!leg->confirmed || leg->ep == NULL)
		return;
	leg->ended = 1;
	bye = leg_request(e, leg, "BYE", ++leg->local_cseq, NULL);
	if (bye != NULL)
		stack_send_request(e, leg, bye, NULL);
	leg->confirmed = 0;
}

/*
 * ACK a 2xx on leg b: sent directly as text (no transaction, RFC 3261
 * 17.1.1.3, so nothing needs it parsed).
 */
void
leg_ack(struct engine *e, struct leg *leg, unsigned cseq)
{
	char *ack = leg_request_text(e, leg, "ACK", cseq, NULL, NULL, NULL);

	if (ack == NULL)
		return;
	transport_send(e, leg->ep, leg->transport, &leg->peer, ack,
	    strlen(ack));
	free(ack);
}

/* CANCEL the INVITE of leg b: same Request-URI, Via branch, CSeq number. */
void
leg_cancel(struct engine *e, struct leg *leg)
{
	osip_message_t *cancel;

	if (leg->invite_ruri == NULL || leg->invite_branch == NULL)
		return;
	/* A CANCEL's Request-URI is the INVITE's and its To has no tag, even
	 * when a provisional response had one (RFC 3261 9.1). */
	cancel = build_request(e, leg, "CANCEL", leg->invite_ruri, NULL,
	    leg->invite_cseq, leg->invite_branch, NULL, NULL);
	if (cancel == NULL)
		return;
	stack_send_request(e, leg, cancel, NULL);
}

/* SDP for a leg: the other side's SDP with this leg's address and port. */
char *
leg_sdp(struct leg *leg, const char *sdp, const char *direction)
{
	char origin[32];

	snprintf(origin, sizeof(origin), "%u", leg->call->index);
	return sdp_rewrite(sdp, ep_host(leg), leg->media.port, origin,
	    ++leg->sdp_version, direction);
}

/* Point a leg's media at the address in its peer's SDP. */
int
leg_learn_media(struct leg *leg, const char *sdp)
{
	char host[INET6_ADDRSTRLEN + 1];
	int port;
	struct addr a;

	if (sdp == NULL || sdp_get_media(sdp, host, sizeof(host), &port) != 0 ||
	    addr_from_text(&a, host, port) != 0)
		return EINVAL;
	media_set_remote(&leg->media, &a);
	return 0;
}

/*
 * Respond on a UAS leg's INVITE transaction (leg a, or a leg that
 * replaced a dialog), with SDP when sdp != NULL.  A 2xx is kept to be
 * resent until the ACK (oSIP2 leaves that to the core).
 */
int
leg_reply(struct engine *e, struct leg *leg, int code, const char *sdp,
    const char *extra_name, const char *extra_value)
{
	struct stx *stx = leg->invite;
	osip_message_t *resp = NULL;
	char contact[160], hp[96];
	int rc;

	if (stx == NULL || stx->dead)
		return ENOENT;
	if ((rc = stack_reply_build(e, stx, code, &resp)) != 0)
		return rc;
	if (extra_name != NULL)
		osip_message_set_header(resp, extra_name, extra_value);
	/* A dialog-creating response copies the request's Record-Route
	 * (RFC 3261 12.1.1). */
	if (code > 100 && code < 300 && stx->tr->orig_request != NULL)
		osip_list_clone(&stx->tr->orig_request->record_routes,
		    &resp->record_routes,
		    (int (*)(void *, void **))&osip_record_route_clone);
	if (code > 100 && code < 300) {
		hostport(hp, sizeof(hp), ep_host(leg), leg->ep->row.port);
		snprintf(contact, sizeof(contact), "<sip:referd@%s%s>", hp,
		    leg->transport == REFERD_TRANSPORT_TCP ?
		    ";transport=tcp" : "");
		osip_message_set_contact(resp, contact);
		osip_message_set_header(resp, "Allow", leg_allow(e, leg));
		if (leg_supported(e, leg))
			osip_message_set_header(resp, "Supported",
			    leg_supported(e, leg));
	}
	if (sdp != NULL) {
		char *body = leg_sdp(leg, sdp, NULL);

		if (body == NULL) {
			osip_message_free(resp);
			return EINVAL;
		}
		osip_message_set_content_type(resp, "application/sdp");
		osip_message_set_body(resp, body, strlen(body));
		free(body);
	} else
		osip_message_set_content_length(resp, "0");
	if (code >= 200 && code < 300) {
		osip_message_free(leg->last_2xx);
		leg->last_2xx = NULL;
		osip_message_clone(resp, &leg->last_2xx);
		leg->confirmed = 1;
		leg->retx_interval = T1;
		leg->retx_start = ev_now(e->loop);
		leg->retx.repeat = T1;
		ev_timer_again(e->loop, &leg->retx);
	}
	return stack_send_response(e, stx, resp);
}

/* Respond on the caller's INVITE. */
static int
reply_a(struct engine *e, struct call *c, int code, const char *sdp,
    const char *extra_name, const char *extra_value)
{
	return leg_reply(e, &c->a, code, sdp, extra_name, extra_value);
}

/* ---- timers ------------------------------------------------------------ */

/* Resend the 2xx to a until its ACK; give up after 64*T1 (RFC 3261 13.3.1.4). */
static void
on_retx(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct leg *leg = w->data;
	struct call *c = leg->call;
	struct engine *e = c->a.media.engine;

	if (leg->last_2xx == NULL)
		return;
	if (ev_now(loop) - leg->retx_start >= 64 * T1) {
		engine_log(e, ENGINE_LOG_WARNING, "call %u: no ACK for 2xx: "
		    "released", c->index);
		leg_bye(e, &c->a);
		leg_bye(e, &c->b);
		leg_bye(e, &c->x);
		call_release(e, c);
		return;
	}
	stack_send_raw(e, leg->ep, leg->transport, &leg->peer, leg->last_2xx);
	leg->retx_interval *= 2;
	w->repeat = leg->retx_interval < T2 ? leg->retx_interval : T2;
	ev_timer_again(loop, w);
}

/*
 * The caller is gone before b answered: CANCEL b now if it sent a
 * provisional response (RFC 3261 9.1: not before), else as soon as it
 * sends one.  The call stays allocated until b's INVITE transaction ends,
 * so that a 2xx racing the CANCEL is still ACKed and hung up.
 */
static void
abandon_b(struct engine *e, struct call *c)
{
	if (c->b.confirmed || c->b.invite == NULL)
		return;
	if (c->b.provisional && c->cancel_pending != 2) {
		leg_cancel(e, &c->b);
		c->cancel_pending = 2;
	} else if (c->cancel_pending == 0)
		c->cancel_pending = 1;
}

/*
 * Timer C: b never gave a final answer.  For a released call it is the
 * guard that ends INVITE transactions a peer never finishes.
 */
static void
on_timer_c(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct call *c = w->data;
	struct engine *e = c->a.media.engine;

	if (c->dead) {
		if (c->b.invite != NULL)
			stack_abandon(e, c->b.invite);
		if (c->x.invite != NULL)
			stack_abandon(e, c->x.invite);
		return;
	}
	engine_log(e, ENGINE_LOG_NOTICE, "call %u: no final answer in %u s: "
	    "cancelled", c->index, e->current->invite_timeout);
	abandon_b(e, c);
	reply_a(e, c, 408, NULL, NULL, NULL);
	call_release(e, c);
}

/* ---- Delayed Answer ------------------------------------------------- */

/* How often the caller hears the 183 again while it waits (under 60 s). */
#define DA_REFRESH 30.

/*
 * Answer the caller now (the transfer target answered, or the Delayed
 * Answer Timer expired): 200 with sdp, the far end's media at A's port.
 */
void
call_answer_delayed(struct engine *e, struct call *c, const char *sdp)
{
	if (!c->da_waiting)
		return;
	c->da_waiting = 0;
	ev_timer_stop(e->loop, &c->da_timer);
	ev_timer_stop(e->loop, &c->da_refresh);
	reply_a(e, c, 200, sdp, NULL, NULL);
}

/* The Delayed Answer Timer: A is answered and connected to B. */
static void
on_da_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct call *c = w->data;
	struct engine *e = c->a.media.engine;
	struct engine_event ev;

	engine_count(e, c->b.sgp, ENGINE_CTR_DA_TIMEOUTS);
	memset(&ev, 0, sizeof(ev));
	ev.type = ENGINE_EV_DA_TIMEOUT;
	ev.index = c->b.sgp;
	ev.call_index = c->index;
	snprintf(ev.call_id, sizeof(ev.call_id), "%s", c->a.call_id);
	snprintf(ev.text, sizeof(ev.text), "call %u: Delayed Answer Timer "
	    "expired: the caller is answered", c->index);
	engine_emit(e, &ev);
	call_answer_delayed(e, c, c->b.remote_sdp);
	if (!c->xfer.active)
		call_set_state(e, c, CALL_CONNECTED);
}

/* The caller hears 183 again: a provisional refresh (RFC 3261 13.3.1.1). */
static void
on_da_refresh(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct call *c = w->data;

	if (c->da_waiting)
		reply_a(c->a.media.engine, c, 183, c->b.remote_sdp, NULL, NULL);
}

/* Does the called side's profile hold the caller in Delayed Answer? */
static const struct referd_refer *
delayed_answer_row(const struct referd_config *cfg, uint32_t sgp)
{
	const struct referd_refer *r = referd_config_refer(cfg, sgp);

	if (r == NULL || r->status != REFERD_RS_ACTIVE ||
	    r->support != REFERD_ENABLED || r->delayed_answer != REFERD_ENABLED)
		return NULL;
	return r;
}

/* ---- call set-up -------------------------------------------------------- */

/*
 * Parse the gateways' addresses of a snapshot once, before it becomes
 * current, so that no request parses them again.  0, or ENOMEM.
 */
int
gateways_sync(struct engine *e, const struct referd_config *cfg)
{
	struct gw_addr *v = cfg->n_gw ? calloc(cfg->n_gw, sizeof(*v)) : NULL;

	if (cfg->n_gw && v == NULL)
		return ENOMEM;
	for (size_t i = 0; i < cfg->n_gw; i++) {
		const struct referd_gw *g = &cfg->gw[i];

		v[i].ok = addr_from_text(&v[i].a, g->address,
		    g->port ? (int)g->port : 5060) == 0;
	}
	free(e->gw_addr);
	e->gw_addr = v;
	return 0;
}

const struct addr *
gateway_addr(const struct engine *e, const struct referd_gw *g)
{
	const struct gw_addr *ga = &e->gw_addr[g - e->current->gw];

	return ga->ok ? &ga->a : NULL;
}

/* The same IP address (the ports aside). */
static int
same_host(const struct addr *x, const struct addr *y)
{
	if (x->ss.ss_family != y->ss.ss_family)
		return 0;
	if (x->ss.ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)&x->ss)->sin_addr,
		    &((const struct sockaddr_in *)&y->ss)->sin_addr, 4) == 0;
	return memcmp(&((const struct sockaddr_in6 *)&x->ss)->sin6_addr,
	    &((const struct sockaddr_in6 *)&y->ss)->sin6_addr, 16) == 0;
}

/* The active gateway a request comes from, or NULL. */
const struct referd_gw *
trusted_gateway(const struct engine *e, const struct addr *src)
{
	const struct referd_config *cfg = e->current;
	int port = ntohs(src->ss.ss_family == AF_INET ?
	    ((const struct sockaddr_in *)&src->ss)->sin_port :
	    ((const struct sockaddr_in6 *)&src->ss)->sin6_port);

	for (size_t i = 0; i < cfg->n_gw; i++) {
		const struct referd_gw *g = &cfg->gw[i];
		const struct addr *ga = gateway_addr(e, g);

		if (g->status == REFERD_RS_ACTIVE && ga != NULL &&
		    same_host(ga, src) && (g->port == 0 || (int)g->port == port))
			return g;
	}
	return NULL;
}

/* The gateway of the longest matching active route, or NULL. */
const struct referd_gw *
route_lookup(const struct referd_config *cfg, const char *user)
{
	const struct referd_route *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < cfg->n_route; i++) {
		const struct referd_route *r = &cfg->route[i];
		const struct referd_gw *g;
		size_t n = strlen(r->prefix);

		if (r->status != REFERD_RS_ACTIVE ||
		    strncmp(user, r->prefix, n) != 0)
			continue;
		g = referd_config_gw(cfg, r->gw_index);
		if (g == NULL || g->status != REFERD_RS_ACTIVE)
			continue;
		if (best == NULL || n > best_len) {
			best = r;
			best_len = n;
		}
	}
	return best ? referd_config_gw(cfg, best->gw_index) : NULL;
}

/*
 * Keep what a CANCEL of the INVITE just built for a leg needs: its
 * Request-URI, Via branch and CSeq number (not the whole message).
 */
int
leg_sent_invite(struct leg *leg, const osip_message_t *inv)
{
	const char *branch = top_branch(inv);
	char *ruri = NULL;

	if (branch == NULL || inv->cseq == NULL ||
	    osip_uri_to_str(inv->req_uri, &ruri) != 0)
		return EINVAL;
	free(leg->invite_ruri);
	free(leg->invite_branch);
	leg->invite_ruri = strdup(ruri);
	leg->invite_branch = strdup(branch);
	leg->invite_cseq = (unsigned)strtoul(inv->cseq->number, NULL, 10);
	osip_free(ruri);
	return leg->invite_ruri && leg->invite_branch ? 0 : ENOMEM;
}

/*
 * Point a new leg (b, or x for a transfer) at a gateway: the local
 * endpoint it uses (held), the gateway's transport and address, and its
 * profile (the endpoint's when the gateway names none).
 */
void
leg_towards(struct leg *leg, struct endpoint *ep, const struct engine *e,
    const struct referd_gw *gw)
{
	const struct addr *ga = gateway_addr(e, gw);

	leg->ep = ep;
	endpoint_hold(ep);
	leg->transport = gw->transport;
	if (ga != NULL)                  /* active rows always parse */
		leg->peer = *ga;
	leg->sgp = gw->sgp_index ? gw->sgp_index : ep->row.sgp_index;
}

/* Free what a leg holds (not its media: call_release does that). */
void
leg_clear(struct leg *leg)
{
	free(leg->call_id);
	free(leg->local_tag);
	free(leg->remote_tag);
	free(leg->local_uri);
	free(leg->remote_uri);
	free(leg->remote_target);
	free(leg->route_set);
	free(leg->remote_sdp);
	osip_message_free(leg->last_2xx);
	free(leg->invite_ruri);
	free(leg->invite_branch);
}

static void
call_free(struct call *c)
{
	leg_clear(&c->a);
	leg_clear(&c->b);
	leg_clear(&c->x);
	free(c->xfer.target);
	free(c->target_uri);
	free(c->caller_uri);
	free(c->callee_uri);
	free(c);
}

/* Build and send the INVITE towards b. */
static int
send_invite_b(struct engine *e, struct call *c, osip_message_t *req,
    const struct referd_gw *gw, const char *user, int max_forwards)
{
	struct leg *b = &c->b;
	char hp_gw[96], hp_us[96], branch[64], *text, *sdp;
	const char *offer = body_of(req);
	osip_message_t *inv;
	size_t n;

	hostport(hp_gw, sizeof(hp_gw), gw->address, gw->port ? gw->port : 5060);
	hostport(hp_us, sizeof(hp_us), ep_host(b), b->ep->row.port);
	stack_new_branch(e, branch, sizeof(branch));
	sdp = leg_sdp(b, offer, NULL);
	if (sdp == NULL)
		return EINVAL;
	n = strlen(sdp) + strlen(b->local_uri) + strlen(b->remote_uri) +
	    strlen(user) + 1024;
	text = malloc(n);
	if (text == NULL) {
		free(sdp);
		return ENOMEM;
	}
	for (int pass = 0; pass < 2; pass++) {
		int tcp = b->transport == REFERD_TRANSPORT_TCP;

		snprintf(text, n,
		    "INVITE sip:%s@%s%s SIP/2.0\r\n"
		    "Via: SIP/2.0/%s %s;branch=%s;rport\r\n"
		    "Max-Forwards: %d\r\n"
		    "From: %s;tag=%s\r\n"
		    "To: %s\r\n"
		    "Call-ID: %s\r\n"
		    "CSeq: 1 INVITE\r\n"
		    "Contact: <sip:referd@%s%s>\r\n"
		    "Allow: %s\r\n"
		    "%s"
		    "Content-Type: application/sdp\r\n"
		    "Content-Length: %zu\r\n\r\n%s",
		    user, hp_gw, tcp ? ";transport=tcp" : "",
		    tcp ? "TCP" : "UDP", hp_us, branch, max_forwards,
		    b->local_uri, b->local_tag, b->remote_uri, b->call_id,
		    hp_us, tcp ? ";transport=tcp" : "", leg_allow(e, b),
		    leg_supported(e, b) ? "Supported: " SUPPORTED_REFER "\r\n" :
		    "",
		    strlen(sdp), sdp);
		/*
		 * RFC 3261 18.1.1: a request within 200 bytes of the path MTU
		 * (1500) goes over TCP when the peer takes TCP; otherwise it
		 * goes over UDP as configured.
		 */
		if (tcp || strlen(text) <= 1300 ||
		    !transport_tcp_reachable(e, b->ep, &b->peer))
			break;
		b->transport = REFERD_TRANSPORT_TCP;
	}
	free(sdp);
	inv = parse_text(text);
	free(text);
	if (inv == NULL)
		return EINVAL;
	b->local_cseq = 1;
	if (leg_sent_invite(b, inv) != 0) {
		osip_message_free(inv);
		return ENOMEM;
	}
	return stack_send_request(e, b, inv, &b->invite);
}

/*
 * A 2xx to an INVITE of ours whose leg is gone: a transfer given up (its
 * CANCEL crossed the target's answer), or any INVITE whose call ended
 * while it was pending.  RFC 3261 13.2.2.4, 15: the 2xx is ACKed, and the
 * dialog it made is ended with a BYE at once (bye = 0: a retransmitted
 * 2xx, ACKed again only).  The dialog is the response's alone: its From
 * is ours, its To the peer's; ACK and BYE go where the 2xx came from.
 */
static void
hangup_orphan(struct engine *e, struct endpoint *ep, int transport,
    const struct addr *to, osip_message_t *resp, int bye)
{
	struct leg l;
	char cid[256];
	unsigned cseq;

	if (ep == NULL || resp->cseq == NULL || resp->cseq->number == NULL ||
	    header_tag(resp->from) == NULL || header_tag(resp->to) == NULL ||
	    callid_text(resp, cid, sizeof(cid)) != 0)
		return;
	memset(&l, 0, sizeof(l));
	l.ep = ep;
	l.transport = transport;
	l.peer = *to;
	l.call_id = strdup(cid);
	l.local_uri = name_addr(resp->from);
	l.local_tag = strdup(header_tag(resp->from));
	l.remote_uri = name_addr(resp->to);
	l.remote_tag = strdup(header_tag(resp->to));
	l.remote_target = contact_uri(resp);
	l.route_set = route_set_of(resp, 1);
	cseq = (unsigned)strtoul(resp->cseq->number, NULL, 10);
	if (l.call_id && l.local_uri && l.local_tag && l.remote_uri &&
	    l.remote_tag) {
		engine_log(e, ENGINE_LOG_NOTICE, "a %d to an INVITE given up "
		    "(Call-ID %s): ACK%s", resp->status_code, cid,
		    bye ? " and BYE" : " again");
		leg_ack(e, &l, cseq);
		if (bye) {
			osip_message_t *req = leg_request(e, &l, "BYE",
			    cseq + 1, NULL);

			if (req != NULL)
				stack_send_request(e, &l, req, NULL);
		}
	}
	leg_clear(&l);
}

/* A new INVITE outside any dialog: trust, route, limit, then call b. */
static void
new_call(struct engine *e, struct stx *stx)
{
	const struct referd_config *cfg = e->current;
	osip_message_t *req = stx->tr->orig_request;
	const struct referd_gw *gwa, *gwb;
	struct call *c;
	const char *user, *offer = body_of(req);
	osip_header_t *mf = NULL;
	int max_forwards = 70;
	char tag[32], cid[96];
	char host[INET6_ADDRSTRLEN];
	int port;

	addr_to_text(&stx->dest, host, sizeof(host), &port);
	if ((gwa = trusted_gateway(e, &stx->dest)) == NULL) {
		engine_log(e, ENGINE_LOG_INFO, "INVITE from %s:%d refused: not "
		    "a gateway", host, port);
		stack_reply(e, stx, 403, NULL, NULL);
		return;
	}
	/* An INVITE with Replaces names one of referd's dialogs. */
	if (replaces_on_invite(e, stx, gwa->sgp_index ? gwa->sgp_index :
	    stx->ep->row.sgp_index))
		return;
	user = req->req_uri && req->req_uri->username ?
	    req->req_uri->username : "";
	if ((gwb = route_lookup(cfg, user)) == NULL) {
		stack_reply(e, stx, 404, NULL, NULL);
		return;
	}
	if (cfg->max_calls != 0 && e->n_live_calls >= cfg->max_calls) {
		stack_reply(e, stx, 503, "Retry-After", "5");
		return;
	}
	if (osip_message_get_max_forwards(req, 0, &mf) >= 0 && mf && mf->hvalue)
		max_forwards = atoi(mf->hvalue);
	if (max_forwards <= 1) {
		stack_reply(e, stx, 483, NULL, NULL);
		return;
	}
	if (offer == NULL || sdp_get_media(offer, host, sizeof(host), &port)) {
		/* referd needs the caller's offer to anchor media. */
		stack_reply(e, stx, 488, "Warning",
		    "399 referd \"an SDP offer in the INVITE is required\"");
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		stack_reply(e, stx, 500, NULL, NULL);
		return;
	}
	c->index = ++e->next_call_index ? e->next_call_index :
	    ++e->next_call_index;
	c->state = CALL_TRYING;
	c->started = ev_now(e->loop);
	c->a.call = c->b.call = c->x.call = c;
	c->a.is_a = 1;
	c->a.partner = &c->b;
	c->b.partner = &c->a;
	c->a.media.rtp_fd = c->a.media.rtcp_fd = -1;
	c->b.media.rtp_fd = c->b.media.rtcp_fd = -1;
	c->x.media.rtp_fd = c->x.media.rtcp_fd = -1;
	/* Leg a: the caller's dialog as it is. */
	c->a.ep = stx->ep;
	endpoint_hold(c->a.ep);
	c->a.transport = stx->transport;
	c->a.peer = stx->dest;
	c->a.sgp = gwa->sgp_index ? gwa->sgp_index : stx->ep->row.sgp_index;
	{
		char buf[512];

		callid_text(req, buf, sizeof(buf));
		c->a.call_id = strdup(buf);
	}
	stack_new_tag(e, tag, sizeof(tag));
	c->a.local_tag = strdup(tag);
	c->a.remote_tag = header_tag(req->from) ?
	    strdup(header_tag(req->from)) : NULL;
	c->a.local_uri = name_addr(req->to);
	c->a.remote_uri = name_addr(req->from);
	c->a.remote_target = contact_uri(req);
	c->a.route_set = route_set_of(req, 0);
	c->a.remote_cseq = (unsigned)strtoul(req->cseq->number, NULL, 10);
	c->a.invite = stx;
	stx->leg = &c->a;
	/* Leg b: a new dialog to the routed gateway. */
	leg_towards(&c->b, stx->ep, e, gwb);
	snprintf(cid, sizeof(cid), "%s-%x@%s", e->node, c->index,
	    ep_host(&c->b));
	c->b.call_id = strdup(cid);
	stack_new_tag(e, tag, sizeof(tag));
	c->b.local_tag = strdup(tag);
	c->b.local_uri = name_addr(req->from);
	c->b.remote_uri = name_addr(req->to);
	c->caller_uri = c->a.remote_uri ? strdup(c->a.remote_uri) : strdup("");
	{
		char *ru = NULL;

		osip_uri_to_str(req->req_uri, &ru);
		c->callee_uri = strdup(ru ? ru : "");
		osip_free(ru);
	}
	if (c->a.call_id == NULL || c->a.local_tag == NULL ||
	    c->a.local_uri == NULL || c->a.remote_uri == NULL ||
	    c->b.call_id == NULL || c->b.local_tag == NULL ||
	    c->b.local_uri == NULL || c->b.remote_uri == NULL ||
	    c->caller_uri == NULL || c->callee_uri == NULL) {
		stack_reply(e, stx, 500, NULL, NULL);
		stx->leg = NULL;
		endpoint_release(e, c->a.ep);
		endpoint_release(e, c->b.ep);
		if (c->x.ep != NULL)
			endpoint_release(e, c->x.ep);
		call_free(c);
		return;
	}
	call_index(e, c);
	e->n_live_calls++;
	atomic_store(&e->active_calls, e->n_live_calls);
	engine_count(e, c->a.sgp, ENGINE_CTR_CALLS_IN);
	ev_init(&c->a.retx, on_retx);
	c->a.retx.data = &c->a;
	ev_init(&c->x.retx, on_retx);
	c->x.retx.data = &c->x;
	ev_init(&c->timer_c, on_timer_c);
	c->timer_c.data = c;
	ev_init(&c->da_timer, on_da_timer);
	c->da_timer.data = c;
	ev_init(&c->da_refresh, on_da_refresh);
	c->da_refresh.data = c;
	/* The keepalive interval is the one in force when the call began. */
	ev_init(&c->keepalive, on_keepalive);
	c->keepalive.data = c;
	if (e->current->dialog_keepalive > 0) {
		c->keepalive.repeat = e->current->dialog_keepalive;
		ev_timer_again(e->loop, &c->keepalive);
	}

	/* The caller hears 100 Trying at once (oSIP2 never sends it). */
	stack_reply(e, stx, 100, NULL, NULL);
	if (media_open(e, &c->a.media, c->a.ep) != 0 ||
	    media_open(e, &c->b.media, c->b.ep) != 0) {
		reply_a(e, c, 503, NULL, "Retry-After", "5");
		call_release(e, c);
		return;
	}
	c->a.media.peer = &c->b.media;
	c->b.media.peer = &c->a.media;
	leg_learn_media(&c->a, offer);
	c->a.remote_sdp = strdup(offer);
	if (send_invite_b(e, c, req, gwb, user, max_forwards - 1) != 0) {
		reply_a(e, c, 500, NULL, NULL, NULL);
		call_release(e, c);
		return;
	}
	engine_count(e, c->b.sgp, ENGINE_CTR_CALLS_OUT);
	c->timer_c.repeat = e->current->invite_timeout;
	ev_timer_again(e->loop, &c->timer_c);
	engine_calls_changed(e);
}

/* ---- dialog keepalive ---------------------------------------------------- */

/*
 * Every dialogKeepalive seconds each established dialog of the call gets
 * an in-dialog OPTIONS (no more than one pending per dialog).  A party
 * that answers anything but 408 or 481 is there; one that answers 481
 * (the dialog is gone), 408, or nothing until Timer F (32 s), or that
 * cannot be reached, has vanished without a BYE: its dialog is ended as
 * if it had sent one, so the call is released by timers, not kept for
 * ever (RFC 3261 section 12.2.1.2, 481; the same probe SBCs use).
 */
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

		if (!l->confirmed || l->ended || l->ep == NULL ||
		    l->ping != NULL)
			continue;
		req = leg_request(e, l, "OPTIONS", ++l->local_cseq, NULL);
		/* A send that failed at once has killed it already. */
		if (req != NULL && stack_send_request(e, l, req, &stx) == 0 &&
		    !stx->dead)
			l->ping = stx;
	}
}

/* The answer to a keepalive (code 0: none came, or it could not be sent). */
static void
keepalive_result(struct engine *e, struct stx *stx, int code)
{
	struct leg *leg = stx->leg;
	struct call *c;

	leg->ping = NULL;
	stx->leg = NULL;
	c = leg->call;
	if ((code != 0 && code != 408 && code != 481) || c->dead ||
	    !leg->confirmed)
		return;
	engine_log(e, ENGINE_LOG_NOTICE, "call %u: the %s %s the keepalive "
	    "OPTIONS: its dialog is ended", c->index, leg == &c->a ?
	    "caller" : leg == &c->b ? "called party" : "transfer target",
	    code == 0 ? "did not answer" : code == 481 ?
	    "answered 481 to" : "answered 408 to");
	leg_gone(e, leg);
}

/* ---- call release ---------------------------------------------------------- */

void
call_release(struct engine *e, struct call *c)
{
	if (c->dead)
		return;
	refer_stop(e, c);
	c->dead = 1;
	ev_timer_stop(e->loop, &c->timer_c);
	ev_timer_stop(e->loop, &c->a.retx);
	ev_timer_stop(e->loop, &c->x.retx);
	ev_timer_stop(e->loop, &c->da_timer);
	ev_timer_stop(e->loop, &c->da_refresh);
	ev_timer_stop(e->loop, &c->keepalive);
	media_close(e, &c->x.media);
	for (struct leg *l = &c->a; l; l = l == &c->a ? &c->b :
	    l == &c->b ? &c->x : NULL)
	{
		if (l->notify != NULL) {
			l->notify->leg = NULL;
			l->notify = NULL;
		}
		if (l->ping != NULL) {
			l->ping->leg = NULL;
			l->ping = NULL;
		}
	}
	media_close(e, &c->a.media);
	media_close(e, &c->b.media);
	if (c->a.invite)
		c->a.invite->leg = NULL;
	c->a.invite = NULL;
	call_unindex(e, c);
	e->n_live_calls--;
	atomic_store(&e->active_calls, e->n_live_calls);
	engine_calls_changed(e);
	/*
	 * INVITE transactions towards b or x still running keep the call
	 * (their 2xx must be ACKed and hung up), under a 64*T1 guard.
	 */
	if (c->b.invite != NULL || c->x.invite != NULL) {
		c->reap_when_idle = 1;
		c->reap_next = e->call_zombies;
		e->call_zombies = c;
		ev_timer_stop(e->loop, &c->timer_c);
		ev_timer_set(&c->timer_c, 64 * T1, 0.);
		ev_timer_start(e->loop, &c->timer_c);
		return;
	}
	c->reap_next = e->call_reap;
	e->call_reap = c;
}

/* At shutdown: calls still waiting for an INVITE transaction go too. */
void
call_free_zombies(struct engine *e)
{
	struct call *c;

	while ((c = e->call_zombies) != NULL) {
		e->call_zombies = c->reap_next;
		ev_timer_stop(e->loop, &c->timer_c);
		if (c->b.invite)
			c->b.invite->leg = NULL;
		if (c->x.invite)
			c->x.invite->leg = NULL;
		c->reap_next = e->call_reap;
		e->call_reap = c;
	}
	call_reap(e);
}

void
call_reap(struct engine *e)
{
	struct call *c;

	while ((c = e->call_reap) != NULL) {
		e->call_reap = c->reap_next;
		endpoint_release(e, c->a.ep);
		endpoint_release(e, c->b.ep);
		if (c->x.ep != NULL)
			endpoint_release(e, c->x.ep);
		call_free(c);
	}
}

void
call_release_all(struct engine *e)
{
	while (e->calls_head != NULL) {
		struct call *c = e->calls_head;

		if (c->a.confirmed)
			leg_bye(e, &c->a);
		else
			reply_a(e, c, 503, NULL, NULL, NULL);
		if (c->b.confirmed)
			leg_bye(e, &c->b);
		else
			abandon_b(e, c);
		call_release(e, c);
	}
}

void
call_kill_stx(struct engine *e, struct stx *stx)
{
	struct leg *leg = stx->leg;

	if (leg == NULL)
		return;
	if (leg->invite == stx)
		leg->invite = NULL;
	if (leg->notify == stx)
		leg->notify = NULL;
	if (leg->ping == stx)
		leg->ping = NULL;
	stx->leg = NULL;
	/* A released call waited for its last INVITE transaction. */
	{
		struct call *c = leg->call;

		if (c->dead && c->reap_when_idle && c->b.invite == NULL &&
		    c->x.invite == NULL) {
			struct call **pp;

			c->reap_when_idle = 0;
			ev_timer_stop(e->loop, &c->timer_c);
			for (pp = &e->call_zombies; *pp; pp = &(*pp)->reap_next)
				if (*pp == c) {
					*pp = c->reap_next;
					break;
				}
			c->reap_next = e->call_reap;
			e->call_reap = c;
		}
	}
}

/* ---- events from the transactions ----------------------------------------- */

/* A response from b to our INVITE. */
static void
on_b_response(struct engine *e, struct leg *b, osip_message_t *resp)
{
	struct call *c = b->call;
	int code = resp->status_code;
	const char *sdp = body_of(resp);
	const struct referd_refer *da;

	if (header_tag(resp->to) && b->remote_tag == NULL)
		b->remote_tag = strdup(header_tag(resp->to));
	if (code < 200) {
		b->provisional = 1;
		if (c->cancel_pending == 1) {
			leg_cancel(e, b);
			c->cancel_pending = 2;
			return;
		}
		if (code == 100 || c->dead || c->cancel_pending)
			return;
		/* Timer C restarts on each provisional (RFC 3261 16.6). */
		ev_timer_again(e->loop, &c->timer_c);
		if (sdp != NULL)
			leg_learn_media(b, sdp);
		call_set_state(e, c, CALL_RINGING);
		reply_a(e, c, code, sdp, NULL, NULL);
		return;
	}
	if (!c->dead)
		ev_timer_stop(e->loop, &c->timer_c);
	if (code < 300) {
		/* The dialog is the 2xx's: its To tag and Contact (a fork may
		 * answer with another tag than the one that rang). */
		if (header_tag(resp->to)) {
			free(b->remote_tag);
			b->remote_tag = strdup(header_tag(resp->to));
		}
		free(b->remote_target);
		b->remote_target = contact_uri(resp);
		free(b->route_set);
		b->route_set = route_set_of(resp, 1);
		b->confirmed = 1;
		leg_ack(e, b, 1);
		if (c->dead || c->cancel_pending || c->a.invite == NULL) {
			/* The caller is gone: hang up the answer. */
			leg_bye(e, b);
			call_release(e, c);
			return;
		}
		if (sdp == NULL || leg_learn_media(b, sdp) != 0) {
			leg_bye(e, b);
			reply_a(e, c, 502, NULL, NULL, NULL);
			call_release(e, c);
			return;
		}
		free(b->remote_sdp);
		b->remote_sdp = strdup(sdp);
		if ((da = delayed_answer_row(e->current, b->sgp)) != NULL) {
			/* Delayed Answer: A hears B (183) but is answered only
			 * when a transfer target answers, or at the timer. */
			c->da_waiting = 1;
			reply_a(e, c, 183, sdp, NULL, NULL);
			ev_timer_set(&c->da_timer, da->da_timer * 60., 0.);
			ev_timer_start(e->loop, &c->da_timer);
			ev_timer_set(&c->da_refresh, DA_REFRESH, DA_REFRESH);
			ev_timer_start(e->loop, &c->da_refresh);
			call_set_state(e, c, CALL_DELAYED_ANSWER);
			return;
		}
		reply_a(e, c, 200, sdp, NULL, NULL);
		call_set_state(e, c, CALL_CONNECTED);
		return;
	}
	/* A failure: the caller gets the same status (oSIP2 ACKs b). */
	if (!c->cancel_pending && !c->dead)
		reply_a(e, c, code, NULL, NULL, NULL);
	call_release(e, c);
}

/* A re-INVITE inside a dialog: answered here; media stays anchored. */
static void
on_reinvite(struct engine *e, struct stx *stx, struct leg *leg)
{
	osip_message_t *req = stx->tr->orig_request, *resp = NULL;
	const char *offer = body_of(req);
	const char *dir = "sendrecv";
	char *body, contact[160], hp[96];

	if (offer != NULL) {
		const char *o = sdp_direction(offer);

		dir = strcmp(o, "sendonly") == 0 ? "recvonly" :
		    strcmp(o, "recvonly") == 0 ? "sendonly" :
		    strcmp(o, "inactive") == 0 ? "inactive" : "sendrecv";
		leg_learn_media(leg, offer);
		free(leg->remote_sdp);
		leg->remote_sdp = strdup(offer);
	}
	if (stack_reply_build(e, stx, 200, &resp) != 0)
		return;
	hostport(hp, sizeof(hp), ep_host(leg), leg->ep->row.port);
	snprintf(contact, sizeof(contact), "<sip:referd@%s>", hp);
	osip_message_set_contact(resp, contact);
	osip_message_set_header(resp, "Allow", leg_allow(e, leg));
	body = offer ? leg_sdp(leg, offer, dir) : NULL;
	if (body != NULL) {
		osip_message_set_content_type(resp, "application/sdp");
		osip_message_set_body(resp, body, strlen(body));
		free(body);
	} else
		osip_message_set_content_length(resp, "0");
	stack_send_response(e, stx, resp);
}

/* Does a request's To tag / From tag belong to this leg's dialog? */
int
in_dialog(const struct leg *leg, const osip_message_t *req)
{
	const char *to = header_tag(req->to), *from = header_tag(req->from);

	return to != NULL && leg->local_tag != NULL &&
	    strcmp(to, leg->local_tag) == 0 &&
	    (leg->remote_tag == NULL || (from && strcmp(from, leg->remote_tag) == 0));
}

/* OPTIONS: 200 with what referd supports (from gateways only). */
static void
on_options(struct engine *e, struct stx *stx)
{
	osip_message_t *resp = NULL;
	const struct referd_gw *gw = trusted_gateway(e, &stx->dest);
	struct leg *leg = leg_find(e, stx->tr->orig_request);
	uint32_t sgp;

	if (gw == NULL && leg == NULL) {
		stack_reply(e, stx, 403, NULL, NULL);
		return;
	}
	sgp = leg ? leg->sgp : gw->sgp_index ? gw->sgp_index :
	    stx->ep->row.sgp_index;
	if (stack_reply_build(e, stx, 200, &resp) != 0)
		return;
	osip_message_set_header(resp, "Allow", refer_enabled(e->current, sgp) ?
	    ALLOW_REFER : ALLOW_BASIC);
	osip_message_set_header(resp, "Accept", "application/sdp");
	if (refer_enabled(e->current, sgp))
		osip_message_set_header(resp, "Supported", SUPPORTED_REFER);
	osip_message_set_content_length(resp, "0");
	stack_send_response(e, stx, resp);
}

/* CANCEL from the caller. */
static void
on_cancel(struct engine *e, struct stx *stx)
{
	osip_message_t *req = stx->tr->orig_request;
	struct leg *a = leg_find(e, req);
	struct call *c;

	if (a == NULL || !a->is_a || a->invite == NULL || a->call->dead) {
		stack_reply(e, stx, 481, NULL, NULL);
		return;
	}
	c = a->call;
	stack_reply(e, stx, 200, NULL, NULL);
	reply_a(e, c, 487, NULL, NULL, NULL);
	abandon_b(e, c);
	/* During Delayed Answer B (and any C) had answered: hang them up. */
	leg_bye(e, &c->b);
	leg_bye(e, &c->x);
	call_release(e, c);
}

/* BYE from either side. */
static void
on_bye(struct engine *e, struct stx *stx)
{
	osip_message_t *req = stx->tr->orig_request;
	struct leg *leg = leg_find(e, req);

	if (leg == NULL || !in_dialog(leg, req)) {
		stack_reply(e, stx, 481, NULL, NULL);
		return;
	}
	stx->leg = NULL;
	stack_reply(e, stx, 200, NULL, NULL);
	leg_gone(e, leg);
}

/*
 * A party's dialog ended (its BYE, or it no longer answers): the call
 * goes on without it where it can (a transferor), else everyone else is
 * released.
 */
static void
leg_gone(struct engine *e, struct leg *leg)
{
	struct call *c = leg->call;

	leg->confirmed = 0;
	leg->ended = 1;
	ev_timer_stop(e->loop, &leg->retx);
	/* The transferor hangs up during the transfer: it goes on, silently. */
	if (c->xfer.active && leg == c->xfer.transferor) {
		c->xfer.sub_dead = 1;
		leg->partner = NULL;
		return;
	}
	/* A transferor still there after its transfer: only its leg ends. */
	if (leg->partner == NULL)
		return;
	/* The survivor or the transfer target: everyone else is released. */
	if (!leg->partner->confirmed && !leg->is_a)
		reply_a(e, c, 487, NULL, NULL, NULL);
	if (leg->is_a && !c->b.confirmed) {
		/* A's BYE on the early dialog ends its INVITE like a CANCEL. */
		reply_a(e, c, 487, NULL, NULL, NULL);
		abandon_b(e, c);
	}
	if (c->a.confirmed)
		leg_bye(e, &c->a);
	if (c->b.confirmed)
		leg_bye(e, &c->b);
	if (c->x.confirmed)
		leg_bye(e, &c->x);
	call_release(e, c);
}

/* Requests referd does not act on: 405 with what it allows, or 481. */
static void
on_other_request(struct engine *e, struct stx *stx)
{
	osip_message_t *req = stx->tr->orig_request;

	if (header_tag(req->to) != NULL && leg_find(e, req) == NULL) {
		stack_reply(e, stx, 481, NULL, NULL);
		return;
	}
	{
		struct leg *leg = leg_find(e, req);

		stack_reply(e, stx, 405, "Allow", leg ? leg_allow(e, leg) :
		    ALLOW_BASIC);
	}
}

void
call_on_event(struct engine *e, struct deferred *d)
{
	struct stx *stx = d->stx;
	osip_message_t *msg = d->msg;

	switch (d->type) {
	case OSIP_IST_INVITE_RECEIVED: {
		struct leg *leg;

		if (header_tag(msg->to) == NULL) {
			new_call(e, stx);
			return;
		}
		leg = leg_find(e, msg);
		if (leg == NULL || !in_dialog(leg, msg)) {
			stack_reply(e, stx, 481, NULL, NULL);
			return;
		}
		on_reinvite(e, stx, leg);
		return;
	}
	case OSIP_ICT_STATUS_1XX_RECEIVED:
	case OSIP_ICT_STATUS_2XX_RECEIVED:
	case OSIP_ICT_STATUS_3XX_RECEIVED:
	case OSIP_ICT_STATUS_4XX_RECEIVED:
	case OSIP_ICT_STATUS_5XX_RECEIVED:
	case OSIP_ICT_STATUS_6XX_RECEIVED:
		if (msg == NULL)
			return;
		if (stx->leg == NULL) {
			if (d->type == OSIP_ICT_STATUS_2XX_RECEIVED)
				hangup_orphan(e, stx->ep, stx->transport,
				    &stx->dest, msg, 1);
			return;
		}
		if (stx->leg == &stx->leg->call->x)
			refer_on_x_response(e, stx->leg, msg);
		else if (!stx->leg->is_a)
			on_b_response(e, stx->leg, msg);
		return;
	case OSIP_NICT_STATUS_TIMEOUT:
		if (stx->leg != NULL && stx->leg->ping == stx)
			keepalive_result(e, stx, 0);
		return;
	case OSIP_ICT_STATUS_TIMEOUT:
	case STX_TRANSPORT_ERROR:
		if (stx->leg != NULL && stx->leg->ping == stx) {
			keepalive_result(e, stx, 0);
			return;
		}
		/* Timer B, or the INVITE could not be sent. */
		if (stx->leg != NULL && stx->leg == &stx->leg->call->x &&
		    stx->leg->invite == stx) {
			refer_fail(e, stx->leg->call,
			    d->type == STX_TRANSPORT_ERROR ? 503 : 408);
			return;
		}
		if (stx->leg != NULL && !stx->leg->is_a &&
		    stx->leg->invite == stx) {
			struct call *c = stx->leg->call;

			if (!c->cancel_pending)
				reply_a(e, c, d->type == STX_TRANSPORT_ERROR ?
				    503 : 408, NULL,
				    NULL, NULL);
			call_release(e, c);
		}
		return;
	case OSIP_NIST_BYE_RECEIVED:
		on_bye(e, stx);
		return;
	case OSIP_NIST_CANCEL_RECEIVED:
		on_cancel(e, stx);
		return;
	case OSIP_NIST_OPTIONS_RECEIVED:
		on_options(e, stx);
		return;
	case OSIP_NIST_UNKNOWN_REQUEST_RECEIVED:
		if (msg != NULL && msg->sip_method != NULL &&
		    strcmp(msg->sip_method, "REFER") == 0) {
			refer_on_request(e, stx);
			return;
		}
		on_other_request(e, stx);
		return;
	case OSIP_NICT_STATUS_2XX_RECEIVED:
	case OSIP_NICT_STATUS_3XX_RECEIVED:
	case OSIP_NICT_STATUS_4XX_RECEIVED:
	case OSIP_NICT_STATUS_5XX_RECEIVED:
	case OSIP_NICT_STATUS_6XX_RECEIVED:
		if (msg != NULL && stx->leg != NULL && stx->leg->ping == stx)
			keepalive_result(e, stx, msg->status_code);
		else if (msg != NULL)
			refer_on_notify_response(e, stx, msg->status_code);
		return;
	case OSIP_NIST_INFO_RECEIVED:
	case OSIP_NIST_NOTIFY_RECEIVED:
	case OSIP_NIST_SUBSCRIBE_RECEIVED:
	case OSIP_NIST_REGISTER_RECEIVED:
		on_other_request(e, stx);
		return;
	default:
		return;   /* responses to our BYE/CANCEL, ACK of non-2xx */
	}
}

/*
 * An INVITE without a To tag whose Call-ID is a live caller leg: a
 * retransmission that arrived after its IST ended (the 2xx was sent).
 * The 2xx is sent again; no new transaction is created.
 */
int
call_absorb(struct engine *e, osip_message_t *msg)
{
	struct leg *leg;

	if (!MSG_IS_INVITE(msg) || header_tag(msg->to) != NULL ||
	    (leg = leg_find(e, msg)) == NULL || !leg->is_a)
		return 0;
	if (leg->last_2xx != NULL)
		stack_send_raw(e, leg->ep, leg->transport, &leg->peer,
		    leg->last_2xx);
	return 1;
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
			hangup_orphan(e, ep, transport, src, msg, 0);
		return;
	}
	if (MSG_IS_ACK(msg)) {
		if (leg->last_2xx != NULL) {
			ev_timer_stop(e->loop, &leg->retx);
			osip_message_free(leg->last_2xx);
			leg->last_2xx = NULL;
		}
		return;
	}
	if (invite_2xx && !leg->is_a)
		leg_ack(e, leg, (unsigned)strtoul(msg->cseq->number, NULL, 10));
}
