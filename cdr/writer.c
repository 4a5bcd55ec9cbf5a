/*
 * writer.c: the call detail record files, on the writer's own thread.
 *
 * Why a thread and not libev's idle watcher with non-blocking writes:
 * write(2) and fsync(2) on a regular file are never non-blocking (O_NONBLOCK
 * has no effect on files), so any file I/O on the engine's loop can stall
 * it for as long as the disk does.  The engine thread only appends a copy
 * of the record to a list under a mutex and signals a condition variable.
 *
 * Files: DIR/referd-cdr-YYYYMMDDTHHMMSSZ.EXT.part while written (the time
 * it was opened, UTC; "-N" added when that name is taken), renamed to
 * DIR/referd-cdr-YYYYMMDDTHHMMSSZ.EXT when closed: at rotation (size:
 * before a line would take it past the size; time: at each multiple of the
 * interval since the epoch, so hourly files close on the hour), when the
 * settings change, and at shutdown.  A file is opened at the first record
 * after that, so no empty files are made.  A ".part" file left by a
 * process that was killed is closed at the next start: cut after its last
 * complete line, then renamed.  One referd per directory.
 *
 * A record is one line written with one write(2) (a batch of lines in one
 * call), fsync(2)ed within sync_ms of its write.  A record is written as
 * soon as the thread wakes for it, so after kill -9 only records still in
 * the queue are lost; after a power loss, at most sync_ms of records.
 * When the directory cannot be written, records stay queued (up to
 * QUEUE_MAX, beyond that dropped and counted as failed) and the thread
 * tries again every second (it makes the directory when missing, not its
 * parents); a failed write is cut off the file again, so
 * no partial line stays.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cdr/writer.h"

#define QUEUE_MAX  100000
#define RETRY_S    1.0
#define PREFIX     "referd-cdr-"

/* A record waiting; allocated for cdr_record_size() of it only. */
struct node {
	struct node       *next;
	struct cdr_record  rec;
};

struct cdr_writer {
	pthread_t        thread;
	pthread_mutex_t  lock;
	pthread_cond_t   cond;
	int              stop;
	struct node     *head, **tail;
	size_t           n;
	struct cdr_settings want;      /* under lock */
	unsigned         want_gen;     /* bumped at each change */

	/* The thread's own. */
	struct cdr_settings cur;
	unsigned         cur_gen;
	int              fd;           /* -1: none open */
	char             path[512];    /* the open file's name (".part") */
	uint64_t         size;
	double           opened;
	double           rotate_at;    /* 0: none */
	double           dirty_since;  /* 0: all synced */
	double           retry_at;     /* 0: not failing */
	int              recovered;    /* this directory's .part files done */
	char            *buf;          /* lines of a batch */
	size_t           buf_len;

	cdr_log_h       *log;
	void            *log_arg;

	_Atomic uint64_t written, failed, queued, files;
};

/* A log line of this thread, through the callback given at creation. */
#define wlog(x, level, ...) \
	cdr_logf((x)->log, (x)->log_arg, level, __VA_ARGS__)

static const char *
ext_of(int format)
{
	return format == CDR_FORMAT_JSON ? "jsonl" : "csv";
}

/* fsync the directory, so a create or rename is on disk too. */
static void
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Cut an open file after its last newline (nothing at all if none);
 * 0 or an errno value. */
static int
cut_partial(int fd)
{
	struct stat st;
	char tail[4096];
	off_t end, pos;

	if (fstat(fd, &st) != 0)
		return errno;
	end = st.st_size;
	while (end > 0) {
		size_t n = end > (off_t)sizeof(tail) ? sizeof(tail) : (size_t)end;
		ssize_t got;

		pos = end - (off_t)n;
		got = pread(fd, tail, n, pos);
		if (got != (ssize_t)n)
			return got < 0 ? errno : EIO;
		for (size_t i = n; i > 0; i--)
			if (tail[i - 1] == '\n') {
				if (pos + (off_t)i != st.st_size &&
				    ftruncate(fd, pos + (off_t)i) != 0)
					return errno;
				return 0;
			}
		end = pos;
	}
	return ftruncate(fd, 0) != 0 ? errno : 0;
}

/* The closed name of a ".part" path: free, or with "-N" before the ext. */
static int
closed_name(const char *part, char *out, size_t len)
{
	size_t n = strlen(part);
	char base[512];
	const char *dot;

	if (n < 6 || n - 5 >= sizeof(base))
		return -1;
	memcpy(base, part, n - 5);          /* without ".part" */
	base[n - 5] = '\0';
	if (access(base, F_OK) != 0) {
		snprintf(out, len, "%s", base);
		return 0;
	}
	dot = strrchr(base, '.');
	for (int k = 1; k < 1000; k++) {
		snprintf(out, len, "%.*s-%d%s", (int)(dot - base), base, k, dot);
		if (access(out, F_OK) != 0)
			return 0;
	}
	return -1;
}

