/*
 * replaces.c: INVITE with Replaces (RFC 3891), referd as transfer target.
 * A new INVITE naming one of referd's confirmed dialogs takes that
 * dialog's place in its call: referd answers it, re-points the relay from
 * the replaced leg to the new one (the other party's dialog and SDP do
 * not change), and sends BYE on the replaced dialog.
 *
 * The new leg lives in the call's third slot (call->x), the one a REFER
 * uses for its target; a call with a transfer running answers 486.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_port.h>

#include "internal.h"

/* Parse a Replaces header value (struct replaces: internal.h); 0 or EINVAL. */
int
parse_replaces(const char *v, struct replaces *r)
{
	const char *p = v, *semi;
	size_t n;

	memset(r, 0, sizeof(*r));
	while (*p == ' ' || *p == '\t')
		p++;
	semi = strchr(p, ';');
	n = semi ? (size_t)(semi - p) : strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(r->call_id))
		return EINVAL;
	memcpy(r->call_id, p, n);
	while (semi != NULL) {
		const char *q = semi + 1, *eq;
		char name[32], val[128];
		size_t nn, vn;

		while (*q == ' ')
			q++;
		semi = strchr(q, ';');
		eq = memchr(q, '=', semi ? (size_t)(semi - q) : strlen(q));
		nn = eq ? (size_t)(eq - q) : semi ? (size_t)(semi - q) :
		    strlen(q);
		if (nn >= sizeof(name))
			return EINVAL;
		memcpy(name, q, nn);
		name[nn] = '\0';
		val[0] = '\0';
		if (eq != NULL) {
			vn = semi ? (size_t)(semi - eq - 1) : strlen(eq + 1);
			if (vn >= sizeof(val))
				return EINVAL;
			memcpy(val, eq + 1, vn);
			val[vn] = '\0';
		}
		if (strcasecmp(name, "to-tag") == 0)
			snprintf(r->to_tag, sizeof(r->to_tag), "%s", val);
		else if (strcasecmp(name, "from-tag") == 0)
			snprintf(r->from_tag, sizeof(r->from_tag), "%s", val);
		else if (strcasecmp(name, "early-only") == 0)
			r->early_only = 1;
	}
	return r->to_tag[0] && r->from_tag[0] ? 0 : EINVAL;
}

/* The leg of referd's dialog a Replaces names, live or ended; NULL if none. */
static struct leg *
find_dialog(struct engine *e, const struct replaces *r)
{
	struct leg *l = leg_find_callid(e, r->call_id);

	if (l == NULL || l->local_tag == NULL ||
	    strcmp(l->local_tag, r->to_tag) != 0 || l->remote_tag == NULL ||
	    strcmp(l->remote_tag, r->from_tag) != 0)
		return NULL;
	return l;
}

int
replaces_on_invite(struct engine *e, struct stx *stx, uint32_t sgp)
{
	const struct referd_config *cfg = e->current;
	osip_message_t *req = stx->tr->orig_request;
	const struct referd_refer *row;
	const char *value;
	struct replaces rp;
	struct leg *r, *p, *n;
	struct call *c;
	const char *offer = body_of(req);
	char tag[32];
	int count = 0;

	value = header_first(req, "replaces", NULL, &count);
	if (count == 0)
		return 0;
	engine_count(e, sgp, ENGINE_CTR_REPLACES_RECEIVED);
	row = referd_config_refer(cfg, sgp);
	if (row == NULL || row->status != REFERD_RS_ACTIVE ||
	    row->support != REFERD_ENABLED) {
		stack_reply(e, stx, 403, NULL, NULL);
		return 1;
	}
	if (count > 1) {
		stack_reply(e, stx, 400, NULL, NULL);
		return 1;
	}
	if (value == NULL || parse_replaces(value, &rp)) {
		stack_reply(e, stx, 400, NULL, NULL);
		return 1;
	}
	if ((r = find_dialog(e, &rp)) == NULL) {
		stack_reply(e, stx, 481, NULL, NULL);
		return 1;
	}
	c = r->call;
	if (r->ended) {
		stack_reply(e, stx, 603, NULL, NULL);
		return 1;
	}
	if (!r->confirmed) {
		/* referd replaces only confirmed dialogs. */
		stack_reply(e, stx, 481, NULL, NULL);
		return 1;
	}
	if (rp.early_only) {
		stack_reply(e, stx, 486, NULL, NULL);
		return 1;
	}
	p = r->partner;
	if (p == NULL || c->xfer.active || c->x.call_id != NULL ||
	    offer == NULL || p->remote_sdp == NULL) {
		stack_reply(e, stx, 486, NULL, NULL);
		return 1;
	}

	/* The new leg, in the call's third slot. */
	n = &c->x;
	n->call = c;
	n->ep = stx->ep;
	endpoint_hold(n->ep);
	n->transport = stx->transport;
	n->peer = stx->dest;
	n->sgp = sgp;
	{
		char buf[512];

		callid_text(req, buf, sizeof(buf));
		n->call_id = strdup(buf);
	}
	stack_new_tag(e, tag, sizeof(tag));
	n->local_tag = strdup(tag);
	n->remote_tag = header_tag(req->from) ?
	    strdup(header_tag(req->from)) : NULL;
	n->local_uri = name_addr(req->to);
	n->remote_uri = name_addr(req->from);
	n->remote_target = contact_uri(req);
	n->route_set = route_set_of(req, 0);
	n->remote_sdp = strdup(offer);
	n->invite = stx;
	stx->leg = n;
	if (n->call_id == NULL || n->local_tag == NULL ||
	    n->local_uri == NULL || n->remote_uri == NULL ||
	    n->remote_sdp == NULL || media_open(e, &n->media, n->ep) != 0) {
		stack_reply(e, stx, 500, NULL, NULL);
		stx->leg = NULL;
		n->invite = NULL;
		call_x_clear(e, c);
		return 1;
	}
	leg_index(e, n);
	leg_learn_media(n, offer);
	/* The answer offers what the other party uses, at the new port. */
	if (leg_reply(e, n, 200, p->remote_sdp, NULL, NULL) != 0) {
		call_x_clear(e, c);
		return 1;
	}
	/* The new leg takes the replaced one's place. */
	p->media.peer = &n->media;
	n->media.peer = &p->media;
	p->partner = n;
	n->partner = p;
	r->partner = NULL;
	r->media.peer = NULL;
	leg_bye(e, r);
	engine_count(e, sgp, ENGINE_CTR_REPLACES_COMPLETED);
	engine_log(e, ENGINE_LOG_INFO, "call %u: dialog %s replaced", c->index,
	    rp.call_id);
	call_set_state(e, c, CALL_CONNECTED);
	return 1;
}
