/*
 * gateway.c: the configured peers and what a profile enables.  Which
 * gateway a request comes from (trust), where a dialled number or a
 * transfer target goes (routing), and the rules of a leg's profile that
 * the rest of the engine asks about: whether REFER is enabled, whether the
 * caller is held in Delayed Answer, and the Allow and Supported headers
 * that follow from them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * Allow: INFO, MESSAGE and UPDATE (RFC 3311) on every leg; PRACK where
 * the profile enables 100rel (RFC 3262); REFER and NOTIFY where it
 * enables REFER.
 */
#define ALLOW_BASIC "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, MESSAGE, UPDATE"
#define ALLOW_PRACK ", PRACK"
#define ALLOW_REFER ", REFER, NOTIFY"

/*
 * Supported: replaces (RFC 3891) and norefersub (RFC 4488), only where
 * the leg's profile enables REFER, since both are handled only there;
 * timer (RFC 4028) where the profile has session timers; 100rel where
 * its referdSgp100rel is not disabled.
 */
#define SUPPORTED_REFER "replaces, norefersub"
#define SUPPORTED_TIMER "timer"
#define SUPPORTED_100REL "100rel"

/* The active Refer Support row of profile sgp with support enabled. */
const struct referd_refer *
profile_refer(const struct referd_config *cfg, uint32_t sgp)
{
	const struct referd_refer *r = referd_config_refer(cfg, sgp);

	return r != NULL && r->status == REFERD_RS_ACTIVE &&
	    r->support == REFERD_ENABLED ? r : NULL;
}

/* Does profile sgp act on REFER and Replaces?  The one place that says. */
int
profile_refer_enabled(const struct referd_config *cfg, uint32_t sgp)
{
	return profile_refer(cfg, sgp) != NULL;
}

/* The Refer Support row when profile sgp holds callers in Delayed Answer. */
const struct referd_refer *
profile_delayed_answer(const struct referd_config *cfg, uint32_t sgp)
{
	const struct referd_refer *r = profile_refer(cfg, sgp);

	return r != NULL && r->delayed_answer == REFERD_ENABLED ? r : NULL;
}

/*
 * referdSgp100rel of profile sgp (enum referd_rel100); a leg without a
 * profile (0) has the column's default, supported.
 */
int
profile_100rel(const struct referd_config *cfg, uint32_t sgp)
{
	const struct referd_sgp *s = sgp ? referd_config_sgp(cfg, sgp) : NULL;

	return s != NULL && s->status == REFERD_RS_ACTIVE ? s->rel100 :
	    REFERD_100REL_SUPPORTED;
}

/* The Allow header of a profile's legs: what it enables. */
const char *
profile_allow(const struct referd_config *cfg, uint32_t sgp)
{
	static const char *const allow[2][2] = {
		{ ALLOW_BASIC, ALLOW_BASIC ALLOW_PRACK },
		{ ALLOW_BASIC ALLOW_REFER, ALLOW_BASIC ALLOW_PRACK ALLOW_REFER },
	};

	return allow[profile_refer_enabled(cfg, sgp)]
	    [profile_100rel(cfg, sgp) != REFERD_100REL_DISABLED];
}

/* The Supported header of a profile's legs, or NULL for none. */
const char *
profile_supported(const struct referd_config *cfg, uint32_t sgp)
{
	/* [REFER][100rel][timer] */
	static const char *const sup[2][2][2] = {
		{ { NULL, SUPPORTED_TIMER },
		  { SUPPORTED_100REL, SUPPORTED_100REL ", " SUPPORTED_TIMER } },
		{ { SUPPORTED_REFER, SUPPORTED_REFER ", " SUPPORTED_TIMER },
		  { SUPPORTED_REFER ", " SUPPORTED_100REL, SUPPORTED_REFER ", "
		    SUPPORTED_100REL ", " SUPPORTED_TIMER } },
	};

	return sup[profile_refer_enabled(cfg, sgp)]
	    [profile_100rel(cfg, sgp) != REFERD_100REL_DISABLED]
	    [profile_timers(cfg, sgp) != NULL];
}

/*
 * The header policy of profile sgp (referdSgpHeaderPolicy): the carrier
 * set when the profile is not an active row (a leg without a profile).
 */
int
profile_header_policy(const struct referd_config *cfg, uint32_t sgp)
{
	const struct referd_sgp *p = referd_config_sgp(cfg, sgp);

	return p != NULL && p->status == REFERD_RS_ACTIVE ? p->header_policy :
	    REFERD_HP_CARRIER;
}

/*
 * Does profile sgp hide the other legs' topology from its peers
 * (referdSgpTopologyHiding)?  Yes when it is not an active row.
 */
int
profile_hides_topology(const struct referd_config *cfg, uint32_t sgp)
{
	const struct referd_sgp *p = referd_config_sgp(cfg, sgp);

	return p == NULL || p->status != REFERD_RS_ACTIVE ||
	    p->topology_hiding == REFERD_ENABLED;
}