/* Close a ".part" file by renaming it. */
static void
rename_closed(struct cdr_writer *w, const char *part)
{
	char done[600];

	if (closed_name(part, done, sizeof(done)) != 0 ||
	    rename(part, done) != 0)
		wlog(w, 3, "CDR file %s: cannot close it: %s", part,
		    strerror(errno));
	else
		atomic_fetch_add(&w->files, 1);
}

/* A directory's ".part" files left by a killed referd: cut and closed. */
static void
recover(struct cdr_writer *w, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[600];

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		int fd, e;

		if (strncmp(de->d_name, PREFIX, strlen(PREFIX)) != 0 || n < 6 ||
		    strcmp(de->d_name + n - 5, ".part") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((fd = open(path, O_RDWR | O_CLOEXEC)) < 0)
			continue;
		if ((e = cut_partial(fd)) != 0) {
			/* Left as .part: no collector takes a partial line. */
			close(fd);
			wlog(w, 3, "CDR file %s was left open and cannot be "
			    "cut after its last record: %s", path, strerror(e));
			continue;
		}
		fsync(fd);
		close(fd);
		wlog(w, 5, "CDR file %s was left open: closed", path);
		rename_closed(w, path);
	}
	closedir(d);
	sync_dir(dir);
}

static void
file_sync(struct cdr_writer *w)
{
	if (w->fd >= 0 && w->dirty_since > 0) {
		fsync(w->fd);
		w->dirty_since = 0;
	}
}

/* Close the open file: fsync, rename to its closed name. */
static void
file_close(struct cdr_writer *w)
{
	if (w->fd < 0)
		return;
	w->dirty_since = 1;
	file_sync(w);
	close(w->fd);
	w->fd = -1;
	rename_closed(w, w->path);
	sync_dir(w->cur.dir);
}

/* The next multiple of the rotation interval after t (0: none). */
static double
next_rotation(const struct cdr_writer *w, double t)
{
	double iv = w->cur.rotate_interval;

	if (iv <= 0)
		return 0;
	return ((long long)(t / iv) + 1) * iv;
}

/* Open a new file; 0 or an errno. */
static int
file_open(struct cdr_writer *w, double t)
{
	char stamp[32], hdr[4096];
	struct tm tm;
	time_t s = (time_t)t;
	size_t n;

	/* The directory itself (not its parents) is made when missing. */
	if (mkdir(w->cur.dir, 0755) != 0 && errno != EEXIST)
		return errno;
	if (!w->recovered) {
		recover(w, w->cur.dir);
		w->recovered = 1;
	}
	gmtime_r(&s, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (int k = 0; k < 1000; k++) {
		char closed[520];

		if (k == 0)
			snprintf(w->path, sizeof(w->path), "%s/" PREFIX "%s.%s.part",
			    w->cur.dir, stamp, ext_of(w->cur.format));
		else
			snprintf(w->path, sizeof(w->path), "%s/" PREFIX
			    "%s-%d.%s.part", w->cur.dir, stamp, k,
			    ext_of(w->cur.format));
		snprintf(closed, sizeof(closed), "%.*s",
		    (int)(strlen(w->path) - 5), w->path);
		if (access(closed, F_OK) == 0)
			continue;
		w->fd = open(w->path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND |
		    O_CLOEXEC, 0640);
		if (w->fd >= 0 || errno != EEXIST)
			break;
	}
	if (w->fd < 0)
		return errno ? errno : EEXIST;
	w->size = 0;
	w->opened = t;
	w->rotate_at = next_rotation(w, t);
	if (w->cur.format != CDR_FORMAT_JSON &&
	    (n = cdr_csv_header(hdr, sizeof(hdr))) > 0) {
		if (write(w->fd, hdr, n) != (ssize_t)n) {
			int e = errno ? errno : EIO;

			close(w->fd);
			w->fd = -1;
			unlink(w->path);
			return e;
		}
		w->size = n;
	}
	sync_dir(w->cur.dir);
	return 0;
}

/* Write buf[0..len) whole, or cut it off again; 0 or an errno. */
static int
write_whole(struct cdr_writer *w, const char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(w->fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;

			if (ftruncate(w->fd, (off_t)w->size) != 0)
				wlog(w, 3, "CDR file: a partly written record "
				    "cannot be cut off: %s", strerror(errno));
			return e;
		}
		done += (size_t)n;
	}
	w->size += len;
	if (w->dirty_since == 0)
		w->dirty_since = cdr_now();
	return 0;
}

