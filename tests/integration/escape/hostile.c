/*
 * hostile: what a hostile image runs to attack berth from inside a container. Built static by
 * the test fixtures into the `hostile` image. Each mode prints `key=value` lines; the tests
 * assert on them. Nothing here is berth's code. TERCES is the secret to look for, reversed.
 *
 *   hostile inspect PID TERCES      what this container can learn of or do to process PID
 *   hostile trap FIFO TERCES        wait on FIFO (the container's /etc/passwd, made a FIFO) until
 *                                   a process opens it to read (berth entering the container),
 *                                   inspect every process that appeared meanwhile, then answer
 *                                   with a passwd file and put a regular one back
 *   hostile tty                     our stdio and /dev/tty: terminals? can we type into them?
 *   hostile fds                     our open descriptors and what they are
 *   hostile probes                  syscalls and writes a default container must be refused
 *   hostile euid                    our effective uid (for the setuid copy)
 *   hostile cwd                     is our working directory inside our root?
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static const char *err(int e) { return e ? strerror(e) : "ok"; }

/* Read a whole /proc file; its length, or -errno. */
static long slurp(const char *path, char *buf, long cap)
{
    int fd = open(path, O_RDONLY);
    long n = 0, r;
    if (fd < 0)
        return -errno;
    while (n < cap && (r = read(fd, buf + n, cap - n)) > 0)
        n += r;
    if (r < 0 && n == 0) {
        r = -errno;
        close(fd);
        return r;
    }
    close(fd);
    return n;
}

static int contains(const char *buf, long n, const char *needle)
{
    long k = strlen(needle), i;
    for (i = 0; k && i + k <= n; i++)
        if (memcmp(buf + i, needle, k) == 0)
            return 1;
    return 0;
}

/* The secret arrives reversed (so that our own command line does not hold it). */
static const char *unreverse(const char *r)
{
    static char s[256];
    long n = strlen(r), i;
    for (i = 0; i < n && i < 255; i++)
        s[i] = r[n - 1 - i];
    s[i] = 0;
    return s;
}

static void inspect(int pid, const char *secret, FILE *out)
{
    char path[128], buf[1 << 16], link[512];
    long n;
    int fd, e;
    fprintf(out, "pid=%d\n", pid);

    snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
    n = slurp(path, buf, sizeof buf);
    fprintf(out, "cmdline=%s\n", n >= 0 ? "ok" : err(-n));
    fprintf(out, "cmdline_secret=%s\n", n > 0 && contains(buf, n, secret) ? "LEAKED" : "no");

    snprintf(path, sizeof path, "/proc/%d/environ", pid);
    n = slurp(path, buf, sizeof buf);
    fprintf(out, "environ=%s\n", n >= 0 ? "ok" : err(-n));
    fprintf(out, "environ_secret=%s\n", n > 0 && contains(buf, n, secret) ? "LEAKED" : "no");

    snprintf(path, sizeof path, "/proc/%d/mem", pid);
    fd = open(path, O_RDONLY);
    fprintf(out, "mem=%s\n", fd >= 0 ? "ok" : err(errno));
    if (fd >= 0)
        close(fd);

    /* Which of its descriptors could we follow (what readlink and open would reach)? */
    snprintf(path, sizeof path, "/proc/%d/fd", pid);
    DIR *d = opendir(path);
    int followed = 0;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (e->d_name[0] != '.') {
                char fdp[300];
                snprintf(fdp, sizeof fdp, "%s/%s", path, e->d_name);
                if (readlink(fdp, link, sizeof link) >= 0)
                    followed++;
            }
        closedir(d);
    }
    fprintf(out, "fd_links=%s\n", followed ? "LEAKED" : "none");

    /* The CVE-2019-5736 sequence: hold the executable by O_PATH, reopen it for writing. */
    snprintf(path, sizeof path, "/proc/%d/exe", pid);
    n = readlink(path, link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    fprintf(out, "exe_link=%s\n", n > 0 ? link : err(errno));
    fd = open(path, O_PATH);
    fprintf(out, "exe_open=%s\n", fd >= 0 ? "ok" : err(errno));
    if (fd >= 0) {
        char again[64];
        snprintf(again, sizeof again, "/proc/self/fd/%d", fd);
        int w = open(again, O_WRONLY | O_APPEND);
        e = w < 0 ? errno : 0;
        if (w >= 0) {
            /* Appending nothing harmful would still be a write: try one byte. */
            e = write(w, "", 1) == 1 ? 0 : errno;
            close(w);
            fprintf(out, "exe_write=%s\n", e ? err(e) : "WROTE");
        } else {
            fprintf(out, "exe_write=%s\n", err(e));
        }
        close(fd);
    } else {
        fprintf(out, "exe_write=%s\n", "no handle");
    }

    if (ptrace(PTRACE_SEIZE, pid, 0, 0) == 0) {
        fprintf(out, "ptrace=ATTACHED\n");
        ptrace(PTRACE_DETACH, pid, 0, 0);
    } else {
        fprintf(out, "ptrace=%s\n", err(errno));
    }
    fflush(out);
}

static int pids(int *out, int cap)
{
    int n = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d)) && n < cap)
        if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
            out[n++] = atoi(e->d_name);
    if (d)
        closedir(d);
    return n;
}

