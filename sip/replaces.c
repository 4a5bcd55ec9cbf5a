/*
 * replaces.c: INVITE with Replaces (RFC 3891), referd as transfer target.
 * A new INVITE naming one of referd's confirmed dialogs takes that
 * dialog's place in its call: referd answers it, re-points the relay from
 * the replaced leg to the new one (the other party's dialog and SDP do
 * not change), and sends BYE on the replaced dialog.
 *
 * The new leg lives in the call's third slot (call->x), the one a REFER
 * uses for its target; a call with a transfer running answers 486.
 *
 * Who may replace a dialog (RFC 3891 6.1): its own party, the target of
 * a transfer referd started in its call, or a gateway allowed to replace
 * any (replaces_entitled); a host that is no gateway never.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_port.h>

#include "internal.h"

/* A character of RFC 3261's token, or also of a Call-ID's words and its @. */
static int
tok_char(int c, int word)
{
	return (c > 0x20 && c < 0x7f && isalnum(c)) ||
	    (c != 0 && strchr("-.!%*_+`'~", c) != NULL) ||
	    (word && c != 0 && strchr("()<>:\\\"/[]?{}@", c) != NULL);
}

/* Copy the run of token (or word) characters at *pp into buf; its length. */
static size_t
take(const char **pp, char *buf, size_t len, int word)
{
	const char *p = *pp;
	size_t n = 0;

	while (tok_char((unsigned char)p[n], word))
		n++;
	if (n >= len)
		return 0;
	memcpy(buf, p, n);
	buf[n] = '\0';
	*pp = p + n;
	return n;
}

/* Skip spaces and tabs. */
static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * Parse a Replaces header value (struct replaces: internal.h) by its
 * grammar (RFC 3891 6.1): callid *( SEMI ( to-tag / from-tag /
 * early-flag / generic-param ) ), callid = word [ "@" word ], the tags
 * tokens, another parameter's value a token or a quoted string.  0, or
 * EINVAL for anything else (a control character, a line break, a NUL
 * cut short, a missing tag).
 */
int
parse_replaces(const char *v, struct replaces *r)
{
	const char *p = skip_ws(v);
	size_t n;

	memset(r, 0, sizeof(*r));
	if ((n = take(&p, r->call_id, sizeof(r->call_id), 1)) == 0 ||
	    memchr(r->call_id, '@', n) != strrchr(r->call_id, '@') ||
	    r->call_id[0] == '@' || r->call_id[n - 1] == '@')
		return EINVAL;
	for (p = skip_ws(p); *p == ';'; p = skip_ws(p)) {
		char name[32], val[128] = "";

		p = skip_ws(p + 1);
		if (take(&p, name, sizeof(name), 0) == 0)
			return EINVAL;
		p = skip_ws(p);
		if (*p == '=') {
			p = skip_ws(p + 1);
			if (*p == '"') {        /* a generic-param's quoted value */
				const char *q = p + 1;

				while (*q != '"' && *q != '\0' && (unsigned char)*q >= 0x20)
					q += *q == '\\' && q[1] >= 0x20 ? 2 : 1;
				if (*q != '"')
					return EINVAL;
				p = q + 1;
			} else if (take(&p, val, sizeof(val), 0) == 0)
				return EINVAL;
		}
		if (strcasecmp(name, "to-tag") == 0)
			snprintf(r->to_tag, sizeof(r->to_tag), "%s", val);
		else if (strcasecmp(name, "from-tag") == 0)
			snprintf(r->from_tag, sizeof(r->from_tag), "%s", val);
		else if (strcasecmp(name, "early-only") == 0)
			r->early_only = 1;
	}
	return *p == '\0' && r->to_tag[0] && r->from_tag[0] ? 0 : EINVAL;
}

/* The leg of referd's dialog a Replaces names, live or ended; NULL if none. */
static struct leg *
find_dialog(struct engine *e, const struct replaces *r)
{
	struct leg *l = leg_find_callid(e, r->call_id);

	if (l == NULL || l->dlg.local_tag == NULL ||
	    strcmp(l->dlg.local_tag, r->to_tag) != 0 ||
	    l->dlg.remote_tag == NULL ||
	    strcmp(l->dlg.remote_tag, r->from_tag) != 0)
		return NULL;
	return l;
}

