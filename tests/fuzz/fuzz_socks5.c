/*
 * fuzz_socks5.c - the SOCKS5 client codec (socks5.h) on arbitrary proxy
 * bytes. Byte 0 picks the configuration: bit 0 credentials (RFC 1929),
 * bit 1 an IPv6 destination, bit 2 credentials of the longest length
 * (255 octets each). The rest is what the proxy sends.
 *
 * The bytes are fed three ways: all at once, one byte per call, and in
 * pseudo-random chunks, with what the codec wants to send written out in
 * pseudo-random pieces between feeds, as a non-blocking client does. The
 * three runs must send the same bytes, consume the same bytes and end
 * alike (state, error, REP, bound address).
 *
 * Invariants: socks5_feed never consumes more than it was given, and
 * stops early only with a request to send or at the end of the handshake;
 * state and error are in range and agree (an error exactly when failed);
 * REP is -1..255, non-zero when the error is a reply; after S5_DONE the
 * bound address is non-empty printable ASCII within SOCKS5_BOUND_MAX and
 * nothing more is consumed or sent; the password is sent only after the
 * proxy chose method 0x02, and after S5_DONE or S5_FAILED, and after
 * socks5_wipe, no copy of it is left in the struct (unless the proxy's
 * own bytes carried it, which the reply buffer and the bound address may
 * then hold; the wipe keeps the bound address of a finished handshake).
 */
#include <stddef.h>
#include <string.h>

#include "fuzz.h"
#include "smtpprobe/socks5.h"

static const char USER[] = "fuzz-user";
static const char PASS[] = "Pw-7f3a9c-secret";

static void tape_num(struct tape *t, long v)
{
	tape_put(t, &v, sizeof v);
}

static size_t next_chunk(enum fuzz_split how, uint32_t *rng, size_t left)
{
	size_t n;

	switch (how) {
	case SPLIT_WHOLE: return left;
	case SPLIT_BYTES: return 1;
	default: break;
	}
	n = fuzz_rand(rng) % 9 + 1;
	return n < left ? n : left;
}

static void check_state(const struct socks5 *s)
{
	enum socks5_state st = socks5_state(s);
	enum socks5_error e = socks5_error(s);
	int rep = socks5_reply_code(s);

	FUZZ_CHECK((unsigned)st < S5__STATE_COUNT);
	FUZZ_CHECK((unsigned)e < S5E__COUNT);
	FUZZ_CHECK((e != S5E_NONE) == (st == S5_FAILED));
	FUZZ_CHECK(rep >= -1 && rep <= 255);
	if (e == S5E_REPLY)
		FUZZ_CHECK(rep > 0);
	FUZZ_CHECK(socks5_state_name(st) != NULL);
	FUZZ_CHECK(socks5_error_name(e) != NULL);
	FUZZ_CHECK(socks5_reply_name(rep) != NULL);
	FUZZ_CHECK(socks5_reply_meaning(rep) != NULL);
}

static void check_no_secret(const struct socks5 *s, const char *pass,
			    const uint8_t *data, size_t size)
{
	size_t plen = strlen(pass);

	if (!fuzz_contains(data, size, pass, plen))
		FUZZ_CHECK(!fuzz_contains(s, sizeof *s, pass, plen));
}