/*
 * Write a batch of records; those not written (the directory cannot be
 * written) are returned, in order, to go back to the queue.
 */
static struct node *
write_batch(struct cdr_writer *w, struct node *list)
{
	size_t used = 0, count = 0;
	struct node *first = list;   /* first record in buf */
	char line[CDR_LINE_MAX];

	while (list != NULL) {
		size_t n = cdr_format_line(&list->rec, w->cur.format, line,
		    sizeof(line));
		double t = cdr_now();
		int rc = 0;

		if (n == 0) {       /* cannot happen: CDR_LINE_MAX suffices */
			struct node *next = list->next;

			atomic_fetch_add(&w->failed, 1);
			if (first == list)
				first = next;
			free(list);
			list = next;
			continue;
		}
		/* Rotation by size, before a line that would pass it. */
		if (w->fd >= 0 && w->cur.rotate_size > 0 &&
		    w->size + used + n > w->cur.rotate_size &&
		    w->size + used > 0) {
			if (used > 0 && (rc = write_whole(w, w->buf, used)) != 0)
				goto failed;
			atomic_fetch_add(&w->written, count);
			while (first != list) {
				struct node *next = first->next;

				free(first);
				first = next;
			}
			used = count = 0;
			file_close(w);
		}
		if (w->fd < 0 && (rc = file_open(w, t)) != 0)
			goto failed;
		if (used + n > w->buf_len) {
			size_t want = w->buf_len ? w->buf_len * 2 : 65536;
			char *nb;

			while (want < used + n)
				want *= 2;
			if ((nb = realloc(w->buf, want)) == NULL) {
				rc = ENOMEM;
				goto failed;
			}
			w->buf = nb;
			w->buf_len = want;
		}
		memcpy(w->buf + used, line, n);
		used += n;
		count++;
		list = list->next;
		continue;
failed:
		if (w->retry_at == 0)
			wlog(w, 3, "CDR files in %s: %s: records kept in memory, "
			    "tried again every second", w->cur.dir,
			    strerror(rc));
		w->retry_at = cdr_now() + RETRY_S;
		if (w->fd >= 0) {
			close(w->fd);
			w->fd = -1;
			rename_closed(w, w->path);
		}
		return first;
	}
	if (used > 0) {
		int rc = write_whole(w, w->buf, used);

		if (rc != 0) {
			if (w->retry_at == 0)
				wlog(w, 3, "CDR file %s: %s: records kept in "
				    "memory, tried again every second", w->path,
				    strerror(rc));
			w->retry_at = cdr_now() + RETRY_S;
			close(w->fd);
			w->fd = -1;
			rename_closed(w, w->path);
			return first;
		}
	}
	if (w->retry_at != 0)
		wlog(w, 5, "CDR files in %s: writing again", w->cur.dir);
	w->retry_at = 0;
	atomic_fetch_add(&w->written, count);
	while (first != NULL) {
		struct node *next = first->next;

		free(first);
		first = next;
	}
	return NULL;
}

