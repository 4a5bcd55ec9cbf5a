/*
 * timer.c: RFC 4028 session timers, on each leg on its own.  referd is a
 * B2BUA: each leg's dialog has its own session interval and refresher,
 * negotiated with that leg's party under that leg's profile
 * (referdSgpSessionExpires, referdSgpMinSE; Session-Expires 0 turns
 * timers off for the profile, which then neither advertises `timer` nor
 * answers 422).
 *
 *   referd as UAS (the caller's INVITE, any re-INVITE or UPDATE): a
 *     Session-Expires below the profile's Min-SE gets 422 with Min-SE
 *     (timer_check; RFC 4028 9: both are session refresh requests); else
 *     the 2xx carries the interval (the request's, lowered to the
 *     profile's Session-Expires but never below either Min-SE, or the
 *     profile's when the request has none) and the refresher: the one the
 *     request names, else the party when it supports `timer`, else referd.
 *     So does the 2xx to a party's UPDATE, the other refresh request
 *     (linphonec refreshes with UPDATE).
 *   referd as UAC (the INVITE to the called party or a transfer target,
 *     referd's re-INVITEs): the request carries the leg's interval and
 *     the profile's Min-SE; the 2xx decides.  A 2xx without
 *     Session-Expires (a party without session timers) leaves referd the
 *     refresher at the interval it asked for.  A 422 to referd's first
 *     INVITE to the called party makes it send the INVITE again, once,
 *     with the Min-SE the 422 names (RFC 4028 7.3; call.c).
 *   referd refreshes at half the interval: an UPDATE without SDP when the
 *     party's Allow lists UPDATE (RFC 4028 9 recommends no offer in it),
 *     else a re-INVITE with the leg's last SDP unchanged (same o= version,
 *     so no new offer for the party to act on).  A refresh answered 408
 *     or 481, or not at all, ends the party's dialog: a BYE to it (RFC
 *     4028 10) and to the others; any other failure keeps the session
 *     and the next refresh comes at half the interval again.
 *   the party refreshes: when no refresh (a 2xx to a re-INVITE or an
 *     UPDATE either way) has come by the interval minus min(32 s,
 *     interval / 3) (RFC 4028 10), the session has expired: BYE to the
 *     party and the call ended as if it had hung up (BYE to the others),
 *     counted in its profile's referdSgpSessionExpired.
 *
 * The BYEs that end a call here say why (RFC 3326), with the SIP status
 * that stands for it: an expired session
 *     Reason: SIP;cause=408;text="Session timer expired"
 * (408: what was awaited did not come), a failed refresh the status it
 * got (408 when none came, 503 when it could not be sent)
 *     Reason: SIP;cause=481;text="Session refresh failed"
 * Each is referd's own header, written whatever the header policy (which
 * governs what is copied between legs).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/* A refresh that could not go now (a re-INVITE pending): tried again. */
#define RETRY_BUSY 5.

/* The refresher a Session-Expires names: none, the UAC or the UAS. */
enum refresher { REF_NONE = 0, REF_UAC, REF_UAS };

/* A Session-Expires (or Min-SE) value: its seconds, 0 when none. */
static unsigned
delta_of(const char *v, enum refresher *who)
{
	const char *p;
	char *end;
	unsigned long n;

	if (who != NULL)
		*who = REF_NONE;
	if (v == NULL)
		return 0;
	v += strspn(v, " \t");
	n = strtoul(v, &end, 10);
	if (end == v || n > 0xffffffffUL)
		return 0;
	for (p = strchr(end, ';'); p != NULL && who != NULL;
	    p = strchr(p + 1, ';')) {
		const char *q = p + 1 + strspn(p + 1, " \t");

		if (strncasecmp(q, "refresher", 9) != 0)
			continue;
		q += 9;
		q += strspn(q, " \t");
		if (*q++ != '=')
			continue;
		q += strspn(q, " \t");
		*who = strncasecmp(q, "uac", 3) == 0 ? REF_UAC :
		    strncasecmp(q, "uas", 3) == 0 ? REF_UAS : REF_NONE;
	}
	return (unsigned)n;
}

/* A message's Session-Expires (compact form x), its refresher. */
static unsigned
session_expires(const osip_message_t *msg, enum refresher *who)
{
	return delta_of(header_first(msg, "session-expires", "x", NULL), who);
}

