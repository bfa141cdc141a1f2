/*
 * berth-shim: the last program berth runs in a container before the user's command, and the
 * container's PID 1 with --init. berth runs it from a sealed memfd (see src/runtime/seal.rs),
 * so that at the moment the user's command (or the #! interpreter it names, which may be
 * /proc/self/exe) is loaded, /proc/self/exe is this sealed copy and never berth's own file.
 *
 * Freestanding: no libc, raw system calls, a few kilobytes. Its environment is the container's
 * (berth passes it), never the caller's.
 *
 *   argv: berth-exec PROGRAM ARGV0 ARGS...   execve PROGRAM with ARGV0 ARGS... and our envp
 *         berth-init PROGRAM ARGV0 ARGS...   stay PID 1: fork, the child execs as above; we
 *                                            forward signals to it, reap every process and
 *                                            exit with its status (128+N for signal N)
 *
 * Descriptor 3 is berth's sync socket. It is made close-on-exec before the user's command
 * runs, so a successful exec is end-of-file there; a failed one sends one message:
 * [13][errno, 4 bytes little-endian][ARGV0] and exits 127.
 */

typedef unsigned long u64;
typedef long i64;

#if defined(__x86_64__)
#define NR_write 1
#define NR_close 3
#define NR_rt_sigaction 13
#define NR_rt_sigprocmask 14
#define NR_getpid 39
#define NR_fork 57
#define NR_execve 59
#define NR_exit 60
#define NR_wait4 61
#define NR_kill 62
#define NR_fcntl 72
#define NR_prctl 157
#define NR_rt_sigtimedwait 128
#define NR_close_range 436
static i64 sys(i64 n, i64 a, i64 b, i64 c, i64 d, i64 e, i64 f)
{
    i64 ret;
    register i64 r10 __asm__("r10") = d;
    register i64 r8 __asm__("r8") = e;
    register i64 r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
__asm__(".text\n.global _start\n_start:\n xor %rbp,%rbp\n mov %rsp,%rdi\n and $-16,%rsp\n"
        " call shim_main\n hlt\n");
#elif defined(__aarch64__)
#define NR_write 64
#define NR_close 57
#define NR_rt_sigaction 134
#define NR_rt_sigprocmask 135
#define NR_getpid 172
#define NR_clone 220
#define NR_execve 221
#define NR_exit 93
#define NR_wait4 260
#define NR_kill 129
#define NR_fcntl 25
#define NR_prctl 167
#define NR_rt_sigtimedwait 137
#define NR_close_range 436
static i64 sys(i64 n, i64 a, i64 b, i64 c, i64 d, i64 e, i64 f)
{
    register i64 x8 __asm__("x8") = n;
    register i64 x0 __asm__("x0") = a;
    register i64 x1 __asm__("x1") = b;
    register i64 x2 __asm__("x2") = c;
    register i64 x3 __asm__("x3") = d;
    register i64 x4 __asm__("x4") = e;
    register i64 x5 __asm__("x5") = f;
    __asm__ volatile("svc 0"
                     : "+r"(x0)
                     : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                     : "memory");
    return x0;
}
__asm__(".text\n.global _start\n_start:\n mov x29, #0\n mov x0, sp\n bl shim_main\n brk #0\n");
#else
#error "berth-shim: unsupported architecture"
#endif

#define SYNC_FD 3
#define MSG_EXEC_ERRNO 13
#define F_SETFD 2
#define FD_CLOEXEC 1
#define PR_SET_DUMPABLE 4
#define SIG_SETMASK 2
#define SIGCHLD 17
#define WNOHANG 1
#define ECHILD 10
#define EINTR 4
#define EAGAIN 11

static void __attribute__((noreturn)) quit(int code)
{
    for (;;)
        sys(NR_exit, code, 0, 0, 0, 0, 0);
}

static u64 len(const char *s)
{
    u64 n = 0;
    while (s[n])
        n++;
    return n;
}

static int same(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

/* Exec PROGRAM; on failure tell berth why (errno and the name it was asked for) and exit.
 * The command starts as it would in any container: every signal at its default disposition
 * (berth ignores SIGPIPE, and an ignored signal survives exec) and none blocked. */
static void __attribute__((noreturn)) run(char **argv, char **envp)
{
    char msg[512];
    u64 n = 0, i, name, none = 0;
    u64 dfl[4] = {0, 0, 0, 0}; /* handler SIG_DFL, flags, restorer, mask */
    i64 rc, sig;
    for (sig = 1; sig <= 64; sig++)
        sys(NR_rt_sigaction, sig, (i64)dfl, 0, 8, 0, 0);
    sys(NR_rt_sigprocmask, SIG_SETMASK, (i64)&none, 0, 8, 0, 0);
    sys(NR_fcntl, SYNC_FD, F_SETFD, FD_CLOEXEC, 0, 0, 0);
    rc = sys(NR_execve, (i64)argv[1], (i64)(argv + 2), (i64)envp, 0, 0, 0);
    rc = -rc;
    msg[n++] = MSG_EXEC_ERRNO;
    for (i = 0; i < 4; i++)
        msg[n++] = (char)((rc >> (8 * i)) & 0xff);
    name = len(argv[2]);
    for (i = 0; i < name && n < sizeof msg; i++)
        msg[n++] = argv[2][i];
    sys(NR_write, SYNC_FD, (i64)msg, (i64)n, 0, 0, 0);
    quit(127);
}

static i64 fork_child(void)
{
#if defined(__x86_64__)
    return sys(NR_fork, 0, 0, 0, 0, 0, 0);
#else
    return sys(NR_clone, SIGCHLD, 0, 0, 0, 0, 0);
#endif
}

/* The init: signals arrive through sigtimedwait, never a handler (tini's way). */
static void __attribute__((noreturn)) init(char **argv, char **envp)
{
    u64 all = ~0UL;
    unsigned char info[128];
    i64 child, sig, pid;
    int status;
    sys(NR_rt_sigprocmask, SIG_SETMASK, (i64)&all, 0, 8, 0, 0);
    child = fork_child();
    if (child < 0)
        quit(125);
    if (child == 0)
        run(argv, envp);
    /* The child reports an exec failure; berth must see end-of-file once it has exec'd, so
     * nothing of ours stays open (the init needs no descriptor at all). */
    sys(NR_close_range, 0, ~0U, 0, 0, 0, 0);
    for (;;) {
        sig = sys(NR_rt_sigtimedwait, (i64)&all, (i64)info, 0, 8, 0, 0);
        if (sig < 0)
            continue;
        if (sig != SIGCHLD) {
            sys(NR_kill, child, sig, 0, 0, 0, 0);
            continue;
        }
        for (;;) {
            status = 0;
            pid = sys(NR_wait4, -1, (i64)&status, WNOHANG, 0, 0, 0);
            if (pid == -EINTR)
                continue;
            if (pid <= 0)
                break;
            if (pid == child) {
                if ((status & 0x7f) == 0)
                    quit((status >> 8) & 0xff);
                if (((status & 0x7f) + 1) >> 1 > 0) /* signalled (not stopped) */
                    quit(128 + (status & 0x7f));
            }
        }
    }
}

void __attribute__((noreturn, used)) shim_main(i64 *sp)
{
    i64 argc = sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    /* Nothing in the container may read our memory or attach to us; the command's own exec
     * makes it dumpable again, as it would be without berth. */
    sys(NR_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0, 0);
    if (argc < 3)
        quit(125);
    if (same(argv[0], "berth-init"))
        init(argv, envp);
    run(argv, envp);
}
