/*
 * state_journal.c: the journal beside faild's state file. Each change is
 * one line appended and fdatasync'd before it is acknowledged; when the
 * journal outgrows the snapshot, the table is saved as a new snapshot
 * (state_file.c) and the journal emptied. Loading replays it over the
 * snapshot; a torn last line is what a crash during an append leaves.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state.h"
#include "xmalloc.h"

struct state_journal {
	char		*path;		/* owned: the snapshot */
	char		*jpath;		/* owned: the journal */
	int		 fd;		/* the journal, O_APPEND; -1 closed */
	off_t		 bytes;		/* its length: whole records only */
	off_t		 compact_at;	/* compact once bytes reach this */
	size_t		 min_compact;
	int		 dirty;		/* a failed append left bytes past it */
	struct pbuf	 rec;		/* the record being written */
};

/* FNV-1a of a record's text: tells a whole record from a torn one. */
static uint32_t
journal_check(const char *s, size_t len)
{
	uint32_t	h = 2166136261u;
	size_t		i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/*
 * Apply one record to t. Returns 0, -1 for a record that is not whole and
 * valid (why set), -2 when it would pass the table's limit.
 */
static int
journal_apply(struct state_table *t, char *line, char *why, size_t whylen)
{
	struct service	 s;
	size_t		 len = strlen(line);
	char		*sum, *end;
	unsigned long	 check;

	if (len == 0 || line[len - 1] != '\n') {
		snprintf(why, whylen, "unterminated record");
		return -1;
	}
	line[--len] = '\0';
	sum = strrchr(line, ' ');
	if (sum == NULL || strlen(sum + 1) != 8 ||
	    (check = strtoul(sum + 1, &end, 16), *end != '\0') ||
	    check != journal_check(line, (size_t)(sum - line))) {
		snprintf(why, whylen, "bad checksum");
		return -1;
	}
	*sum = '\0';
	if (strncmp(line, "set ", 4) == 0) {
		if (statefile_parse_service(line + 4, &s, why, whylen) < 0)
			return -1;
		return state_restore(t, &s, s.name) < 0 ? -2 : 0;
	}
	if (strncmp(line, "delete ", 7) == 0 && proto_name_valid(line + 7)) {
		state_delete(t, line + 7);
		return 0;
	}
	snprintf(why, whylen, "expected \"set ...\" or \"delete name\"");
	return -1;
}

int
state_journal_replay(struct state_table *t, const char *jpath, char *err,
    size_t errlen)
{
	FILE		*f;
	char		 line[512], why[128];
	int		 lineno = 0, bad = 0, rc, r;

	if ((rc = statefile_open_read(jpath, &f, err, errlen)) <= 0)
		return rc;		/* no journal, or cannot read it */
	rc = -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (bad) {
			/* Only the last record can be torn by a crash. */
			snprintf(err, errlen, "%s:%d: %s", jpath, bad, why);
			goto done;
		}
		if ((r = journal_apply(t, line, why, sizeof(why))) == -2) {
			snprintf(err, errlen, "%s:%d: more than %zu services, "
			    "the limit (faild -S)", jpath, lineno,
			    state_count(t));
			goto done;
		}
		if (r < 0)
			bad = lineno;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", jpath, strerror(errno));
		goto done;
	}
	rc = 0;
done:
	fclose(f);
	return rc;
}

/*
 * Save t as the snapshot, then empty the journal (a new file the first
 * time, made as statefile_create makes it).
 * A crash in between leaves the old journal beside the new snapshot, which
 * replays to the same table.
 */
static int
journal_compact(struct state_journal *j, const struct state_table *t,
    char *err, size_t errlen)
{
	struct stat	sb;

	if (statefile_save(t, j->path, err, errlen) < 0)
		return -1;
	if (j->fd < 0) {
		if ((j->fd = statefile_create(j->jpath, O_APPEND)) < 0 ||
		    statefile_sync_dir(j->jpath) < 0)
			goto fail;
	} else if (ftruncate(j->fd, 0) < 0 || fsync(j->fd) < 0)
		goto fail;
	j->bytes = 0;
	j->dirty = 0;
	j->compact_at = (off_t)j->min_compact;
	if (stat(j->path, &sb) == 0 && sb.st_size > j->compact_at)
		j->compact_at = sb.st_size;
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", j->jpath, strerror(errno));
	return -1;
}

struct state_journal *
state_journal_open(const struct state_table *t, const char *path,
    size_t min_compact, char *err, size_t errlen)
{
	struct state_journal	*j = xcalloc(1, sizeof(*j));

	j->path = xstrdup(path);
	j->jpath = xmalloc(strlen(path) + sizeof(STATE_JOURNAL_SUFFIX));
	sprintf(j->jpath, "%s%s", path, STATE_JOURNAL_SUFFIX);
	j->fd = -1;
	j->min_compact = min_compact;
	if (journal_compact(j, t, err, errlen) < 0) {
		state_journal_close(j);
		return NULL;
	}
	return j;
}

void
state_journal_close(struct state_journal *j)
{
	if (j == NULL)
		return;
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	free(j->jpath);
	pbuf_free(&j->rec);
	free(j);
}

int
state_journal_append(struct state_journal *j, const struct state_table *t,
    const char *name, char *err, size_t errlen)
{
	const struct service	*s = state_get(t, name);
	struct pbuf		*b = &j->rec;

	pbuf_reset(b);
	if (s != NULL) {
		pbuf_add(b, "set ", 4);
		statefile_fmt_service(b, s);
	} else
		pbuf_printf(b, "delete %s", name);
	pbuf_printf(b, " %08" PRIx32 "\n", journal_check(b->data, b->len));

	if (j->dirty && ftruncate(j->fd, j->bytes) < 0) {
		snprintf(err, errlen, "%s: %s", j->jpath, strerror(errno));
		return -1;
	}
	j->dirty = 0;
	if (statefile_write_all(j->fd, b->data, b->len) < 0 ||
	    fdatasync(j->fd) < 0) {
		snprintf(err, errlen, "%s: %s", j->jpath, strerror(errno));
		/* Take back what part of the record got in. */
		j->dirty = ftruncate(j->fd, j->bytes) < 0;
		return -1;
	}
	j->bytes += (off_t)b->len;
	if (j->bytes < j->compact_at)
		return 0;
	if (journal_compact(j, t, err, errlen) == 0)
		return 0;
	/* Not on every write while the disk refuses: after min_compact more. */
	j->compact_at = j->bytes + (off_t)j->min_compact;
	return 1;
}