/* The thread: wait for records or a deadline, write, sync, rotate. */
static void *
writer_main(void *arg)
{
	struct cdr_writer *w = arg;

	cdr_background("referd-cdr");
	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct node *batch = NULL, *left;
		double t = cdr_now(), due = 0;
		int stop = w->stop;

		/* What is due next: a sync, a rotation, a retry. */
		if (w->dirty_since > 0)
			due = w->dirty_since + w->cur.sync_ms / 1000.;
		if (w->fd >= 0 && w->rotate_at > 0 &&
		    (due == 0 || w->rotate_at < due))
			due = w->rotate_at;
		if (w->retry_at > 0 && (due == 0 || w->retry_at < due))
			due = w->retry_at;
		if (!stop && (w->head == NULL || w->retry_at > t) &&
		    w->want_gen == w->cur_gen && (due == 0 || due > t)) {
			if (due == 0)
				pthread_cond_wait(&w->cond, &w->lock);
			else {
				struct timespec ts;

				ts.tv_sec = (time_t)due;
				ts.tv_nsec = (long)((due - (double)ts.tv_sec) * 1e9);
				pthread_cond_timedwait(&w->cond, &w->lock, &ts);
			}
			continue;
		}
		if (w->cur.dir[0] == '\0' && w->head != NULL &&
		    w->want_gen == w->cur_gen) {
			/* Files were turned off: what was queued is dropped. */
			struct node *nd;

			while ((nd = w->head) != NULL) {
				w->head = nd->next;
				free(nd);
				atomic_fetch_add(&w->failed, 1);
			}
			w->tail = &w->head;
			w->n = 0;
			atomic_store(&w->queued, 0);
			if (stop)
				break;
			continue;
		}
		if (w->want_gen != w->cur_gen) {
			struct cdr_settings s = w->want;

			w->cur_gen = w->want_gen;
			pthread_mutex_unlock(&w->lock);
			if (strcmp(s.dir, w->cur.dir) != 0 ||
			    s.format != w->cur.format)
				file_close(w);
			if (strcmp(s.dir, w->cur.dir) != 0)
				w->recovered = 0;
			w->cur = s;
			/* A new directory: what a killed referd left open there
			 * is closed now, not at the next record. */
			if (s.dir[0] != '\0' && !w->recovered &&
			    (mkdir(s.dir, 0755) == 0 || errno == EEXIST)) {
				recover(w, s.dir);
				w->recovered = 1;
			}
			if (w->fd >= 0)
				w->rotate_at = next_rotation(w, w->opened);
			w->retry_at = 0;
			pthread_mutex_lock(&w->lock);
			continue;
		}
		if (w->cur.dir[0] != '\0' && (w->retry_at == 0 ||
		    w->retry_at <= t || stop)) {
			batch = w->head;
			w->head = NULL;
			w->tail = &w->head;
			w->n = 0;
		}
		pthread_mutex_unlock(&w->lock);
		left = batch ? write_batch(w, batch) : NULL;
		t = cdr_now();
		if (w->fd >= 0 && (w->cur.sync_ms == 0 || (w->dirty_since > 0 &&
		    t >= w->dirty_since + w->cur.sync_ms / 1000.)))
			file_sync(w);
		if (w->fd >= 0 && w->rotate_at > 0 && t >= w->rotate_at)
			file_close(w);
		pthread_mutex_lock(&w->lock);
		if (left != NULL) {
			/* Back to the front of the queue, in order. */
			struct node *last = left;
			size_t k = 1;

			while (last->next != NULL) {
				last = last->next;
				k++;
			}
			last->next = w->head;
			if (w->head == NULL)
				w->tail = &last->next;
			w->head = left;
			w->n += k;
		}
		atomic_store(&w->queued, w->n);
		if (stop && (w->head == NULL || left != NULL ||
		    w->cur.dir[0] == '\0'))
			break;
	}
	pthread_mutex_unlock(&w->lock);
	file_close(w);
	return NULL;
}

int
cdr_writer_new(struct cdr_writer **wp, cdr_log_h *log, void *log_arg)
{
	struct cdr_writer *w = calloc(1, sizeof(*w));
	int rc;

	if (w == NULL)
		return ENOMEM;
	w->fd = -1;
	w->tail = &w->head;
	w->log = log;
	w->log_arg = log_arg;
	w->cur.format = CDR_FORMAT_CSV;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if ((rc = pthread_create(&w->thread, NULL, writer_main, w)) != 0) {
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->cond);
		free(w);
		return rc;
	}
	*wp = w;
	return 0;
}

void
cdr_writer_record(void *arg, enum cdr_event ev, const struct cdr_record *rec)
{
	struct cdr_writer *w = arg;
	struct node *nd;

	if (ev != CDR_EV_STOP)
		return;
	pthread_mutex_lock(&w->lock);
	if (w->want.dir[0] == '\0') {
		pthread_mutex_unlock(&w->lock);
		return;
	}
	if (w->n >= QUEUE_MAX || (nd = malloc(offsetof(struct node, rec) +
	    cdr_record_size(rec))) == NULL) {
		pthread_mutex_unlock(&w->lock);
		atomic_fetch_add(&w->failed, 1);
		return;
	}
	memcpy(&nd->rec, rec, cdr_record_size(rec));
	nd->next = NULL;
	*w->tail = nd;
	w->tail = &nd->next;
	w->n++;
	atomic_store(&w->queued, w->n);
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void
cdr_writer_settings(void *arg, const struct cdr_settings *s)
{
	struct cdr_writer *w = arg;

	pthread_mutex_lock(&w->lock);
	if (memcmp(&w->want, s, sizeof(*s)) != 0) {
		w->want = *s;
		w->want_gen++;
		pthread_cond_signal(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
}

void
cdr_writer_stats_get(struct cdr_writer *w, struct cdr_writer_stats *st)
{
	st->written = atomic_load(&w->written);
	st->failed = atomic_load(&w->failed);
	st->queued = atomic_load(&w->queued);
	st->files = atomic_load(&w->files);
}

void
cdr_writer_free(struct cdr_writer *w)
{
	struct node *nd;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	while ((nd = w->head) != NULL) {
		w->head = nd->next;
		free(nd);
	}
	free(w->buf);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}
