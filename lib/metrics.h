/*
 * metrics.h: the daemons' -e port, an HTTP exporter of the Prometheus
 * text exposition format (version 0.0.4) on GNU Pth, and the helpers
 * their metric writers (faild_metrics.c, failsh_metrics.c, hc_metrics.c)
 * format it with: HELP and TYPE, escaped labels, samples, histograms.
 */
#ifndef FAIL_METRICS_H
#define FAIL_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define METRICS_DEFAULT_ADDR	"127.0.0.1"	/* -e with a port alone */
#define METRICS_REQUEST_MS	5000	/* the whole request head arrives */
#define METRICS_WRITE_MS	5000	/* the client reads the answer */
#define METRICS_LINGER_MS	1000	/* draining after the answer */
#define METRICS_MAX_HEAD	8192	/* request line and headers */
#define METRICS_MAX_CLIENTS	16
#define METRICS_MAX_PER_ADDR	8
#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/* Appends the daemon's metrics to out; runs without yielding, or yields
 * only where the daemon's state may change under it safely. */
typedef void (*metrics_write_fn)(struct pbuf *out);

/*
 * Serve GET /metrics on spec ("port", "address:port", "[v6]:port"; a port
 * alone listens on METRICS_DEFAULT_ADDR), each client in a Pth thread of
 * its own, at most METRICS_MAX_CLIENTS at once (METRICS_MAX_PER_ADDR per
 * address; more get 503). A request head must arrive whole within
 * METRICS_REQUEST_MS (else 408) and METRICS_MAX_HEAD bytes (else 431);
 * every answer closes the connection. Needs pth_init.
 * Results: 0 with where set to the address and port listened on, or -1
 * with err set.
 */
int	 metrics_listen(const char *spec, metrics_write_fn,
	    char *where, size_t wherelen, char *err, size_t errlen);

/*
 * The status for a whole request head (request line, headers, blank
 * line): 200 for GET or HEAD of /metrics (*head_only set for HEAD), 400
 * malformed (also an HTTP/1.1 request without exactly one Host), 404
 * another path, 405 another method, 505 an HTTP version but 1.0 and 1.1.
 * Pure: no I/O.
 */
int	 metrics_http_status(const char *head, size_t len, int *head_only);

/* "# HELP name help" (escaped) and "# TYPE name type". */
void	 metrics_head(struct pbuf *, const char *name, const char *type,
	    const char *help);
/*
 * One sample: name{k1="v1",...} value. The labels are pairs of key and
 * value, ended by NULL; values are escaped (\\, \", \n).
 */
void	 metrics_sample(struct pbuf *, const char *name, double value, ...)
	    __attribute__((sentinel));
/* A value as the format writes it: integers exact, NaN, +Inf, -Inf. */
void	 metrics_value(struct pbuf *, double);

/* Histograms of durations in seconds, 1 ms to 30 s. */
#define METRICS_BUCKETS	14
extern const double	metrics_bounds[METRICS_BUCKETS];

struct metrics_hist {
	uint64_t	bucket[METRICS_BUCKETS];	/* not cumulative */
	uint64_t	count;
	double		sum;
};

void	 metrics_hist_observe(struct metrics_hist *, double seconds);
/* name_bucket{...,le=}, name_sum, name_count; labels as metrics_sample. */
void	 metrics_hist_sample(struct pbuf *, const char *name,
	    const struct metrics_hist *, ...) __attribute__((sentinel));

#endif
