/*
 * tmcred-verify: checks a certificate's QR link against a saved key set, with no network and no
 * database, using the server's own decision (cert_check() in certs/keyset.c).
 *
 *   tmcred-verify --keys KEYSET.json [--name NAME] URL
 *   tmcred-verify --keys KEYSET.json [--name NAME] --serial SERIAL --token TOKEN
 *   tmcred-verify --keys KEYSET.json [--name NAME] --png FILE
 *   tmcred-verify --trust TRUST.json ...   (instead of --keys: a trust list file, tmcred-ctl
 *                                           trust-export; the set of the serial's node is used)
 *
 * Exit status: 0 only for a genuine signature (see `usage` and certs/README.md). A genuine
 * signature says the node issued these claims; whether the certificate is still valid
 * (suspended, revoked, superseded by a renewal) only the node's verify page can tell.
 */
#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "certs/keyset.h"
#include "certs/keysig.h"
#include "certs/qrread.h"
#include "certs/signature.h"
#include "certs/statement.h"

/* Exit statuses, one per kind of answer; documented in usage() and certs/README.md. */
enum {
	EXIT_GENUINE = 0,
	EXIT_FORGED = 1,        /* signature does not verify, token malformed, key used outside its window */
	EXIT_USAGE = 2,
	EXIT_MALFORMED = 3,     /* not a verification link, or a serial with a typing error */
	EXIT_UNKNOWN_KEY = 4,   /* no key with that id in the key set */
	EXIT_OTHER_NODE = 5,    /* another node's serial, or a link to a host that is not the set's */
	EXIT_KEYSET = 6,        /* the key set file cannot be read or is not a key set */
	EXIT_IMAGE = 7,         /* the PNG cannot be read or holds no single QR code */
	EXIT_NAME = 8,          /* genuine, but --name is not the name the certificate was issued to */
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: tmcred-verify --keys KEYSET.json [--name NAME] URL\n"
	    "       tmcred-verify --keys KEYSET.json [--name NAME] --serial SERIAL --token TOKEN\n"
	    "       tmcred-verify --keys KEYSET.json [--name NAME] --png FILE\n"
	    "       tmcred-verify --trust TRUST.json ...  (a trust list, tmcred-ctl trust-export)\n"
	    "\n"
	    "Checks the signature of a tmcred certificate or credit statement (CS-...) link offline.\n"
	    "KEYSET.json is a saved copy of\n"
	    "the node's GET /.well-known/tmcred-keys.json. --name also checks that the certificate was\n"
	    "issued to that full name (exactly as printed on it). With --trust, the key set of the\n"
	    "serial's node is taken from the trust list; a node not in it exits 5.\n"
	    "\n"
	    "exit status: 0 genuine, 1 forged, 2 usage, 3 malformed link or serial, 4 unknown key,\n"
	    "             5 another node's certificate or host, 6 bad key set, 7 unreadable image,\n"
	    "             8 genuine but issued to another name\n");
}

