/*
 * proto.h: the failproto(5) wire protocol as pure parsing and formatting,
 * no I/O. faild parses requests with it, the clients parse answers.
 */
#ifndef FAIL_PROTO_H
#define FAIL_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define FAIL_DEFAULT_PORT	1847
#define PROTO_VERSION		2	/* 2: signed requests name their faild */
#define PROTO_MAX_LINE		512	/* request, without its line end */
#define PROTO_MAX_ANSWER	64000	/* one UDP answer */
#define PROTO_USE_TCP		"use TCP"	/* starts a truncated answer */
#define PROTO_MAX_ID		16
#define PROTO_MAX_NAME		64
#define PROTO_MAX_COMMUNITY	64
#define PROTO_MAX_KEYID		32
#define PROTO_MIN_NONCE		16
#define PROTO_MAX_NONCE		64
#define PROTO_MAX_ARGS		24
#define PROTO_MAX_FIELDS	(PROTO_MAX_ARGS + 8)

enum proto_verb {
	VERB_GET,
	VERB_SET,
	VERB_DELETE,
	VERB_LIST,
	VERB_WATCH,
	VERB_PING,
	VERB_STATS,
	VERB_DEBUG,
	VERB_VERSION,
	VERB_SHOW,		/* hc: one target in detail */
	VERB_MAX
};

/* Error codes of failproto(5). */
enum proto_err {
	PERR_MALFORMED = 400,
	PERR_AUTH = 401,
	PERR_DENIED = 403,
	PERR_NOTFOUND = 404,
	PERR_VERB = 405,
	PERR_TIMEOUT = 408,
	PERR_REPLAY = 409,
	PERR_WINDOW = 410,
	PERR_TOOBIG = 413,
	PERR_MISDIRECTED = 421,
	PERR_LOCKED = 423,
	PERR_RATE = 429,
	PERR_INTERNAL = 500,
	PERR_BUSY = 503,
	PERR_FULL = 507
};

/* The authentication fields of a request or an answer. */
struct proto_auth {
	const char	*keyid;		/* NULL when unauthenticated */
	int64_t		 ts_ms;		/* requests only */
	const char	*nonce;
	const char	*mac;
	size_t		 signed_len;	/* bytes of the line the mac covers */
};

/* A parsed request; every pointer points into buf. */
struct proto_req {
	char		 id[PROTO_MAX_ID + 1];
	enum proto_verb	 verb;
	int		 argc;
	const char	*argv[PROTO_MAX_ARGS];
	const char	*community;	/* NULL: "public" */
	const char	*by;
	const char	*to;		/* the faild a signature is for */
	struct proto_auth auth;
	char		 buf[PROTO_MAX_LINE + 1];
};

/* A parsed answer or stream line; every pointer points into buf. */
struct proto_resp {
	char		 id[PROTO_MAX_ID + 1];
	const char	*kind;		/* "OK", "ERR", "STATE", "CHANGE" */
	int		 code;		/* ERR only */
	const char	*text;		/* ERR only: the rest of the line */
	int		 nfields;	/* fields after kind (OK, STATE, CHANGE) */
	const char	**fields;	/* owned array, strings in buf */
	struct proto_auth auth;
	char		*buf;		/* owned */
};

const char	*proto_verb_str(enum proto_verb);
int		 proto_name_valid(const char *);
int		 proto_id_valid(const char *);
/* The id a line starts with, or "-" when it has none. */
void		 proto_peek_id(const char *line, size_t len,
		    char id[PROTO_MAX_ID + 1]);

/*
 * Parse one request line (without its line end; a trailing CR or LF is
 * tolerated). Returns 0, or -1 with *code and err set; req->id is then the
 * request's id when it could be read, else "-".
 */
int	 proto_parse_request(const char *line, size_t len,
	    struct proto_req *req, int *code, char *err, size_t errlen);

/* Parse one answer line. Returns 0, or -1 with err set. */
int	 proto_parse_response(const char *line, size_t len,
	    struct proto_resp *resp, char *err, size_t errlen);
void	 proto_resp_clear(struct proto_resp *);
/* An ERR 413 "use TCP": the answer did not fit UDP, ask over TCP. */
int	 proto_resp_truncated(const struct proto_resp *);

/* A growable output buffer for answers. */
struct pbuf {
	char	*data;	/* owned, always NUL-terminated */
	size_t	 len;
	size_t	 cap;
};

void	 pbuf_reset(struct pbuf *);
void	 pbuf_free(struct pbuf *);
/*
 * A service's owner under failsh's etcd backend, as failmon and failstat
 * show it: "a (here), epoch 42", "b, epoch 57", "none". owner NULL, "" or
 * "-": none.
 */
const char	*proto_owner_str(const char *owner, int here, int64_t epoch,
		    char *buf, size_t len);
void	 pbuf_add(struct pbuf *, const char *, size_t);
void	 pbuf_printf(struct pbuf *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Free text as one field: bytes outside '!'..'~' and '%' as %XX; "-" for
 * the empty text. proto_pct_decode undoes it in place.
 */
void	 pbuf_add_pct(struct pbuf *, const char *text);
void	 proto_pct_decode(char *field);
/* Append "<id> ERR <code> <text>" (no line end). */
void	 proto_fmt_err(struct pbuf *, const char *id, int code,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