static void run(const uint8_t *data, size_t size, const char *dst,
		const char *user, const char *pass, enum fuzz_split how,
		uint32_t seed, struct tape *t)
{
	struct socks5 s;
	struct tape sent = {0};
	size_t off = 0;
	const unsigned char *p;

	FUZZ_CHECK(socks5_init(&s, dst, 25, user, pass) == 0);
	for (;;) {
		size_t k, chunk, used;

		check_state(&s);
		while ((k = socks5_pending_out(&s, &p)) > 0) {
			size_t piece = fuzz_rand(&seed) % 40 + 1;
			if (piece > k)
				piece = k;
			tape_put(&sent, p, piece);
			socks5_sent(&s, piece);
		}
		if (off == size || socks5_state(&s) == S5_DONE ||
		    socks5_state(&s) == S5_FAILED)
			break;
		chunk = next_chunk(how, &seed, size - off);
		used = socks5_feed(&s, data + off, chunk);
		FUZZ_CHECK(used <= chunk);
		off += used;
		/* Stopping short: a request to send, or the end. */
		if (used < chunk)
			FUZZ_CHECK(socks5_pending_out(&s, &p) > 0 ||
				   socks5_state(&s) == S5_DONE ||
				   socks5_state(&s) == S5_FAILED);
	}
	check_state(&s);
	/* The password goes out only to a proxy that chose 0x02. */
	if (pass && fuzz_contains(sent.buf, sent.len, pass, strlen(pass)))
		FUZZ_CHECK(size >= 2 && data[0] == 5 && data[1] == 2);
	if (socks5_state(&s) == S5_DONE) {
		const char *b = socks5_bound(&s);
		size_t n = strlen(b);

		FUZZ_CHECK(socks5_reply_code(&s) == 0);
		FUZZ_CHECK(n > 0 && n < SOCKS5_BOUND_MAX);
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK(b[i] > 0x20 && b[i] < 0x7f);
		FUZZ_CHECK(socks5_pending_out(&s, &p) == 0);
		if (off < size)
			FUZZ_CHECK(socks5_feed(&s, data + off, size - off) ==
				   0);
		tape_put(t, b, n);
	} else {
		FUZZ_CHECK(socks5_bound(&s)[0] == '\0');
	}
	if (socks5_state(&s) != S5_DONE && socks5_state(&s) != S5_FAILED) {
		/* The proxy's bytes ran out: the connection closed. */
		FUZZ_CHECK(off == size);
		socks5_closed(&s);
		FUZZ_CHECK(socks5_state(&s) == S5_FAILED &&
			   socks5_error(&s) == S5E_CLOSED);
	}
	if (socks5_state(&s) == S5_FAILED)
		FUZZ_CHECK(socks5_feed(&s, data, size) == 0);
	if (pass)
		check_no_secret(&s, pass, data, size);
	tape_num(t, (long)off);
	tape_num(t, socks5_state(&s));
	tape_num(t, socks5_error(&s));
	tape_num(t, socks5_reply_code(&s));
	tape_num(t, (long)sent.len);
	if (sent.len)
		tape_put(t, sent.buf, sent.len);
	socks5_wipe(&s);
	FUZZ_CHECK(socks5_state(&s) == S5_DONE ||
		   socks5_state(&s) == S5_FAILED);
	/* After the wipe only the bound address, the proxy's own text, may
	 * hold it (it is the struct's last member). */
	if (pass)
		FUZZ_CHECK(!fuzz_contains(&s, offsetof(struct socks5, bound),
					  pass, strlen(pass)));
	if (pass)
		check_no_secret(&s, pass, data, size);
	free(sent.buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tape whole = {0}, bytes = {0}, random = {0};
	uint32_t seed;
	char long_user[SOCKS5_CRED_MAX + 1], long_pass[SOCKS5_CRED_MAX + 1];
	const char *user = NULL, *pass = NULL, *dst;
	unsigned cfg;

	if (size < 1)
		return 0;
	cfg = data[0];
	data++;
	size--;
	dst = cfg & 2 ? "2001:db8::25" : "192.0.2.25";
	if (cfg & 4) {
		memset(long_user, 'u', SOCKS5_CRED_MAX);
		long_user[SOCKS5_CRED_MAX] = '\0';
		/* Not one repeated octet, so the proxy's bytes are unlikely
		 * to carry it by chance. */
		for (size_t i = 0; i < SOCKS5_CRED_MAX; i++)
			long_pass[i] = (char)('!' + (i * 7) % 90);
		long_pass[SOCKS5_CRED_MAX] = '\0';
		user = long_user;
		pass = long_pass;
	} else if (cfg & 1) {
		user = USER;
		pass = PASS;
	}
	seed = fuzz_input_seed(data, size);
	run(data, size, dst, user, pass, SPLIT_WHOLE, seed, &whole);
	run(data, size, dst, user, pass, SPLIT_BYTES, seed + 1, &bytes);
	run(data, size, dst, user, pass, SPLIT_RANDOM, seed + 2, &random);
	FUZZ_CHECK(whole.len == bytes.len &&
		   memcmp(whole.buf, bytes.buf, whole.len) == 0);
	FUZZ_CHECK(whole.len == random.len &&
		   memcmp(whole.buf, random.buf, whole.len) == 0);
	free(whole.buf);
	free(bytes.buf);
	free(random.buf);
	return 0;
}