/* Reads the whole file (at most max bytes) into a NUL-terminated malloc'ed buffer. */
static char *
slurp(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL)
		return NULL;
	if ((buf = malloc(max + 2)) == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, max + 1, f);
	if (ferror(f) || n > max) {
		fclose(f);
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static const char *
level_zh(char level)
{
	return level == 'J' ? "初级" : level == 'I' ? "中级" : level == 'S' ? "高级" : "?";
}

static void
print_claims(const struct verify_link *l, const struct keyset *ks)
{
	const struct cert_claims *c = &l->claims;
	char d1[11], d2[11], hex[2 * HOLDER_HASH_BYTES + 1];
	const struct cert_key *k = keyset_find(ks, c->key_id);
	struct ymd today = ymd_today_utc();

	ymd_format(c->issued, d1);
	ymd_format(c->expires, d2);
	sodium_bin2hex(hex, sizeof(hex), c->holder, HOLDER_HASH_BYTES);
	printf("serial:   %s\n", c->serial);
	printf("level:    %c (%s技术经理人)\n", c->level, level_zh(c->level));
	printf("revision: %u\n", c->rev);
	printf("issued:   %s\n", d1);
	printf("expires:  %s%s\n", d2, ymd_cmp(today, c->expires) > 0 ? "  (past: expired)" : "");
	printf("holder:   %s (hash of the full name)\n", hex);
	if (k != NULL) {
		char f[11], u[11] = "open";
		ymd_format(k->valid_from, f);
		if (k->has_until)
			ymd_format(k->valid_until, u);
		printf("key:      %s (node %s%s%s, valid %s .. %s)\n", k->id, ks->node,
		    ks->name[0] ? " " : "", ks->name, f, u);
	} else {
		printf("key:      %s\n", c->key_id);
	}
}

static void
hours_text(unsigned x2, char *buf, size_t cap)
{
	snprintf(buf, cap, x2 % 2 ? "%u.5" : "%u", x2 / 2);
}

/*
 * A credit statement's link (CS-...): the same keys and the same decision (key_check), the
 * signed figures printed per year. Returns the exit status.
 */
static int
verify_statement(const struct keyset *ks, const char *keys, const struct keyset *trusted,
    size_t ntrusted, const char *url, const char *path, const char *name)
{
	struct stmt_link l;
	struct stmt_no sn;
	char p[STMT_PAYLOAD_MAX], d[11], a[16], b[16], c[16], e[16], f[16], g[16];
	enum vurl_err ve = url ? stmt_url_parse(url, strlen(url), &l) :
	    stmt_path_parse(path, strlen(path), &l);
	int n;

	if (ve == VURL_ESERIAL) {
		printf("MALFORMED: %s: %s\n", serial_err_code(l.no_err), serial_err_message(l.no_err));
		return EXIT_MALFORMED;
	}
	if (ve != VURL_OK || (n = stmt_payload(&l.claims, p, sizeof(p))) < 0 ||
	    stmt_no_parse(l.claims.no, strlen(l.claims.no), &sn) != SERIAL_OK) {
		printf(ve == VURL_ETOKEN || ve == VURL_OK ?
		    "FORGED: the token is malformed or altered (%s)\n" :
		    "MALFORMED: not a verification link (%s)\n", vurl_err_code(ve));
		return ve == VURL_ETOKEN || ve == VURL_OK ? EXIT_FORGED : EXIT_MALFORMED;
	}
	if (trusted != NULL) {
		/* a trust list: the set of the statement's node, as for certificates */
		size_t i = 0;
		for (; i < ntrusted && strcmp(trusted[i].node, sn.node) != 0; i++)
			;
		if (i >= ntrusted) {
			printf("NOT TRUSTED: statement %s is not from a node in the trust list %s\n",
			    l.claims.no, keys);
			return EXIT_OTHER_NODE;
		}
		ks = &trusted[i];
	}
	enum cert_check cc = key_check(ks, sn.node, l.claims.key_id, l.claims.issued, p,
	    (size_t)n, l.sig);
	switch (cc) {
	case CHECK_GENUINE:
		break;
	case CHECK_OTHER_NODE:
		printf("OTHER NODE: statement %s was not issued by node %s; use that node's key set\n",
		    l.claims.no, ks->node);
		return EXIT_OTHER_NODE;
	case CHECK_UNKNOWN_KEY:
		printf("UNKNOWN KEY: no key \"%s\" in %s (forged, or the key set is out of date)\n",
		    l.claims.key_id, keys);
		return EXIT_UNKNOWN_KEY;
	default:
		printf("FORGED: the signature does not match the statement data (%s)\n",
		    cert_check_code(cc));
		return EXIT_FORGED;
	}
	if (url != NULL && strcasecmp(l.base, ks->base_url) != 0) {
		printf("OTHER HOST: the signature is genuine, but the link leads to %s, not %s\n",
		    l.base, ks->base_url);
		return EXIT_OTHER_NODE;
	}
	if (name != NULL) {
		unsigned char h[HOLDER_HASH_BYTES];
		if (holder_hash(name, h) < 0 || sodium_memcmp(h, l.claims.holder, sizeof(h)) != 0) {
			printf("NAME MISMATCH: the signature is genuine, but the statement was not "
			    "issued to \"%s\"\n", name);
			return EXIT_NAME;
		}
	}
	ymd_format(l.claims.issued, d);
	printf("GENUINE: credit statement signed by node %s with key %s (真实签名)\n", ks->node,
	    l.claims.key_id);
	printf("statement: %s (继续教育学时证明)\n", l.claims.no);
	printf("issued:   %s\n", d);
	if (name != NULL)
		printf("name:     %s (matches)\n", name);
	printf("year  total  professional  general  compulsory  required (professional)  met\n");
	for (unsigned i = 0; i < l.claims.n_years; i++) {
		const struct stmt_year *y = &l.claims.years[i];
		hours_text(y->total_x2, a, sizeof(a));
		hours_text(y->professional_x2, b, sizeof(b));
		hours_text(y->general_x2, c, sizeof(c));
		hours_text(y->compulsory_x2, e, sizeof(e));
		hours_text(y->required_x2, f, sizeof(f));
		hours_text(y->required_prof_x2, g, sizeof(g));
		printf("%d  %s  %s  %s  %s  %s (%s)  %s\n", y->year, a, b, c, e, f, g,
		    y->met ? "yes" : "no");
	}
	return EXIT_GENUINE;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "keys", required_argument, NULL, 'k' },
		{ "trust", required_argument, NULL, 'T' },
		{ "serial", required_argument, NULL, 's' },
		{ "token", required_argument, NULL, 't' },
		{ "png", required_argument, NULL, 'p' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *keys = NULL, *trust = NULL, *serial = NULL, *token = NULL, *png = NULL, *name = NULL;
	char text[QRREAD_TEXT_MAX], path[3 + SERIAL_MAX + 1 + VERIFY_TOKEN_MAX + 1];
	char path_or_url[VERIFY_URL_MAX + 1];
	const char *url = NULL, *why = NULL;
	static struct keyset ks, trusted[PEERS_TRUST_MAX];
	size_t ntrusted = 0;
	struct verify_link l;
	enum vurl_err ve;
	enum cert_check cc;
	char *json;
	size_t len;
	int c;

	while ((c = getopt_long(argc, argv, "k:T:s:t:p:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': keys = optarg; break;
		case 'T': trust = optarg; break;
		case 's': serial = optarg; break;
		case 't': token = optarg; break;
		case 'p': png = optarg; break;
		case 'n': name = optarg; break;
		case 'h': usage(stdout); return EXIT_GENUINE;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc)
		url = argv[optind++];
	/* exactly one of: URL, --serial + --token, --png */
	if ((keys == NULL) == (trust == NULL) || optind != argc || (serial == NULL) != (token == NULL) ||
	    (url != NULL) + (serial != NULL) + (png != NULL) != 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "tmcred-verify: libsodium failed to initialise\n");
		return EXIT_USAGE;
	}

	if (trust != NULL) {
		keys = trust;
		if ((json = slurp(trust, TRUST_JSON_MAX, &len)) == NULL) {
			fprintf(stderr, "tmcred-verify: %s: %s\n", trust, strerror(errno));
			return EXIT_KEYSET;
		}
		if (trust_parse(json, len, trusted, PEERS_TRUST_MAX, &ntrusted, &why) < 0) {
			fprintf(stderr, "tmcred-verify: %s: not a trust list: %s\n", trust, why);
			free(json);
			return EXIT_KEYSET;
		}
		free(json);
	} else {
		if ((json = slurp(keys, KEYSET_JSON_MAX, &len)) == NULL) {
			fprintf(stderr, "tmcred-verify: %s: %s\n", keys, strerror(errno));
			return EXIT_KEYSET;
		}
		if (keyset_parse(json, len, &ks, &why) < 0) {
			fprintf(stderr, "tmcred-verify: %s: not a key set: %s\n", keys, why);
			free(json);
			return EXIT_KEYSET;
		}
		free(json);
	}

	if (png != NULL) {
		enum qrread_err qe = qr_read_png_file(png, text, sizeof(text), &len);
		if (qe != QRREAD_OK) {
			fprintf(stderr, "tmcred-verify: %s: %s\n", png, qrread_err_message(qe));
			return EXIT_IMAGE;
		}
		url = text;
		printf("link:     %s\n", url);
	}
	if (url != NULL) {
		/* <BASE>/V/CS-...: a credit statement on the same path */
		size_t bl;
		if (verify_url_split(url, strlen(url), &bl) == VURL_OK &&
		    stmt_no_like(url + bl + 3, strlen(url + bl + 3)))
			return verify_statement(&ks, keys, trust ? trusted : NULL, ntrusted, url, NULL,
			    name);
	} else if (stmt_no_like(serial, strlen(serial))) {
		if (strlen(serial) > STMT_NO_MAX || strlen(token) > STMT_TOKEN_MAX ||
		    strchr(serial, '/') || strchr(token, '/')) {
			printf("FORGED: the token is malformed or altered\n");
			return EXIT_FORGED;
		}
		char sp[3 + STMT_NO_MAX + 1 + STMT_TOKEN_MAX + 1];
		snprintf(sp, sizeof(sp), "/V/%s/%s", serial, token);
		return verify_statement(&ks, keys, trust ? trusted : NULL, ntrusted, NULL, sp, name);
	}
	if (url != NULL) {
		ve = verify_url_parse(url, strlen(url), &l);
	} else {
		size_t sl = strlen(serial), tl = strlen(token);
		if (sl > SERIAL_MAX || tl > VERIFY_TOKEN_MAX || strchr(serial, '/') ||
		    strchr(token, '/')) {
			ve = sl > SERIAL_MAX ? VURL_ESERIAL : VURL_ETOKEN;
			l.serial_err = SERIAL_EFORMAT;
		} else {
			snprintf(path, sizeof(path), "/V/%s/%s", serial, token);
			ve = verify_path_parse(path, strlen(path), &l);
		}
	}
	switch (ve) {
	case VURL_OK:
		break;
	case VURL_ETOKEN:
		printf("FORGED: the token is malformed or altered (%s)\n", vurl_err_code(ve));
		return EXIT_FORGED;
	case VURL_ESERIAL:
		printf("MALFORMED: %s: %s\n", serial_err_code(l.serial_err),
		    serial_err_message(l.serial_err));
		return EXIT_MALFORMED;
	default:
		printf("MALFORMED: not a certificate verification link (%s)\n", vurl_err_code(ve));
		return EXIT_MALFORMED;
	}

	if (trust != NULL) {
		struct serial sp;
		size_t i = 0;
		if (serial_parse(l.claims.serial, strlen(l.claims.serial), &sp) == SERIAL_OK)
			for (; i < ntrusted && strcmp(trusted[i].node, sp.node) != 0; i++)
				;
		if (i >= ntrusted) {
			printf("NOT TRUSTED: serial %s is not from a node in the trust list %s\n",
			    l.claims.serial, trust);
			return EXIT_OTHER_NODE;
		}
		ks = trusted[i];
	}
	cc = cert_check(&ks, &l);
	switch (cc) {
	case CHECK_GENUINE:
		break;
	case CHECK_OTHER_NODE:
		printf("OTHER NODE: serial %s was not issued by node %s; use that node's key set\n",
		    l.claims.serial, ks.node);
		return EXIT_OTHER_NODE;
	case CHECK_UNKNOWN_KEY:
		printf("UNKNOWN KEY: no key \"%s\" in %s (forged, or the key set is out of date)\n",
		    l.claims.key_id, keys);
		return EXIT_UNKNOWN_KEY;
	case CHECK_KEY_WINDOW:
		printf("FORGED: key %s was not valid on the claimed issue date (%s)\n",
		    l.claims.key_id, cert_check_code(cc));
		print_claims(&l, &ks);
		return EXIT_FORGED;
	case CHECK_FORGED:
	default:
		printf("FORGED: the signature does not match the certificate data (%s)\n",
		    cert_check_code(cc));
		return EXIT_FORGED;
	}

	/* The base is not signed: a genuine token behind another host's link is a trap. */
	if (url != NULL && strcasecmp(l.base, ks.base_url) != 0) {
		printf("OTHER HOST: the signature is genuine, but the link leads to %s, not %s\n",
		    l.base, ks.base_url);
		print_claims(&l, &ks);
		return EXIT_OTHER_NODE;
	}
	if (name != NULL) {
		unsigned char h[HOLDER_HASH_BYTES];
		if (holder_hash(name, h) < 0 || sodium_memcmp(h, l.claims.holder, sizeof(h)) != 0) {
			printf("NAME MISMATCH: the signature is genuine, but the certificate was not "
			    "issued to \"%s\"\n", name);
			print_claims(&l, &ks);
			return EXIT_NAME;
		}
	}
	if (trust != NULL)
		printf("GENUINE: valid signature from %s (%s), key %s (真实签名)\n",
		    ks.name[0] ? ks.name : ks.node, ks.node, l.claims.key_id);
	else
		printf("GENUINE: signed by node %s with key %s (真实签名)\n", ks.node,
		    l.claims.key_id);
	print_claims(&l, &ks);
	if (name != NULL)
		printf("name:     %s (matches)\n", name);
	/* Only the node knows about suspension, revocation and renewal: point at its page. */
	if (verify_url(ks.base_url, &l.claims, l.sig, path_or_url, sizeof(path_or_url)) > 0)
		printf("status:   suspended, revoked or renewed is only shown online: %s\n",
		    path_or_url);
	return EXIT_GENUINE;
}