/* Does a message's Supported or Require name the option tag `timer`? */
static int
supports_timer(const osip_message_t *msg)
{
	static const char *const names[] = { "supported", "k", "require" };
	osip_header_t *h = NULL;

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		for (int i = osip_message_header_get_byname(msg, names[k], 0,
		    &h); i >= 0; i = osip_message_header_get_byname(msg,
		    names[k], i + 1, &h))
			if (tag_listed(h->hvalue, "timer", 5))
				return 1;
	return 0;
}

/*
 * RFC 4028 8.1: an INVITE whose Session-Expires is below the profile's
 * Min-SE gets 422 with that Min-SE.  0, or 1 once answered.
 */
int
timer_check(struct engine *e, struct stx *stx, const osip_message_t *req,
    uint32_t sgp)
{
	const struct referd_sgp *p = profile_timers(e->current, sgp);
	unsigned se = session_expires(req, NULL);
	char min[16];

	if (p == NULL || se == 0 || se >= p->min_se)
		return 0;
	snprintf(min, sizeof(min), "%u", p->min_se);
	engine_log(e, ENGINE_LOG_INFO, "%s with Session-Expires %u "
	    "refused: below Min-SE %u (422)", req->sip_method, se, p->min_se);
	stack_reply(e, stx, 422, "Min-SE", min);
	return 1;
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents);

/* A new leg's timer, idle. */
void
timer_init(struct leg *leg)
{
	ev_init(&leg->se_timer, on_timer);
	leg->se_timer.data = leg;
}

/* No session timer on a leg any more (its dialog or call ended). */
void
timer_stop(struct engine *e, struct leg *leg)
{
	ev_timer_stop(e->loop, &leg->se_timer);
}

/* When a session whose party refreshes has expired (RFC 4028 10). */
static double
expiry(unsigned iv)
{
	return iv - (iv / 3 < 32 ? iv / 3 : 32);
}

/* The leg's timer from now: its refresh, or the party's deadline. */
static void
arm(struct engine *e, struct leg *leg)
{
	timer_stop(e, leg);
	if (leg->se_interval == 0 || leg->call->dead)
		return;
	ev_timer_set(&leg->se_timer, leg->se_ours ? leg->se_interval / 2. :
	    expiry(leg->se_interval), 0.);
	ev_timer_start(e->loop, &leg->se_timer);
}

/*
 * referd answers an INVITE of a leg's party with a 2xx (req the INVITE):
 * the leg's interval and refresher, from the request and the profile.
 * The 2xx carries them (build.c) and the leg's timer starts again.
 */
void
timer_uas(struct engine *e, struct leg *leg, const osip_message_t *req)
{
	const struct referd_sgp *p = profile_timers(e->current, leg->sgp);
	enum refresher who;
	unsigned se, floor, iv;

	if (p == NULL) {
		leg->se_interval = 0;
		timer_stop(e, leg);
		return;
	}
	se = session_expires(req, &who);
	floor = delta_of(header_first(req, "min-se", NULL, NULL), NULL);
	if (floor < p->min_se)
		floor = p->min_se;
	iv = se ? se : p->session_expires;
	if (iv > p->session_expires)      /* lowered, never below a Min-SE */
		iv = p->session_expires > floor ? p->session_expires : floor;
	if (iv < floor)
		iv = floor;
	leg->se_interval = iv;
	leg->se_peer = supports_timer(req);
	/* In the request, the UAC is the party. */
	leg->se_ours = !leg->se_peer || who == REF_UAS;
	arm(e, leg);
}

/*
 * A 2xx to an INVITE or an UPDATE referd sent on a leg: the interval and
 * refresher the party chose, or, when it chose none (no session timers there), referd
 * refreshes at the interval it asked for.
 */
void
timer_uac(struct engine *e, struct leg *leg, const osip_message_t *resp)
{
	const struct referd_sgp *p = profile_timers(e->current, leg->sgp);
	enum refresher who;
	unsigned se;

	if (p == NULL) {
		leg->se_interval = 0;
		timer_stop(e, leg);
		return;
	}
	se = session_expires(resp, &who);
	leg->se_peer = supports_timer(resp);
	if (se == 0) {
		if (leg->se_interval == 0)
			leg->se_interval = leg->se_asked ? leg->se_asked :
			    p->session_expires;
		leg->se_ours = 1;
	} else {
		leg->se_interval = se < REFERD_SE_MIN ? REFERD_SE_MIN : se;
		/* In the response, the UAC is referd. */
		leg->se_ours = who != REF_UAS;
	}
	arm(e, leg);
}

/*
 * The Session-Expires value an INVITE referd sends on a leg carries, in
 * buf, and the profile's Min-SE in *min_se; 0 when the leg's profile has
 * no session timers (no headers then).
 */