static int trap(const char *fifo, const char *secret)
{
    int before[4096], now[4096], nb, nn, i, j, seen = 0, self = getpid();
    nb = pids(before, 4096);
    /* Blocks until a reader opens the FIFO: berth's process, inside the container. */
    int fd = open(fifo, O_WRONLY);
    if (fd < 0) {
        printf("trap=%s\n", err(errno));
        return 1;
    }
    nn = pids(now, 4096);
    for (i = 0; i < nn; i++) {
        int old = now[i] == self;
        for (j = 0; j < nb && !old; j++)
            old = before[j] == now[i];
        if (!old) {
            inspect(now[i], secret, stdout);
            seen++;
        }
    }
    printf("new_processes=%d\n", seen);
    fflush(stdout);
    const char *passwd = "root:x:0:0:root:/root:/bin/sh\n";
    if (write(fd, passwd, strlen(passwd)) < 0)
        return 1;
    close(fd);
    /* A regular passwd file again, for the commands that follow. */
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s.new", fifo);
    FILE *f = fopen(tmp, "w");
    if (!f || fputs(passwd, f) < 0 || fclose(f) != 0 || rename(tmp, fifo) != 0)
        return 1;
    return 0;
}

static int tty(void)
{
    int i;
    const char *inject = "echo INJECTED\n";
    for (i = 0; i < 3; i++) {
        int typed = 0, e = 0;
        const char *c;
        for (c = inject; *c; c++)
            if (ioctl(i, TIOCSTI, c) == 0)
                typed++;
            else
                e = errno;
        printf("fd%d_isatty=%d\nfd%d_tiocsti=%s\n", i, isatty(i), i, typed ? "TYPED" : err(e));
    }
    int t = open("/dev/tty", O_RDWR | O_NOCTTY);
    printf("dev_tty=%s\n", t >= 0 ? "OPENED" : err(errno));
    if (t >= 0) {
        int typed = 0, e = 0;
        const char *c;
        for (c = inject; *c; c++)
            if (ioctl(t, TIOCSTI, c) == 0)
                typed++;
            else
                e = errno;
        printf("dev_tty_tiocsti=%s\n", typed ? "TYPED" : err(e));
    }
    printf("sid=%d pgid=%d pid=%d\n", getsid(0), getpgid(0), getpid());
    return 0;
}

static int fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    char path[300], link[512];
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
            continue;
        snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
        long n = readlink(path, link, sizeof link - 1);
        link[n > 0 ? n : 0] = 0;
        printf("fd %s %s\n", e->d_name, link);
    }
    return 0;
}

static void probe(const char *name, long rc)
{
    printf("%s=%s\n", name, rc < 0 ? err(errno) : "ALLOWED");
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return -1;
    long n = write(fd, text, strlen(text));
    int e = errno;
    close(fd);
    errno = e;
    return n < 0 ? -1 : 0;
}

static int probes(void)
{
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    probe("mount_tmpfs", mount("none", "/mnt", "tmpfs", 0, NULL));
    probe("mount_proc", mount("proc", "/mnt", "proc", 0, NULL));
    probe("remount_root_rw", mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL));
    probe("unshare_user", unshare(CLONE_NEWUSER));
    probe("unshare_mount", unshare(CLONE_NEWNS));
    probe("bpf_map_create", syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr));
    probe("keyctl_join", syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, "x"));
    probe("add_key", syscall(SYS_add_key, "user", "x", "y", 1, -3));
    struct {
        unsigned int bytes;
        int type;
        unsigned char h[8];
    } fh = {8, 1, {2, 0, 0, 0, 0, 0, 0, 0}};
    probe("open_by_handle_at", syscall(SYS_open_by_handle_at, AT_FDCWD, &fh, O_RDONLY));
    probe("write_proc_sys_kernel", write_file("/proc/sys/kernel/hostname", "escaped"));
    probe("write_proc_sysrq", write_file("/proc/sysrq-trigger", "h"));
    probe("write_sys_kernel", write_file("/sys/kernel/uevent_helper", "/escape"));
    probe("reboot", syscall(SYS_reboot, 0xfee1dead, 672274793, 0x4321fedc, NULL));
    probe("init_module", syscall(SYS_init_module, NULL, 0, ""));
    probe("mknod_block", mknod("/tmp/sda", S_IFBLK | 0600, makedev(8, 0)));
    int k = open("/proc/kcore", O_RDONLY);
    probe("kcore_read", k >= 0 ? read(k, &attr, 1) : -1);
    probe("ptrace_pid1", ptrace(PTRACE_SEIZE, 1, 0, 0));
    return 0;
}

static int cwd(void)
{
    struct stat root, here;
    char up[4096] = ".";
    int i;
    if (stat("/", &root) != 0)
        return 1;
    for (i = 0; i < 64; i++) {
        if (stat(up, &here) != 0) {
            printf("cwd=%s\n", err(errno));
            return 0;
        }
        if (here.st_dev == root.st_dev && here.st_ino == root.st_ino) {
            printf("cwd=inside\n");
            return 0;
        }
        strcat(up, "/..");
    }
    printf("cwd=OUTSIDE\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "inspect") == 0) {
        inspect(atoi(argv[2]), unreverse(argv[3]), stdout);
        return 0;
    }
    if (argc >= 4 && strcmp(argv[1], "trap") == 0)
        return trap(argv[2], unreverse(argv[3]));
    if (argc >= 2 && strcmp(argv[1], "tty") == 0)
        return tty();
    if (argc >= 2 && strcmp(argv[1], "fds") == 0)
        return fds();
    if (argc >= 2 && strcmp(argv[1], "probes") == 0)
        return probes();
    if (argc >= 2 && strcmp(argv[1], "euid") == 0) {
        printf("euid=%d\n", geteuid());
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "cwd") == 0)
        return cwd();
    fprintf(stderr, "usage: hostile inspect|trap|tty|fds|probes|euid|cwd ...\n");
    return 2;
}
