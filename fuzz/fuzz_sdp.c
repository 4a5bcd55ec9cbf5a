/*
 * fuzz_sdp.c: libFuzzer target for the SDP that referd reads and
 * rewrites when it anchors media (sip/sdp.c): sdp_parse, sdp_get_media,
 * sdp_direction and sdp_write, as media.c calls them.
 *
 * The input's first byte chooses referd's address family and the
 * direction to write; the rest is the SDP body.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const dirs[] = { NULL, "sendrecv", "sendonly",
	    "recvonly", "inactive" };
	char host[INET6_ADDRSTRLEN + 1], *sdp, *out;
	const char *dir, *addr;
	int port = 0, rc;
	uint8_t sel;

	if (size < 1 || size > 65536)
		return 0;
	sel = data[0];
	sdp = malloc(size);
	if (sdp == NULL)
		return 0;
	memcpy(sdp, data + 1, size - 1);
	sdp[size - 1] = '\0';

	/* leg_learn_media, new_call */
	rc = sdp_get_media(sdp, host, sizeof(host), &port);
	if (rc == 0 && (port <= 0 || port > 65535 || host[0] == '\0'))
		abort();
	/* on_reinvite */
	dir = sdp_direction(sdp);
	if (dir == NULL)
		abort();
	/* leg_sdp: referd's address, ports, origin, payload types, direction */
	addr = sel & 0x80 ? "2001:db8::1" : "127.0.0.1";
	{
		int ports[SDP_MEDIA_MAX];
		struct pt_set keep[SDP_MEDIA_MAX];
		struct sdp parsed;
		struct sdp_write w = {
			.addr = addr, .origin_user = "referd", .origin_id = "7",
			.version = (unsigned)sel * 1000003u,
			.nports = SDP_MEDIA_MAX, .ports = ports,
			.keep = sel & 0x40 ? keep : NULL,
			.direction = dirs[(sel >> 4) % 5],
		};

		memset(keep, 0, sizeof(keep));
		for (int k = 0; k < SDP_MEDIA_MAX; k++) {
			ports[k] = k == 1 && (sel & 0x20) ? 0 :
			    40000 + (sel & 0x0f) * 2 + 2 * k;
			pt_add(&keep[k], 0);
			pt_add(&keep[k], 101);
		}
		if (sdp_parse(sdp, &parsed) == 0 &&
		    (parsed.n < 1 || parsed.n > SDP_MEDIA_MAX ||
		    parsed.n > parsed.n_total))
			abort();
		out = sdp_write(sdp, &w);
	}
	if (out != NULL) {
		/* What referd writes it reads back: its own address and port
		 * (or the stream refused). */
		char h2[INET6_ADDRSTRLEN + 1];
		int p2 = 0;

		if (sdp_get_media(out, h2, sizeof(h2), &p2) == 0 &&
		    (p2 != 40000 + (sel & 0x0f) * 2 || strcmp(h2, addr) != 0))
			abort();
		free(out);
	}
	free(sdp);
	return 0;
}
