/*
 * msg.c: reading SIP messages (headers oSIP2 has no typed field for, tags,
 * bodies, Contact, route sets, Call-IDs), and the identifiers referd makes
 * for its own messages (branches, tags, Call-IDs) from a pool of the
 * kernel's random bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

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

/*
 * The same with the URI's host and port replaced by host:port (topology
 * hiding: the user and display name stay, nothing of the peer's network
 * does); NULL when it cannot be made.
 */
char *
name_addr_at(osip_from_t *h, const char *host, unsigned port)
{
	osip_from_t *copy = NULL;
	char p[12], *out = NULL;

	if (h == NULL || h->url == NULL || osip_from_clone(h, &copy) != 0)
		return NULL;
	osip_free(copy->url->host);
	osip_free(copy->url->port);
	copy->url->host = osip_strdup(host);
	snprintf(p, sizeof(p), "%u", port);
	copy->url->port = osip_strdup(p);
	out = name_addr(copy);
	osip_from_free(copy);
	return out;
}

/*
 * A header value of the name-addr form without its header parameters
 * (`<sip:b@host>;tag=x` is `<sip:b@host>`), or a copy when it has no
 * angle brackets to end it; caller frees.
 */
char *
name_addr_only(const char *value)
{
	const char *gt = strchr(value, '>');

	return gt != NULL && strchr(value, '<') != NULL &&
	    strchr(value, '<') < gt ? strndup(value, (size_t)(gt - value + 1)) :
	    strdup(value);
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

/*
 * The value of the first header named name (or compact) in the text a
 * received message came as, exactly as written there (continuation lines
 * joined by one space), for headers oSIP2 reformats or keeps in a list of
 * its own (Content-Type, Accept); NULL when there is none.  Caller frees.
 */
char *
header_raw(const osip_message_t *msg, const char *name, const char *compact)
{
	const char *p = msg->message, *end;
	size_t nl = strlen(name);

	if (p == NULL)
		return NULL;
	end = p + msg->message_length;
	p = memchr(p, '\n', (size_t)(end - p));    /* past the start line */
	while (p != NULL && ++p < end && *p != '\r' && *p != '\n') {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t k = 0;

		if (eol == NULL)
			eol = end;
		if ((size_t)(eol - p) > nl && strncasecmp(p, name, nl) == 0)
			k = nl;
		else if (compact != NULL && strncasecmp(p, compact, 1) == 0 &&
		    (p[1] == ':' || p[1] == ' ' || p[1] == '\t'))
			k = 1;
		if (k > 0) {
			const char *v = p + k;

			v += strspn(v, " \t");
			if (*v == ':') {
				char *out = NULL;
				size_t n = 0;

				for (v++; ; ) {
					const char *le = memchr(v, '\n', (size_t)(end - v));
					size_t m;
					char *no;

					if (le == NULL)
						le = end;
					v += strspn(v, " \t");
					m = (size_t)(le - v);
					while (m > 0 && (v[m - 1] == '\r' || v[m - 1] == ' ' ||
					    v[m - 1] == '\t'))
						m--;
					if ((no = realloc(out, n + m + 2)) == NULL) {
						free(out);
						return NULL;
					}
					out = no;
					if (n > 0)
						out[n++] = ' ';
					memcpy(out + n, v, m);
					n += m;
					out[n] = '\0';
					if (le == end || le + 1 >= end ||
					    (le[1] != ' ' && le[1] != '\t'))
						return out;
					v = le + 1;
				}
			}
		}
		p = eol < end ? eol : NULL;
	}
	return NULL;
}

/*
 * The body of a received message exactly as it came (every part of a
 * multipart body, bytes that may hold NUL), its length in *lenp; NULL when
 * it has none.  Taken from the text oSIP2 keeps of a parsed message, or
 * else from its first body.
 */
const char *
body_raw(const osip_message_t *msg, size_t *lenp)
{
	const char *end = NULL;
	osip_body_t *b = NULL;

	if (msg->message != NULL && msg->message_length > 0) {
		const char *m = msg->message;

		for (size_t i = 0; i + 3 < msg->message_length; i++)
			if (m[i] == '\r' && m[i + 1] == '\n' && m[i + 2] == '\r' &&
			    m[i + 3] == '\n') {
				end = m + i + 4;
				break;
			}
	}
	if (end != NULL) {
		size_t n = msg->message_length - (size_t)(end - msg->message);

		if (msg->content_length != NULL &&
		    msg->content_length->value != NULL &&
		    strtoul(msg->content_length->value, NULL, 10) < n)
			n = strtoul(msg->content_length->value, NULL, 10);
		*lenp = n;
		return n > 0 ? end : NULL;
	}
	if (osip_message_get_body(msg, 0, &b) < 0 || b == NULL ||
	    b->body == NULL)
		return NULL;
	*lenp = b->length;
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
 * The transport address a SIP URI names (text: the URI, bare or in <>):
 * its host, which must be an IP literal (referd resolves no names on its
 * engine thread), and its port (5060 when absent).  0, or EINVAL.
 */
int
uri_addr(const char *text, struct addr *out)
{
	const char *lt = strchr(text, '<');
	char *bare = lt ? strndup(lt + 1, strcspn(lt + 1, ">")) : strdup(text);
	osip_uri_t *u = NULL;
	int rc = EINVAL;

	if (bare != NULL && osip_uri_init(&u) == 0 &&
	    osip_uri_parse(u, bare) == 0 && u->host != NULL)
		rc = addr_from_text(out, u->host, u->port ? atoi(u->port) :
		    5060);
	osip_uri_free(u);
	free(bare);
	return rc;
}

/*
 * Append ", piece" (or piece, to an empty text) to the text *outp of
 * length *lenp, which grows.  0, or ENOMEM (the text is left as it was).
 */
static int
text_join(char **outp, size_t *lenp, const char *piece)
{
	size_t tl = strlen(piece), len = *lenp;
	char *grown = realloc(*outp, len + tl + 3);

	if (grown == NULL)
		return ENOMEM;
	if (len) {
		memcpy(grown + len, ", ", 2);
		len += 2;
	}
	memcpy(grown + len, piece, tl + 1);
	*outp = grown;
	*lenp = len + tl;
	return 0;
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
		char *text = NULL;
		int rc;

		if (rr == NULL || osip_record_route_to_str(rr, &text) != 0)
			continue;
		rc = text_join(&out, &len, text);
		osip_free(text);
		if (rc != 0) {
			free(out);
			return NULL;
		}
	}
	return out;
}

/*
 * Every value of the headers named name (oSIP2 keeps one per
 * comma-separated value) as one header value, in order; "" for a header
 * without a value, NULL when there is none.  Caller frees.
 */
char *
header_all(const osip_message_t *msg, const char *name)
{
	osip_header_t *h = NULL;
	size_t len = 0;
	char *out = NULL;

	for (int i = osip_message_header_get_byname(msg, name, 0, &h); i >= 0;
	    i = osip_message_header_get_byname(msg, name, i + 1, &h)) {
		const char *v = h->hvalue ? h->hvalue : "";

		if (*v == '\0' && out != NULL)
			continue;
		if (text_join(&out, &len, v) != 0) {
			free(out);
			return NULL;
		}
	}
	return out;
}

/*
 * The Contacts of a message (a 3xx's), every one in order, as one header
 * value; NULL when it has none.  Caller frees.
 */
char *
contacts_of(const osip_message_t *msg)
{
	osip_contact_t *ct;
	size_t len = 0;
	char *out = NULL;

	for (int i = 0; (ct = osip_list_get(&msg->contacts, i)) != NULL; i++) {
		char *one = NULL;
		int rc;

		if (osip_contact_to_str(ct, &one) != 0 || one == NULL)
			continue;
		rc = text_join(&out, &len, one);
		osip_free(one);
		if (rc != 0)
			break;
	}
	return out;
}

/* Parse a composed message text into an osip message. */
osip_message_t *
parse_text(const char *text)
{
	return parse_text_len(text, strlen(text));
}

/*
 * The same, for a text of len bytes (its body may hold NUL).  The message
 * keeps the text as oSIP2's own copy of it (the `message` of a message
 * whose structure it still matches), so that what is sent is this text
 * byte for byte: oSIP2 would print it again its way (`Max-forwards`, a
 * line per comma-separated value of Allow or Supported, a padded
 * Content-Length, Content-Type's parameters re-spaced).  Any later change
 * to the message drops that copy.
 */
osip_message_t *
parse_text_len(const char *text, size_t len)
{
	osip_message_t *msg = NULL;

	if (osip_message_init(&msg) != 0)
		return NULL;
	if (osip_message_parse(msg, text, len) != 0) {
		osip_message_free(msg);
		return NULL;
	}
	if ((msg->message = osip_malloc(len + 1)) != NULL) {
		memcpy(msg->message, text, len);
		msg->message[len] = '\0';
		msg->message_length = len;
		msg->message_property = 1;
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

/* ---- random values -------------------------------------------------- */

/*
 * len random bytes from the kernel's CSPRNG into buf: getrandom(2), or
 * /dev/urandom (e->rnd_fd) on a kernel without it; short reads and
 * EINTR are continued.  0, or an errno value.
 */
static int
kernel_random(struct engine *e, unsigned char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = e->rnd_fd >= 0 ?
		    read(e->rnd_fd, buf + got, len - got) :
		    getrandom(buf + got, len - got, 0);

		if (n > 0)
			got += (size_t)n;
		else if (n < 0 && errno == EINTR)
			continue;
		else
			return n == 0 ? EIO : errno;
	}
	return 0;
}

int
stack_random_init(struct engine *e)
{
	unsigned char node[4];
	int rc, rc_dev;

	e->rnd_fd = -1;
	e->rnd_used = sizeof(e->rnd);          /* empty: filled at first use */
	if ((rc = kernel_random(e, node, sizeof(node))) != 0) {
		e->rnd_fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		rc_dev = e->rnd_fd < 0 ? errno :
		    kernel_random(e, node, sizeof(node));
		if (rc_dev != 0) {
			engine_log(e, ENGINE_LOG_ERR, "no random numbers: "
			    "getrandom: %s; /dev/urandom: %s; referd makes no "
			    "Call-ID, tag or branch without them",
			    strerror(rc), strerror(rc_dev));
			if (e->rnd_fd >= 0)
				close(e->rnd_fd);
			e->rnd_fd = -1;
			return rc_dev;
		}
		engine_log(e, ENGINE_LOG_NOTICE, "getrandom: %s: random "
		    "numbers are read from /dev/urandom", strerror(rc));
	}
	snprintf(e->node, sizeof(e->node), "%02x%02x%02x%02x", node[0],
	    node[1], node[2], node[3]);
	return 0;
}

void
stack_random_free(struct engine *e)
{
	if (e->rnd_fd >= 0)
		close(e->rnd_fd);
	e->rnd_fd = -1;
}

/*
 * len random bytes from the engine's pool, refilled with one read of the
 * kernel's when used up.  The source answered at start (engine_new); it
 * failing later would leave referd only predictable identifiers, so
 * referd stops instead (getrandom(2) does not fail once it has answered;
 * /dev/urandom is kept open).
 */
static void
stack_random(struct engine *e, unsigned char *out, size_t len)
{
	while (len > 0) {
		size_t n = sizeof(e->rnd) - e->rnd_used;
		int rc;

		if (n == 0) {
			if (e->random_hook != NULL)
				e->random_hook(e, e->rnd, sizeof(e->rnd));
			else if ((rc = kernel_random(e, e->rnd,
			    sizeof(e->rnd))) != 0) {
				fprintf(stderr, "referd: random numbers: %s\n",
				    strerror(rc));
				abort();
			}
			e->rnd_used = 0;
			n = sizeof(e->rnd);
		}
		if (n > len)
			n = len;
		memcpy(out, e->rnd + e->rnd_used, n);
		e->rnd_used += n;
		out += n;
		len -= n;
	}
}

/* n random bytes as 2n lowercase hex digits into buf (2n + 1 bytes). */
static void
random_hex(struct engine *e, char *buf, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[32];

	if (n > sizeof(b))
		n = sizeof(b);
	stack_random(e, b, n);
	for (size_t i = 0; i < n; i++) {
		buf[2 * i] = hex[b[i] >> 4];
		buf[2 * i + 1] = hex[b[i] & 15];
	}
	buf[2 * n] = '\0';
}

uint32_t
stack_random_u32(struct engine *e)
{
	uint32_t v;

	stack_random(e, (unsigned char *)&v, sizeof(v));
	return v;
}

/* A branch: the magic cookie, this run's node (stack_branch_is_ours),
 * 64 random bits and a counter (unique within the run). */
void
stack_new_branch(struct engine *e, char *buf, size_t len)
{
	char r[17];

	random_hex(e, r, 8);
	snprintf(buf, len, "z9hG4bK%s%s%lx", e->node, r, ++e->seq);
}

/* A tag: 80 random bits (RFC 3261 19.3 asks for at least 32). */
void
stack_new_tag(struct engine *e, char *buf, size_t len)
{
	char r[21];

	random_hex(e, r, 10);
	snprintf(buf, len, "%s", r);
}

/* A Call-ID (the interface of README "Identifiers"):
 * INSTANCE~32-hex-digits@HOST, 128 random bits. */
void
stack_new_call_id(struct engine *e, const char *host, char *buf, size_t len)
{
	char r[33];

	random_hex(e, r, 16);
	snprintf(buf, len, "%s~%s@%s", e->instance, r, host);
}

/* Whether a response's top Via branch is one stack_new_branch() made. */
int
stack_branch_is_ours(const struct engine *e, const osip_message_t *msg)
{
	const char *branch = top_branch(msg);

	return branch != NULL && strncmp(branch, "z9hG4bK", 7) == 0 &&
	    strncmp(branch + 7, e->node, strlen(e->node)) == 0;
}