int
timer_request_value(const struct engine *e, const struct leg *leg,
    char *buf, size_t len, unsigned *min_se)
{
	const struct referd_sgp *p = profile_timers(e->current, leg->sgp);

	if (p == NULL)
		return 0;
	*min_se = p->min_se;
	if (leg->se_interval == 0 && leg->se_asked != 0) {
		/* After a 422: its Min-SE, asked for (RFC 4028 7.3). */
		*min_se = leg->se_asked > p->min_se ? leg->se_asked : p->min_se;
		snprintf(buf, len, "%u", leg->se_asked);
	} else if (leg->se_interval == 0)
		snprintf(buf, len, "%u", p->session_expires);
	else    /* a refresh: who refreshes stays as negotiated */
		snprintf(buf, len, "%u;refresher=%s", leg->se_interval,
		    leg->se_ours ? "uac" : "uas");
	return 1;
}

/*
 * The Session-Expires value of referd's 2xx to a party's INVITE, in buf,
 * and in *require whether it requires `timer`; 0 for none.
 */
int
timer_response_value(const struct leg *leg, char *buf, size_t len,
    int *require)
{
	if (leg->se_interval == 0)
		return 0;
	snprintf(buf, len, "%u;refresher=%s", leg->se_interval,
	    leg->se_ours ? "uas" : "uac");
	*require = leg->se_peer;
	return 1;
}

/*
 * A 422 to referd's first INVITE on a leg: the interval its Min-SE asks
 * for, to send the INVITE again with (RFC 4028 7.3), or 0 when there is
 * nothing to retry: no session timers, no usable Min-SE, or a second 422.
 */
int
timer_on_422(struct engine *e, struct leg *leg, const osip_message_t *resp)
{
	const struct referd_sgp *p = profile_timers(e->current, leg->sgp);
	unsigned min = delta_of(header_first(resp, "min-se", NULL, NULL), NULL);

	if (p == NULL || leg->se_asked != 0 || min <= p->session_expires ||
	    min > REFERD_SE_MAX)
		return 0;
	leg->se_asked = min;
	return (int)min;
}

/* referd's refresh of a leg failed with code (408: no answer). */
void
timer_refresh_failed(struct engine *e, struct leg *leg, int code)
{
	struct call *c = leg->call;

	if (c->dead || !dialog_is(leg, DLG_CONFIRMED))
		return;
	if (code == 408 || code == 481 || code == 503) {
		engine_log(e, ENGINE_LOG_NOTICE, "call %u: session refresh "
		    "answered %d: the %s's dialog is ended", c->index, code,
		    leg->is_a ? "caller" : "called party");
		snprintf(c->own_reason, sizeof(c->own_reason),
		    "SIP;cause=%d;text=\"Session refresh failed\"", code);
		if (code != 503)
			dialog_bye(e, leg);
		call_leg_gone(e, leg);
		if (!c->dead)       /* a transferor's leg: the call goes on */
			c->own_reason[0] = '\0';
		return;
	}
	arm(e, leg);
}

/* The session expired: the party never refreshed it. */
static void
expired(struct engine *e, struct leg *leg)
{
	struct call *c = leg->call;

	engine_log(e, ENGINE_LOG_NOTICE, "call %u: no session refresh from "
	    "the %s within %u s: the session has expired", c->index,
	    leg->is_a ? "caller" : leg == &c->b ? "called party" :
	    "transfer target", leg->se_interval);
	engine_count(e, leg->sgp, REFERD_CTR_SESSION_EXPIRED);
	snprintf(c->own_reason, sizeof(c->own_reason),
	    "SIP;cause=408;text=\"Session timer expired\"");
	dialog_bye(e, leg);
	call_leg_gone(e, leg);
	if (!c->dead)
		c->own_reason[0] = '\0';
}

/* A leg's timer: referd's refresh is due, or the party's has not come. */
static void
on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct leg *leg = w->data;
	struct call *c = leg->call;
	struct engine *e = c->a.media.engine;

	(void)loop;
	(void)revents;
	if (c->dead || e == NULL || !dialog_is(leg, DLG_CONFIRMED))
		return;
	if (!leg->se_ours) {
		expired(e, leg);
		return;
	}
	switch (session_refresh(e, leg)) {
	case 0:
		return;          /* its answer starts the timer again */
	case EBUSY:
		ev_timer_set(w, RETRY_BUSY, 0.);
		ev_timer_start(e->loop, w);
		return;
	default:
		engine_log(e, ENGINE_LOG_NOTICE, "call %u: no session refresh "
		    "could be sent", c->index);
		arm(e, leg);
	}
}