/* The live leg of the dialog a Replaces header value names, or NULL. */
struct leg *
replaces_find(struct engine *e, const char *value)
{
	struct replaces rep;

	if (value == NULL || parse_replaces(value, &rep) != 0)
		return NULL;
	return find_dialog(e, &rep);
}

/*
 * An INVITE with Replaces naming leg r's dialog, from src, is refused
 * (RFC 3891 6.1): counted on profile sgp (the one of the leg it arrived
 * on), logged with why, and reported (referdReplacesRefused).  The call
 * is not touched; the caller answers 403.
 */
static void
replaces_refused(struct engine *e, const struct addr *src, uint32_t sgp,
    const struct leg *r, const char *why)
{
	struct engine_event ev;
	char host[INET6_ADDRSTRLEN];
	int port;

	engine_count(e, sgp, REFERD_CTR_REPLACES_REFUSED);
	memset(&ev, 0, sizeof(ev));
	ev.type = ENGINE_EV_REPLACES_REFUSED;
	ev.index = sgp;
	ev.call_index = r->call->index;
	ev.status = 403;
	snprintf(ev.call_id, sizeof(ev.call_id), "%s", r->dlg.call_id);
	addr_to_text(src, host, sizeof(host), &port);
	snprintf(ev.source, sizeof(ev.source), strchr(host, ':') ? "[%s]:%d" :
	    "%s:%d", host, port);
	snprintf(ev.text, sizeof(ev.text), "call %u: INVITE with Replaces "
	    "from %s refused 403: %s (dialog %s)", r->call->index, ev.source,
	    why, r->dlg.call_id);
	engine_emit(e, &ev);
}

/*
 * May the sender of an INVITE with Replaces replace leg r's dialog (RFC
 * 3891 6.1)?  Only
 *  (a) the party of that dialog itself (leg_from_peer: its transport
 *      address, its gateway, a gateway on its route set);
 *  (b) the target of a transfer referd started in that call: the party
 *      referd called for a REFER (call->x, the Refer-To's target);
 *  (c) a gateway the operator allows to replace any dialog
 *      (referdGwReplaces enabled: a phone behind a PBX whose attended
 *      transfer's REFER went to that phone, never through referd).
 * Anyone else is refused (replaces_refused).  (b) leads to 486 today:
 * a call whose third slot holds a transfer's target takes no Replaces.
 */
static int
replaces_entitled(struct engine *e, struct stx *stx, uint32_t sgp,
    const struct leg *r)
{
	const struct referd_gw *gw = trusted_gateway(e, &stx->dest);
	const struct leg *x = &r->call->x;

	if (leg_from_peer(e, r, &stx->dest) ||
	    (x->dlg.call_id != NULL && leg_from_peer(e, x, &stx->dest)) ||
	    (gw != NULL && gw->replaces == REFERD_ENABLED))
		return 1;
	replaces_refused(e, &stx->dest, sgp, r, "not the party of the dialog "
	    "nor the target of a transfer in its call, and its gateway may "
	    "not replace others' dialogs");
	return 0;
}

/*
 * An INVITE from a host that is no gateway (answered 403 by the caller):
 * if it carries a Replaces naming a live dialog of referd's, it is a
 * refused Replaces too, counted on profile sgp and reported.
 */
void
replaces_from_stranger(struct engine *e, struct stx *stx, uint32_t sgp)
{
	const char *value;
	struct replaces rep;
	struct leg *r;
	int count = 0;

	value = header_first(stx->tr->orig_request, "replaces", NULL, &count);
	if (count == 0 || value == NULL || parse_replaces(value, &rep) != 0 ||
	    (r = find_dialog(e, &rep)) == NULL || dialog_is(r, DLG_TERMINATED))
		return;
	replaces_refused(e, &stx->dest, sgp, r, "not a gateway");
}

/*
 * The dialog an INVITE's Replaces header names, and whether it may be
 * replaced: the leg in *rp, or the status to answer with.  The sender's
 * right to replace it is checked once the dialog is known to exist and
 * not to have ended (RFC 3891 3: 481, 603), before its state says more.
 */
