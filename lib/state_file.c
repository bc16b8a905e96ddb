/*
 * state_file.c: the snapshot of the state table. A save writes a new
 * "<path>.tmp" (created exclusively, so a link planted there is never
 * followed), fsyncs it, renames it over <path> and fsyncs the directory;
 * rename(2) is atomic, so kill -9 at any moment leaves the old table or the
 * new one. A load reads the snapshot, then replays the journal of the
 * changes made since (state_journal.c).
 */
#include <sys/stat.h>

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
statefile_write_all(int fd, const char *buf, size_t len)
{
	ssize_t	w;

	while (len > 0) {
		if ((w = write(fd, buf, len)) < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

int
statefile_create(const char *path, int flags)
{
	if (unlink(path) < 0 && errno != ENOENT)
		return -1;
	return open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC | flags, 0644);
}

int
statefile_sync_dir(const char *path)
{
	char	*dircopy = xstrdup(path);
	int	 dfd, rc = -1;

	if ((dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) >= 0) {
		rc = fsync(dfd);
		close(dfd);
	}
	free(dircopy);
	return rc;
}

void
statefile_fmt_service(struct pbuf *b, const struct service *s)
{
	pbuf_printf(b, "%s %s %" PRId64 " %s", s->name, svc_state_str(s->state),
	    s->changed_ms, s->setter[0] ? s->setter : "-");
}

int
statefile_save(const struct state_table *t, const char *path, char *err,
    size_t errlen)
{
	struct service	**v;
	struct pbuf	  b = { 0 };
	char		 *tmp;
	size_t		  i, n;
	int		  fd, rc = -1;

	v = state_sorted(t, &n);
	pbuf_printf(&b, "%s\n", STATEFILE_MAGIC);
	for (i = 0; i < n; i++) {
		statefile_fmt_service(&b, v[i]);
		pbuf_add(&b, "\n", 1);
	}
	pbuf_printf(&b, "# end %zu\n", n);
	free(v);

	tmp = xmalloc(strlen(path) + 5);
	sprintf(tmp, "%s.tmp", path);
	if ((fd = statefile_create(tmp, 0)) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto done;
	}
	if (statefile_write_all(fd, b.data, b.len) < 0 || fsync(fd) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		close(fd);
		goto fail;
	}
	if (close(fd) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "rename %s to %s: %s", tmp, path,
		    strerror(errno));
		goto fail;
	}
	statefile_sync_dir(path);
	rc = 0;
	goto done;
fail:
	unlink(tmp);
done:
	free(tmp);
	pbuf_free(&b);
	return rc;
}

int
statefile_parse_service(char *text, struct service *s, char *why,
    size_t whylen)
{
	char		*w[5], *p, *end;
	int		 n = 0;
	long long	 ms;

	for (p = strtok(text, " \n"); p != NULL && n < 5;
	    p = strtok(NULL, " \n"))
		w[n++] = p;
	if (n != 4 || !proto_name_valid(w[0]) ||
	    svc_state_parse(w[1], &s->state) < 0 ||
	    strspn(w[2], "0123456789") != strlen(w[2]) ||
	    strlen(w[3]) >= STATE_MAX_SETTER) {
		snprintf(why, whylen, "expected \"name UP|RECOVER|FAIL "
		    "changed_ms setter\"");
		return -1;
	}
	errno = 0;
	ms = strtoll(w[2], &end, 10);
	if (errno == ERANGE) {
		snprintf(why, whylen, "changed_ms %.24s out of range (0 to %"
		    PRId64 ")", w[2], INT64_MAX);
		return -1;
	}
	strcpy(s->name, w[0]);
	s->changed_ms = ms;
	strcpy(s->setter, strcmp(w[3], "-") != 0 ? w[3] : "");
	return 0;
}

/* Read the snapshot f (named path) into t. */
static int
statefile_read(struct state_table *t, FILE *f, const char *path, char *err,
    size_t errlen)
{
	struct service	 s;
	char		 line[512], why[128];
	size_t		 count = 0, end_count = 0;
	int		 lineno = 0, ended = 0;

	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL) {
			snprintf(err, errlen, "%s:%d: line too long or "
			    "unterminated", path, lineno);
			return -1;
		}
		if (lineno == 1 && strncmp(line, STATEFILE_MAGIC,
		    strlen(STATEFILE_MAGIC)) != 0) {
			snprintf(err, errlen, "%s:1: not a faild state file",
			    path);
			return -1;
		}
		if (strncmp(line, "# end ", 6) == 0) {
			if (sscanf(line + 6, "%zu", &end_count) != 1 ||
			    end_count != count) {
				snprintf(err, errlen, "%s:%d: end line says %s "
				    "services, the file holds %zu", path,
				    lineno, line + 6, count);
				err[strcspn(err, "\n")] = ' ';
				return -1;
			}
			ended = 1;
			continue;
		}
		if (ended) {
			snprintf(err, errlen, "%s:%d: text after the end line",
			    path, lineno);
			return -1;
		}
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (statefile_parse_service(line, &s, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
			return -1;
		}
		if (state_get(t, s.name) != NULL) {
			snprintf(err, errlen, "%s:%d: service %s listed twice",
			    path, lineno, s.name);
			return -1;
		}
		if (state_restore(t, &s, s.name) < 0) {
			snprintf(err, errlen, "%s:%d: more than %zu services, "
			    "the limit (faild -S)", path, lineno, count);
			return -1;
		}
		count++;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (lineno == 0) {
		snprintf(err, errlen, "%s:1: empty (a faild state file has at "
		    "least its first and end lines)", path);
		return -1;
	}
	if (!ended) {
		snprintf(err, errlen, "%s:%d: truncated (no end line)", path,
		    lineno);
		return -1;
	}
	return 0;
}

int
statefile_open_read(const char *path, FILE **f, char *err, size_t errlen)
{
	struct stat	sb;

	if ((*f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(*f), &sb) == 0 && !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: %s", path, S_ISDIR(sb.st_mode) ?
		    "is a directory" : "not a regular file");
		fclose(*f);
		return -1;
	}
	return 1;
}

int
statefile_load(struct state_table *t, const char *path, char *err,
    size_t errlen)
{
	FILE	*f;
	char	*jpath;
	int	 rc;

	if ((rc = statefile_open_read(path, &f, err, errlen)) < 0)
		return -1;
	if (rc > 0) {			/* else no snapshot yet */
		rc = statefile_read(t, f, path, err, errlen);
		fclose(f);
		if (rc < 0)
			return -1;
	}
	jpath = xmalloc(strlen(path) + sizeof(STATE_JOURNAL_SUFFIX));
	sprintf(jpath, "%s%s", path, STATE_JOURNAL_SUFFIX);
	rc = state_journal_replay(t, jpath, err, errlen);
	free(jpath);
	return rc;
}
