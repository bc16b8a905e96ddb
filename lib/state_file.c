/*
 * state_file.c: atomic persistence of the state table. A save writes
 * "<path>.tmp", fsyncs it, renames it over <path> and fsyncs the directory;
 * rename(2) is atomic, so kill -9 at any moment leaves the old table or the
 * new one, never a torn or empty file.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state.h"
#include "xmalloc.h"

#define STATEFILE_MAGIC	"# faild state v1"

int
statefile_save(const struct state_table *t, const char *path, char *err,
    size_t errlen)
{
	struct service	**v;
	struct pbuf	  b = { 0 };
	char		 *tmp, *dircopy;
	size_t		  i, n;
	int		  fd = -1, dfd, rc = -1;

	v = state_sorted(t, &n);
	pbuf_printf(&b, "%s\n", STATEFILE_MAGIC);
	for (i = 0; i < n; i++)
		pbuf_printf(&b, "%s %s %" PRId64 " %s\n", v[i]->name,
		    svc_state_str(v[i]->state), v[i]->changed_ms,
		    v[i]->setter[0] ? v[i]->setter : "-");
	pbuf_printf(&b, "# end %zu\n", n);
	free(v);

	tmp = xmalloc(strlen(path) + 5);
	sprintf(tmp, "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	for (i = 0; i < b.len; ) {
		ssize_t w = write(fd, b.data + i, b.len - i);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
			goto fail;
		}
		i += (size_t)w;
	}
	if (fsync(fd) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	i = (size_t)close(fd);
	fd = -1;
	if (i != 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "rename %s to %s: %s", tmp, path,
		    strerror(errno));
		unlink(tmp);
		goto fail;
	}
	dircopy = xstrdup(path);
	if ((dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(dircopy);
	rc = 0;
fail:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	pbuf_free(&b);
	return rc;
}

int
statefile_load(struct state_table *t, const char *path, char *err,
    size_t errlen)
{
	FILE		*f;
	char		 line[512], name[128], state[32], setter[256];
	long long	 ms;
	size_t		 count = 0, end_count = 0;
	int		 lineno = 0, rc = -1, ended = 0;
	enum svc_state	 st, old;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char	extra[2];

		lineno++;
		if (strchr(line, '\n') == NULL) {
			snprintf(err, errlen, "%s:%d: line too long or "
			    "unterminated", path, lineno);
			goto fail;
		}
		if (lineno == 1 && strncmp(line, STATEFILE_MAGIC,
		    strlen(STATEFILE_MAGIC)) != 0) {
			snprintf(err, errlen, "%s:1: not a faild state file",
			    path);
			goto fail;
		}
		if (strncmp(line, "# end ", 6) == 0) {
			if (sscanf(line + 6, "%zu", &end_count) != 1 ||
			    end_count != count) {
				snprintf(err, errlen, "%s:%d: end line says %s "
				    "services, the file holds %zu", path,
				    lineno, line + 6, count);
				err[strcspn(err, "\n")] = ' ';
				goto fail;
			}
			ended = 1;
			continue;
		}
		if (ended) {
			snprintf(err, errlen, "%s:%d: text after the end line",
			    path, lineno);
			goto fail;
		}
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%127s %31s %lld %255s %1s", name, state, &ms,
		    setter, extra) != 4 || !proto_name_valid(name) ||
		    svc_state_parse(state, &st) < 0 || ms < 0 ||
		    strlen(setter) >= STATE_MAX_SETTER) {
			snprintf(err, errlen, "%s:%d: expected \"name "
			    "UP|RECOVER|FAIL changed_ms setter\"", path, lineno);
			goto fail;
		}
		state_set(t, name, st, ms, strcmp(setter, "-") ? setter : "",
		    &old);
		count++;
	}
	if (lineno == 0) {
		snprintf(err, errlen, "%s:1: empty (a faild state file has at "
		    "least its first and end lines)", path);
		goto fail;
	}
	if (!ended) {
		snprintf(err, errlen, "%s:%d: truncated (no end line)", path,
		    lineno);
		goto fail;
	}
	rc = 0;
fail:
	fclose(f);
	return rc;
}
