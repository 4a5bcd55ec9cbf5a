/*
 * test_digest.c: SHA-256 against the FIPS 180-4 examples (NIST's
 * "Example Algorithm Implementations": SHA256.pdf), every column that
 * holds a setting classified for referdConfigDigest, and the digest's
 * rule: what changes it and what does not.
 */
#include <stdlib.h>
#include <string.h>

#include "model/digest.h"
#include "tap.h"

static char *
digest_of(const struct referd_config *cfg, char *hex)
{
	referd_config_digest(cfg, hex);
	return hex;
}

/* Every column of t that holds a setting says whether it is in. */
static void
classified(const struct table *t)
{
	for (const struct column *c = t->cols; c->name; c++)
		ok(referd_digest_column(c) >= 0, "%s.%s is classified for the "
		    "digest", t->name, c->name);
}

static void
sha256_vectors(void)
{
	char hex[REFERD_DIGEST_HEX];
	struct referd_sha256 s;
	unsigned char md[32];
	char *a = malloc(1000000);

	referd_sha256_hex("abc", 3, hex);
	ok(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad") == 0, "SHA-256(\"abc\") %s",
	    hex);
	referd_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnop"
	    "nopq", 56, hex);
	ok(strcmp(hex, "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1") == 0,
	    "SHA-256 of the 448-bit message %s", hex);
	referd_sha256_hex("", 0, hex);
	ok(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855") == 0, "SHA-256(\"\") %s", hex);
	memset(a, 'a', 1000000);
	referd_sha256_hex(a, 1000000, hex);
	ok(strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0") == 0,
	    "SHA-256 of a million 'a' %s", hex);
	/* The same million fed in uneven pieces. */
	referd_sha256_init(&s);
	for (size_t off = 0, n = 1; off < 1000000; off += n, n = n * 3 % 997 + 1)
		referd_sha256_update(&s, a + off,
		    off + n > 1000000 ? 1000000 - off : n);
	referd_sha256_final(&s, md);
	ok(md[0] == 0xcd && md[31] == 0xd0, "... fed in pieces of 1..997");
	free(a);
}

int
main(void)
{
	struct referd_config *a, *b;
	struct referd_sgp sgp;
	struct referd_gw gw;
	struct referd_sig sig;
	char ha[REFERD_DIGEST_HEX], hb[REFERD_DIGEST_HEX];

	sha256_vectors();
	for (size_t i = 0; i < mib_n_tables; i++)
		classified(&mib_tables[i]);
	for (const struct table *const *g = mib_scalar_groups; *g; g++)
		classified(*g);

	if (referd_config_new(&a) != 0)
		return 1;
	referd_sgp_init(&sgp, 1);
	snprintf(sgp.name, sizeof(sgp.name), "carrier");
	sgp.status = REFERD_RS_ACTIVE;
	referd_config_put_sgp(a, &sgp);
	referd_gw_init(&gw, 3);
	snprintf(gw.name, sizeof(gw.name), "carol");
	snprintf(gw.address, sizeof(gw.address), "127.0.0.4");
	gw.status = REFERD_RS_ACTIVE;
	referd_config_put_gw(a, &gw);
	referd_config_dup(a, &b);

	digest_of(a, ha);
	ok(strlen(ha) == 64 && strspn(ha, "0123456789abcdef") == 64,
	    "the digest is 64 lowercase hex digits: %s", ha);
	ok(strcmp(ha, digest_of(b, hb)) == 0, "a copy has the same digest");

	/* Per instance: out. */
	referd_sig_init(&sig, 1);
	snprintf(sig.address, sizeof(sig.address), "127.0.0.1");
	sig.status = REFERD_RS_ACTIVE;
	referd_config_put_sig(b, &sig);
	b->rtp_port_min = 30000;
	b->rtp_port_max = 30099;
	snprintf(b->cdr_dir, sizeof(b->cdr_dir), "/var/cdr/r2");
	snprintf(b->radius_spool, sizeof(b->radius_spool), "/var/spool/r2");
	snprintf(b->radius_secret, sizeof(b->radius_secret), "s3cret");
	referd_config_gw(b, 3)->storage = REFERD_ST_PERMANENT;
	ok(strcmp(ha, digest_of(b, hb)) == 0, "unchanged by a signaling "
	    "endpoint, the RTP range, paths, a secret and a StorageType");

	/* A row not active is not configuration in effect. */
	referd_gw_init(&gw, 4);
	snprintf(gw.name, sizeof(gw.name), "dave");
	gw.status = REFERD_RS_NOTINSERVICE;
	referd_config_put_gw(b, &gw);
	ok(strcmp(ha, digest_of(b, hb)) == 0, "unchanged by a row "
	    "notInService");
	referd_config_gw(b, 4)->status = REFERD_RS_ACTIVE;
	ok(strcmp(ha, digest_of(b, hb)) != 0, "changed when it is active");
	referd_config_del(b, REFERD_TABLE_GW, 4);
	ok(strcmp(ha, digest_of(b, hb)) == 0, "back when it goes");

	/* Policy: in. */
	referd_config_gw(b, 3)->port = 5062;
	ok(strcmp(ha, digest_of(b, hb)) != 0, "changed by a gateway's port");
	referd_config_gw(b, 3)->port = gw.port;
	ok(strcmp(ha, digest_of(b, hb)) == 0, "back when it is set back");
	b->max_calls = 7;
	ok(strcmp(ha, digest_of(b, hb)) != 0, "changed by maxCalls");
	b->max_calls = a->max_calls;
	b->invite_timeout++;
	ok(strcmp(ha, digest_of(b, hb)) != 0, "changed by inviteTimeout "
	    "(a setting of the file alone)");
	b->invite_timeout = a->invite_timeout;
	snprintf(referd_config_sgp(b, 1)->name, REFERD_NAME_MAX + 1, "carrieR");
	ok(strcmp(ha, digest_of(b, hb)) != 0, "changed by a profile's name");

	referd_config_free(a);
	referd_config_free(b);
	return tap_done();
}
