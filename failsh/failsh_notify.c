/*
 * failsh_notify.c: a Tcl notifier that waits through GNU Pth. Tcl's own
 * notifier blocks the process in select() (or in a notifier pthread);
 * this one waits with pth_select, so while the Tcl event loop is idle
 * (vwait, after, a script waiting for exec output) every other Pth thread
 * runs: the service runners, the monitor and control ports.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include "failsh.h"
#include "log.h"
#include "xmalloc.h"

struct notify_handler {
	int			 fd;
	int			 mask;		/* TCL_READABLE ... */
	int			 ready;		/* found ready, not yet served */
	Tcl_FileProc		*proc;
	ClientData		 data;
	struct notify_handler	*next;
};

/* The event queued for a ready file handler. */
struct notify_event {
	Tcl_Event	 header;
	int		 fd;
};

static struct notify_handler	*handlers;
static int			 wake_pipe[2] = { -1, -1 };
static int			 wake_pending;

static struct notify_handler *
notify_find(int fd)
{
	struct notify_handler	*h;

	for (h = handlers; h != NULL; h = h->next)
		if (h->fd == fd)
			return h;
	return NULL;
}

static void
notify_create_handler(int fd, int mask, Tcl_FileProc *proc, ClientData data)
{
	struct notify_handler	*h = notify_find(fd);

	if (h == NULL) {
		h = xcalloc(1, sizeof(*h));
		h->fd = fd;
		h->next = handlers;
		handlers = h;
	}
	h->mask = mask;
	h->proc = proc;
	h->data = data;
}

static void
notify_delete_handler(int fd)
{
	struct notify_handler	**hp, *h;

	for (hp = &handlers; (h = *hp) != NULL; hp = &h->next)
		if (h->fd == fd) {
			*hp = h->next;
			free(h);
			return;
		}
}

/* Serve one ready file handler, if it still wants what is ready. */
static int
notify_event_proc(Tcl_Event *ev, int flags)
{
	struct notify_event	*fe = (struct notify_event *)ev;
	struct notify_handler	*h;
	int			 mask;

	if (!(flags & TCL_FILE_EVENTS))
		return 0;
	if ((h = notify_find(fe->fd)) != NULL) {
		mask = h->ready & h->mask;
		h->ready = 0;
		if (mask != 0)
			h->proc(h->data, mask);
	}
	return 1;
}

/*
 * notify_wait --
 *	Wait until a file handler's descriptor is ready, the time passes or
 *	notify_wake is called, letting other Pth threads run meanwhile.
 *
 * Results:
 *	1 if events were queued, 0 on timeout or wake-up, -1 on error.
 *
 * Side effects:
 *	Queues one event per ready handler. Yields.
 */
static int
notify_wait(const Tcl_Time *timePtr)
{
	struct notify_handler	*h;
	struct notify_event	*ev;
	struct timeval		 tv, *tvp = NULL;
	fd_set			 r, w, x;
	int			 n, maxfd = wake_pipe[0], found = 0;
	char			 junk[64];

	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_ZERO(&x);
	FD_SET(wake_pipe[0], &r);
	for (h = handlers; h != NULL; h = h->next) {
		if (h->fd >= FD_SETSIZE)
			continue;
		if (h->mask & TCL_READABLE)
			FD_SET(h->fd, &r);
		if (h->mask & TCL_WRITABLE)
			FD_SET(h->fd, &w);
		if (h->mask & TCL_EXCEPTION)
			FD_SET(h->fd, &x);
		if (h->fd > maxfd)
			maxfd = h->fd;
	}
	if (timePtr != NULL) {
		tv.tv_sec = timePtr->sec;
		tv.tv_usec = timePtr->usec;
		tvp = &tv;
	}
	n = pth_select(maxfd + 1, &r, &w, &x, tvp);
	/* pth_select does not yield when it need not wait: let the other
	 * threads run anyway, or a busy event loop would starve them. */
	if (n != 0 || (tvp != NULL && tv.tv_sec == 0 && tv.tv_usec == 0))
		pth_yield(NULL);
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	if (FD_ISSET(wake_pipe[0], &r)) {
		while (read(wake_pipe[0], junk, sizeof(junk)) > 0)
			;
		wake_pending = 0;
	}
	for (h = handlers; h != NULL; h = h->next) {
		int mask = 0;

		if (h->fd >= FD_SETSIZE)
			continue;
		if (FD_ISSET(h->fd, &r))
			mask |= TCL_READABLE;
		if (FD_ISSET(h->fd, &w))
			mask |= TCL_WRITABLE;
		if (FD_ISSET(h->fd, &x))
			mask |= TCL_EXCEPTION;
		if (mask == 0)
			continue;
		found = 1;
		if (h->ready == 0) {
			ev = (struct notify_event *)ckalloc(sizeof(*ev));
			ev->header.proc = notify_event_proc;
			ev->fd = h->fd;
			Tcl_QueueEvent(&ev->header, TCL_QUEUE_TAIL);
		}
		h->ready |= mask;
	}
	return found;
}

static void
notify_set_timer(const Tcl_Time *timePtr)
{
	(void)timePtr;		/* only for external event loops */
}

static ClientData
notify_init(void)
{
	if (wake_pipe[0] < 0) {
		if (pipe2(wake_pipe, O_NONBLOCK | O_CLOEXEC) < 0)
			fatal("notifier pipe");
	}
	return NULL;
}

static void
notify_finalize(ClientData data)
{
	(void)data;
}

/* Make a waiting notify_wait return; callable from any Pth thread. */
static void
notify_alert(ClientData data)
{
	(void)data;
	if (!wake_pending && wake_pipe[1] >= 0) {
		wake_pending = 1;
		(void)!write(wake_pipe[1], "", 1);
	}
}

static void
notify_service_mode(int mode)
{
	(void)mode;
}

/*
 * notify_install --
 *	Replace Tcl's notifier with this one. Call after pth_init and before
 *	Tcl creates its first interpreter.
 */
void
notify_install(void)
{
	Tcl_NotifierProcs	procs;

	memset(&procs, 0, sizeof(procs));
	procs.setTimerProc = notify_set_timer;
	procs.waitForEventProc = notify_wait;
	procs.createFileHandlerProc = notify_create_handler;
	procs.deleteFileHandlerProc = notify_delete_handler;
	procs.initNotifierProc = notify_init;
	procs.finalizeNotifierProc = notify_finalize;
	procs.alertNotifierProc = notify_alert;
	procs.serviceModeHookProc = notify_service_mode;
	Tcl_SetNotifier(&procs);
	notify_init();
}

/* Wake the Tcl event loop from a Pth thread after queueing an event. */
void
notify_wake(void)
{
	notify_alert(NULL);
}