static int
replaced_leg(struct engine *e, struct stx *stx, uint32_t sgp, int count,
    const char *value, struct leg **rp)
{
	const char *offer = body_of(stx->tr->orig_request);
	struct replaces rep;
	struct leg *r;
	struct call *c;

	if (!profile_refer_enabled(e->current, sgp))
		return 403;
	if (count > 1 || value == NULL || parse_replaces(value, &rep))
		return 400;
	if ((r = find_dialog(e, &rep)) == NULL)
		return 481;
	if (dialog_is(r, DLG_TERMINATED))
		return 603;
	if (!replaces_entitled(e, stx, sgp, r))
		return 403;
	if (!dialog_is(r, DLG_CONFIRMED))
		return 481;        /* referd replaces only confirmed dialogs */
	if (rep.early_only)
		return 486;
	c = r->call;
	if (r->partner == NULL || c->xfer.active || c->x.dlg.call_id != NULL ||
	    offer == NULL || r->partner->remote_sdp == NULL)
		return 486;
	*rp = r;
	return 0;
}

/*
 * Answer a new leg's offer: its own m= lines with referd's ports, only the
 * codecs the other party p negotiated, the direction mirrored.  0, or the
 * status to refuse it with (488: nothing in common).
 */
static int
answer_offer(struct engine *e, struct leg *n, struct leg *p, const char *offer)
{
	static const char *const mirror[] = { "sendrecv", "recvonly",
	    "sendonly", "inactive" };
	struct pt_set allowed[SDP_MEDIA_MAX], keep[SDP_MEDIA_MAX];
	struct sdp os, ps;
	char *body;
	int any = 0, rc;

	if (sdp_parse(offer, &os) != 0 || p->remote_sdp == NULL ||
	    sdp_parse(p->remote_sdp, &ps) != 0)
		return 488;
	leg_allowed(p, allowed);
	sdp_keep_codecs(&os, &ps, allowed, keep);
	for (int k = 0; k < os.n; k++)
		any |= keep[k].bits[0] | keep[k].bits[1] | keep[k].bits[2] |
		    keep[k].bits[3];
	if (!any)
		return 488;
	body = leg_sdp(n, offer, mirror[os.m[0].dir], keep);
	if (body == NULL)
		return 488;
	rc = leg_reply_body(e, n, n->invite, 200, body, NULL, NULL);
	free(body);
	return rc == 0 ? 0 : 500;
}

/*
 * An INVITE outside any dialog from a trusted gateway whose profile is
 * sgp: 0 if it has no Replaces header, else 1 (it has been answered).
 */
int
replaces_on_invite(struct engine *e, struct stx *stx, uint32_t sgp)
{
	osip_message_t *req = stx->tr->orig_request;
	const char *value, *offer = body_of(req);
	struct leg *r = NULL, *p, *n;
	struct call *c;
	int count = 0, code;

	value = header_first(req, "replaces", NULL, &count);
	if (count == 0)
		return 0;
	engine_count(e, sgp, REFERD_CTR_REPLACES_RECEIVED);
	if ((code = replaced_leg(e, stx, sgp, count, value, &r)) != 0) {
		stack_reply(e, stx, code, NULL, NULL);
		return 1;
	}
	c = r->call;
	p = r->partner;
	/* The new leg, in the call's third slot. */
	n = &c->x;
	leg_from_request(n, stx, sgp);
	if (dialog_from_request(e, n, req) != 0 || leg_keep_sdp(n, offer) != 0 ||
	    leg_streams_open(e, n, 1) != 0) {
		stack_reply(e, stx, 500, NULL, NULL);
		stx->leg = NULL;
		n->invite = NULL;
		leg_forget(e, n);
		return 1;
	}
	leg_index(e, n);
	leg_learn_media(n, offer);
	/* The 200 answers the new party's own offer (RFC 3264 6), with the
	 * codecs the other party has among those it offers. */
	if ((code = answer_offer(e, n, p, offer)) != 0) {
		stack_reply(e, stx, code, NULL, NULL);
		n->invite = NULL;
		stx->leg = NULL;
		leg_forget(e, n);
		return 1;
	}
	/* The new leg takes the replaced one's place. */
	media_bridge(p, n);
	media_unbridge(r);
	dialog_bye(e, r);
	session_align(e, p, n);
	engine_count(e, sgp, REFERD_CTR_REPLACES_COMPLETED);
	engine_log(e, ENGINE_LOG_INFO, "call %u: dialog %s replaced", c->index,
	    r->dlg.call_id);
	call_set_state(e, c, CALL_CONNECTED);
	return 1;
}