/*
 * The active profile sgp when it has session timers (RFC 4028), else
 * NULL: its Session-Expires and Min-SE.
 */
const struct referd_sgp *
profile_timers(const struct referd_config *cfg, uint32_t sgp)
{
	const struct referd_sgp *p = referd_config_sgp(cfg, sgp);

	return p != NULL && p->status == REFERD_RS_ACTIVE &&
	    p->session_expires != 0 ? p : NULL;
}

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

/* A gateway's parsed address, or NULL. */
const struct addr *
gateway_addr(const struct engine *e, const struct referd_gw *g)
{
	const struct gw_addr *ga = &e->gw_addr[g - e->current->gw];

	return ga->ok ? &ga->a : NULL;
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

/* Does a route set (one Route header value) name gateway g's address? */
static int
route_set_names(const struct engine *e, const char *rs,
    const struct referd_gw *g)
{
	for (const char *p = rs ? strchr(rs, '<') : NULL; p != NULL;
	    p = strchr(p + 1, '<')) {
		struct addr ra;

		if (uri_addr(p, &ra) == 0 && trusted_gateway(e, &ra) == g)
			return 1;
	}
	return 0;
}

/*
 * Is src the peer of a leg's dialog (SPEC 5, "Who may act on a dialog"):
 * its transport address, the address referd sends the dialog's requests
 * to (dialog_dest: the remote target or the first Route, which the peer
 * itself named), the configured gateway at either (any of its ports when
 * its port is 0), or a gateway on its route set?  Only then may a request
 * act on the dialog.
 */
int
leg_from_peer(const struct engine *e, const struct leg *leg,
    const struct addr *src)
{
	const struct referd_gw *g;
	struct addr dest;

	/* The usual case first: the peer sends from where it always did
	 * (dialog_dest parses a URI, which that case does not need). */
	if (addr_equal(&leg->peer, src))
		return 1;
	dialog_dest(leg, &dest);
	if (addr_equal(&dest, src))
		return 1;
	if ((g = trusted_gateway(e, src)) == NULL)
		return 0;
	return g == trusted_gateway(e, &leg->peer) ||
	    g == trusted_gateway(e, &dest) ||
	    route_set_names(e, leg->dlg.route_set, g);
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

/* The gateway a transfer target goes to: its host:port, else its user. */
const struct referd_gw *
target_gateway(const struct engine *e, const osip_uri_t *uri)
{
	const struct referd_config *cfg = e->current;
	struct addr ta;
	int port = uri->port ? atoi(uri->port) : 5060;

	if (uri->host != NULL && addr_from_text(&ta, uri->host, port) == 0)
		for (size_t i = 0; i < cfg->n_gw; i++) {
			const struct referd_gw *g = &cfg->gw[i];
			const struct addr *ga = gateway_addr(e, g);

			if (g->status == REFERD_RS_ACTIVE && ga != NULL &&
			    addr_equal(ga, &ta))
				return g;
		}
	return route_lookup(cfg, uri->username ? uri->username : "");
}

/*
 * The Request-URI of an INVITE to user at gateway gw over transport:
 * sip:USER@ADDRESS:PORT[;transport=..], the user escaped again (oSIP2
 * unescaped it).
 */
void
gateway_ruri(char *buf, size_t len, const struct referd_gw *gw,
    const char *user, int transport)
{
	const char *tp = transport_uri_param(transport);
	char hp[96], euser[160];

	hostport(hp, sizeof(hp), gw->address, gw->port ? gw->port : 5060);
	user_escaped(user, euser, sizeof(euser));
	snprintf(buf, len, "sip:%s@%s%s%s", euser, hp, tp ? ";transport=" : "",
	    tp ? tp : "");
}

/*
 * Point a new leg (b, or x for a transfer) at a gateway: its transport
 * and address, the local endpoint it sends from (one of the gateway's
 * transport, near's address preferred: endpoint_for), held, and its
 * profile (the endpoint's when the gateway names none).  0, or ENOTCONN
 * when no endpoint can reach the gateway (the leg is left unset).
 */
int
leg_towards(struct leg *leg, struct endpoint *near, struct engine *e,
    const struct referd_gw *gw)
{
	const struct addr *ga = gateway_addr(e, gw);
	struct endpoint *ep;

	if (ga == NULL ||                /* active rows always parse */
	    (ep = endpoint_for(e, (int)gw->transport, near, ga)) == NULL) {
		engine_log(e, ENGINE_LOG_WARNING, "gateway %u (%s): no %s "
		    "signaling endpoint to reach it from", gw->index, gw->name,
		    transport_name((int)gw->transport));
		return ENOTCONN;
	}
	leg->ep = ep;
	endpoint_hold(ep);
	leg->transport = (int)gw->transport;
	leg->peer = *ga;
	leg->sgp = gw->sgp_index ? gw->sgp_index : ep->row.sgp_index;
	return 0;
}
