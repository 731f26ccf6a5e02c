/* spawn.c - a child process whose output we want. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spawn.h"
#include "util.h"

char *
spawn_trucctl_path(void)
{
	char self[4096], *dir, *p;
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	const char *tries[] = { "", "/../bin" };

	if (n > 0) {
		self[n] = '\0';
		dir = self;
		if ((p = strrchr(dir, '/')) != NULL)
			*p = '\0';
		for (size_t i = 0; i < nitems(tries); i++) {
			char *path = xasprintf("%s%s/trucctl", dir, tries[i]);

			if (access(path, X_OK) == 0)
				return path;
			free(path);
		}
	}
	return xstrdup("trucctl");
}

char *
spawn_capture(char *const argv[], int timeout, size_t *len, char **cause)
{
	int out[2], err[2], status;
	pid_t pid;
	struct buf o = BUF_INIT, e = BUF_INIT;
	time_t deadline = time(NULL) + timeout;
	int open_fds = 2;

	if (pipe2(out, O_CLOEXEC) == -1 || pipe2(err, O_CLOEXEC) == -1) {
		*cause = xasprintf("pipe: %s", strerror(errno));
		return NULL;
	}
	if ((pid = fork()) == -1) {
		*cause = xasprintf("fork: %s", strerror(errno));
		close(out[0]);
		close(out[1]);
		close(err[0]);
		close(err[1]);
		return NULL;
	}
	if (pid == 0) {
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		execvp(argv[0], argv);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	while (open_fds > 0) {
		struct pollfd pfd[2] = { { out[0], POLLIN, 0 },
		    { err[0], POLLIN, 0 } };
		int left = (int)(deadline - time(NULL));

		if (left <= 0 || poll(pfd, 2, left * 1000) <= 0) {
			if (errno == EINTR && left > 0)
				continue;
			kill(pid, SIGKILL);
			break;
		}
		for (int i = 0; i < 2; i++) {
			char chunk[65536];
			ssize_t n;

			if (pfd[i].fd < 0 ||
			    !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(pfd[i].fd, chunk, sizeof chunk);
			if (n > 0)
				buf_add(i == 0 ? &o : &e, chunk, (size_t)n);
			else {
				close(i == 0 ? out[0] : err[0]);
				if (i == 0)
					out[0] = -1;
				else
					err[0] = -1;
				open_fds--;
			}
		}
	}
	if (out[0] >= 0)
		close(out[0]);
	if (err[0] >= 0)
		close(err[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *msg = e.s != NULL ? str_trim(e.s) : NULL;
		char *last = msg != NULL ? strrchr(msg, '\n') : NULL;

		*cause = xasprintf("%s %s", argv[0], WIFEXITED(status) ?
		    (last != NULL ? last + 1 : msg != NULL && *msg ? msg :
		    "failed") : "was killed (timeout?)");
		buf_free(&o);
		buf_free(&e);
		return NULL;
	}
	buf_free(&e);
	*len = o.len;
	return buf_detach(&o);
}
