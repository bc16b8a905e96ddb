/*
 * dns_name.c: the one DNS wire-name codec of the tree. hc's dns check
 * reads names out of answers and writes its question with it; faildns
 * reads queries, writes answers and reads zone files with it. Names come
 * from the network or from files: every length and pointer is checked.
 */
#include <stdio.h>
#include <string.h>

#include "dns_name.h"

/* ASCII only: names are octets, and the locale must not change them. */
static uint8_t
lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

const char *
dns_name_err_str(enum dns_name_err e)
{
	switch (e) {
	case DNS_NAME_OK:
		return "ok";
	case DNS_NAME_EMPTY:
		return "empty name";
	case DNS_NAME_EMPTY_LABEL:
		return "empty label";
	case DNS_NAME_LONG_LABEL:
		return "label longer than 63 octets";
	case DNS_NAME_TOO_LONG:
		return "name longer than 255 octets";
	case DNS_NAME_BAD_ESCAPE:
		return "bad escape";
	case DNS_NAME_RELATIVE:
		return "relative name and no origin";
	}
	return "bad name";
}

const char *
dns_unescape(const char *s, uint8_t *c)
{
	int	v;

	if (*s != '\\') {
		*c = (uint8_t)*s;
		return s + 1;
	}
	s++;
	if (s[0] >= '0' && s[0] <= '9') {
		if (s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9')
			return NULL;
		v = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
		if (v > 255)
			return NULL;
		*c = (uint8_t)v;
		return s + 3;
	}
	if (*s == '\0')
		return NULL;
	*c = (uint8_t)*s;
	return s + 1;
}

/*
 * dns_name_parse --
 *	Master-file text to a wire name, relative names ending with origin.
 *
 * Results:
 *	The wire length, or -1 with *why set.
 *
 * Side effects:
 *	Writes wire, never past DNS_NAME_MAX bytes.
 */
int
dns_name_parse(const char *s, const uint8_t *origin, size_t originlen,
    uint8_t *wire, enum dns_name_err *why)
{
	size_t			len = 1, lab = 0, labn = 0;
	enum dns_name_err	e;
	uint8_t			c;

	if (strcmp(s, ".") == 0) {
		wire[0] = 0;
		return 1;
	}
	if (*s == '\0') {
		e = DNS_NAME_EMPTY;
		goto fail;
	}
	/* wire[lab] waits for the open label's length. */
	while (*s != '\0') {
		if (*s == '.') {
			if (labn == 0) {
				e = DNS_NAME_EMPTY_LABEL;
				goto fail;
			}
			wire[lab] = (uint8_t)labn;
			if (len >= DNS_NAME_MAX)
				goto toolong;
			lab = len++;
			wire[lab] = 0;
			labn = 0;
			if (*++s == '\0')
				return (int)len;	/* absolute */
			continue;
		}
		if ((s = dns_unescape(s, &c)) == NULL) {
			e = DNS_NAME_BAD_ESCAPE;
			goto fail;
		}
		if (labn == DNS_LABEL_MAX) {
			e = DNS_NAME_LONG_LABEL;
			goto fail;
		}
		if (len >= DNS_NAME_MAX)
			goto toolong;
		wire[len++] = c;
		labn++;
	}
	wire[lab] = (uint8_t)labn;
	if (origin == NULL || originlen == 0) {
		e = DNS_NAME_RELATIVE;
		goto fail;
	}
	if (len + originlen > DNS_NAME_MAX)
		goto toolong;
	memcpy(wire + len, origin, originlen);
	return (int)(len + originlen);

toolong:
	e = DNS_NAME_TOO_LONG;
fail:
	if (why != NULL)
		*why = e;
	return -1;
}

int
dns_name_from_text(const char *text, uint8_t *wire)
{
	/* Without a final dot a name is below the root. */
	return dns_name_parse(text, (const uint8_t *)"", 1, wire, NULL);
}

int
dns_name_to_text(const uint8_t *wire, char *text, size_t textlen)
{
	size_t	 t = 0, i;
	int	 n;
	uint8_t	 c;

	if (dns_name_len(wire, DNS_NAME_MAX) == -1)
		return -1;
	if (wire[0] == 0) {
		if (textlen < 2)
			return -1;
		text[0] = '.';
		text[1] = '\0';
		return 0;
	}
	for (; *wire != 0; wire += 1 + *wire) {
		for (i = 1; i <= *wire; i++) {
			c = wire[i];
			/* What a master file reads as syntax (RFC 1035 5.1). */
			if (c == '.' || c == '\\' || c == '"' || c == ';' ||
			    c == '(' || c == ')' || c == '@' || c == '$')
				n = snprintf(text + t, textlen - t, "\\%c", c);
			else if (c <= ' ' || c >= 0x7f)
				n = snprintf(text + t, textlen - t, "\\%03u", c);
			else
				n = snprintf(text + t, textlen - t, "%c", c);
			if (n < 0 || (size_t)n >= textlen - t)
				return -1;
			t += n;
		}
		if (t + 1 >= textlen)
			return -1;
		text[t++] = '.';
		text[t] = '\0';
	}
	return 0;
}

int
dns_name_len(const uint8_t *wire, size_t max)
{
	size_t	n = 0;

	for (;;) {
		if (n >= max || n >= DNS_NAME_MAX)
			return -1;
		if (wire[n] > DNS_LABEL_MAX)	/* pointers included */
			return -1;
		if (wire[n] == 0)
			return (int)n + 1;
		n += 1 + wire[n];
	}
}

int
dns_name_cmp(const uint8_t *a, const uint8_t *b)
{
	size_t	i = 0, n;

	for (;;) {
		if (a[i] != b[i])
			return a[i] - b[i];
		if (a[i] == 0)
			return 0;
		for (n = a[i++]; n > 0; n--, i++)
			if (lower(a[i]) != lower(b[i]))
				return lower(a[i]) - lower(b[i]);
	}
}

void
dns_name_lower(uint8_t *dst, const uint8_t *src)
{
	int	len = dns_name_len(src, DNS_NAME_MAX), i;

	for (i = 0; i < len; i++)
		dst[i] = lower(src[i]);
}

/*
 * dns_name_read --
 *	Read a possibly compressed name out of a message.
 *
 * Results:
 *	The wire length, or -1 with err set.
 *
 * Side effects:
 *	Writes wire; *off moves past the name as it stands at *off (past its
 *	first pointer when it has one).
 */
int
dns_name_read(const uint8_t *pkt, size_t len, size_t *off, uint8_t *wire,
    char *err, size_t errlen)
{
	size_t	start = *off, pos = *off, seg = *off, w = 0, n;
	int	jumps = 0, moved = 0;

	for (;;) {
		if (pos >= len)
			goto past;
		n = pkt[pos];
		if ((n & 0xc0) == 0xc0) {
			if (pos + 2 > len)
				goto past;
			if (!moved)
				*off = pos + 2;
			moved = 1;
			pos = (n & 0x3f) << 8 | pkt[pos + 1];
			/*
			 * Only backwards, before where this part of the name
			 * began: the parts then start ever earlier, so even a
			 * forged packet cannot make us loop.
			 */
			if (pos >= seg || ++jumps > DNS_MAX_JUMPS) {
				snprintf(err, errlen, "compression loop in the "
				    "name at %zu", start);
				return -1;
			}
			seg = pos;
			continue;
		}
		if (n & 0xc0) {
			snprintf(err, errlen, "bad label type 0x%02zx in the "
			    "name at %zu", n & 0xc0, pos);
			return -1;
		}
		if (pos + 1 + n > len)
			goto past;
		if (w + 1 + n > DNS_NAME_MAX) {
			snprintf(err, errlen, "name at %zu longer than 255 "
			    "bytes", start);
			return -1;
		}
		memcpy(wire + w, pkt + pos, n + 1);
		w += n + 1;
		pos += n + 1;
		if (n == 0)
			break;
	}
	if (!moved)
		*off = pos;
	return (int)w;

past:
	snprintf(err, errlen, "name at %zu runs past the end", start);
	return -1;
}

int
dns_name_unpack(const uint8_t *pkt, size_t len, size_t *off, uint8_t *wire)
{
	return dns_name_read(pkt, len, off, wire, NULL, 0);
}
