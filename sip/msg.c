/*
 * msg.c: reading SIP messages (headers oSIP2 has no typed field for, tags,
 * bodies, Contact, route sets, Call-IDs), and the identifiers referd makes
 * for its own messages (branches, tags).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_port.h>

#include "internal.h"

/* The branch parameter of a message's top Via, or NULL. */
const char *
top_branch(const osip_message_t *msg)
{
	osip_via_t *via = NULL;
	osip_generic_param_t *br = NULL;

	if (osip_message_get_via(msg, 0, &via) < 0 || via == NULL ||
	    osip_via_param_get_byname(via, "branch", &br) != 0 || br == NULL)
		return NULL;
	return br->gvalue;
}

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

/* Is `tag` (n characters) in the comma-separated list `list`? */
int
tag_listed(const char *list, const char *tag, size_t n)
{
	for (const char *p = list; p != NULL && *p != '\0'; ) {
		size_t k;

		p += strspn(p, " \t,");
		k = strcspn(p, " \t,");
		if (k == n && k > 0 && strncasecmp(p, tag, n) == 0)
			return 1;
		p += k;
	}
	return 0;
}

/* Does any header `name` (or `compact`) of msg list the option tag? */
int
header_lists(const osip_message_t *msg, const char *name,
    const char *compact, const char *tag)
{
	const char *names[2] = { name, compact };
	osip_header_t *h = NULL;

	for (int k = 0; k < 2 && names[k] != NULL; k++)
		for (int i = osip_message_header_get_byname(msg, names[k], 0, &h);
		    i >= 0;
		    i = osip_message_header_get_byname(msg, names[k], i + 1, &h))
			if (tag_listed(h->hvalue, tag, strlen(tag)))
				return 1;
	return 0;
}

/* Does msg's Allow (oSIP2 keeps it apart) list method? */
int
msg_allows(const osip_message_t *msg, const char *method)
{
	const osip_allow_t *a;

	for (int i = 0; (a = osip_list_get(&msg->allows, i)) != NULL; i++)
		if (tag_listed(a->value, method, strlen(method)))
			return 1;
	return 0;
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

/*
 * A URI user part (as oSIP2 gives it: unescaped) written as it goes in a
 * URI: escaped (RFC 3261 25.1: ':', '@', spaces, CR, LF... as %HH), into
 * buf; "" when there is none or it does not fit.
 */
void
user_escaped(const char *user, char *buf, size_t len)
{
	char *esc = user ? __osip_uri_escape_userinfo(user) : NULL;

	buf[0] = '\0';
	if (esc != NULL && strlen(esc) < len)
		memcpy(buf, esc, strlen(esc) + 1);
	osip_free(esc);
}

/* The user part of a name-addr or URI text, escaped, into buf ("" if none). */
void
user_of(const char *text, char *buf, size_t len)
{
	osip_from_t *f = NULL;

	buf[0] = '\0';
	if (text == NULL || osip_from_init(&f) != 0)
		return;
	if (osip_from_parse(f, text) == 0 && f->url && f->url->username)
		user_escaped(f->url->username, buf, len);
	osip_from_free(f);
}

/* A random-enough token: the node id, a counter, and a random part. */
static void
new_token(struct engine *e, const char *prefix, char *buf, size_t len)
{
	unsigned r = (unsigned)random();

	snprintf(buf, len, "%s%s%lx%x", prefix, e->node, ++e->seq, r & 0xffff);
}

void
stack_new_branch(struct engine *e, char *buf, size_t len)
{
	new_token(e, "z9hG4bK", buf, len);
}

void
stack_new_tag(struct engine *e, char *buf, size_t len)
{
	new_token(e, "", buf, len);
}

/* Whether a response's top Via branch is one stack_new_branch() made. */
int
stack_branch_is_ours(const struct engine *e, const osip_message_t *msg)
{
	const char *branch = top_branch(msg);

	return branch != NULL && strncmp(branch, "z9hG4bK", 7) == 0 &&
	    strncmp(branch + 7, e->node, strlen(e->node)) == 0;
}

