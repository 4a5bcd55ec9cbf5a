/*
 * fuzz_headers.c: libFuzzer target for the header helpers of REFER and
 * Replaces (sip/refer.c, sip/replaces.c): the Refer-To URI split into
 * the target and its Replaces header, the user part of a Referred-By or
 * From (user_of), the Replaces value parser, the name-addr and tag
 * helpers of call.c, and the sipfrag status line of a NOTIFY.
 *
 * The input is one header value (as oSIP2 hands it to referd); its first
 * two bytes also choose the status code of the sipfrag.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_port.h>

#include "sip/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A parsed Replaces is what the parser promises: terminated, complete. */
static void
check_replaces(const char *v)
{
	struct replaces r;

	if (parse_replaces(v, &r) != 0)
		return;
	if (r.call_id[0] == '\0' || r.to_tag[0] == '\0' ||
	    r.from_tag[0] == '\0' ||
	    strnlen(r.call_id, sizeof(r.call_id)) == sizeof(r.call_id) ||
	    strnlen(r.to_tag, sizeof(r.to_tag)) == sizeof(r.to_tag) ||
	    strnlen(r.from_tag, sizeof(r.from_tag)) == sizeof(r.from_tag))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, user[128], frag[160];
	osip_from_t *rt = NULL;
	int code;

	if (size > 8192)
		return 0;
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	/* Replaces header value (replaces_on_invite). */
	check_replaces(text);

	/* Referred-By / From user (refer_on_request: the From of the INVITE
	 * to C); it must fit the buffer. */
	user_of(text, user, sizeof(user));
	if (strnlen(user, sizeof(user)) == sizeof(user))
		abort();

	/* Refer-To (refer_on_request): the target and its Replaces. */
	if (osip_from_init(&rt) == 0 && osip_from_parse(rt, text) == 0 &&
	    rt->url != NULL) {
		char *target = NULL, *replaces = NULL, *na;
		const char *tag;

		tag = header_tag(rt);
		if (tag != NULL && strlen(tag) > size)
			abort();
		na = name_addr(rt);        /* a leg's From/To URI */
		free(na);
		refer_split_target(rt->url, &target, &replaces);
		if (replaces != NULL)
			check_replaces(replaces);
		if (target != NULL)
			user_of(target, user, sizeof(user));
		free(target);
		free(replaces);
	}
	osip_from_free(rt);

	/* The sipfrag of a NOTIFY, for any status C may answer. */
	code = size >= 2 ? 100 + (data[0] << 8 | data[1]) % 600 : 100;
	if (refer_sipfrag(frag, sizeof(frag), code, size > 2 && data[0] & 1 ?
	    text + 2 : NULL) < 0 || strncmp(frag, "SIP/2.0 ", 8) != 0)
		abort();
	free(text);
	return 0;
}
