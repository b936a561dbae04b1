/* The container's program in the fault tests: it proves that it ran and that it got no stray fd.
 *
 *   payload MARKER [wait]
 *
 * Asks poll(2) which of fds 3..1023 are open (a runtime that keeps one open hands a host file to
 * the container: CVE-2024-21626), creates MARKER (the proof that the container really ran) or,
 * with an fd open, MARKER.fd-leak, then exits 42, or with `wait` sleeps until it is killed.
 *
 * No libc: it makes only these system calls, none of which runt makes itself (poll, creat,
 * pause, exit_group: the last one is never injected), so a fault the tests inject into runt's
 * calls never lands in the payload.
 */
#define SYS_poll 7
#define SYS_pause 34
#define SYS_creat 85
#define SYS_exit_group 231
#define POLLNVAL 0x20
#define FIRST 3
#define COUNT 1021

struct pollfd {
    int fd;
    short events, revents;
};

static long sys3(long n, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

static struct pollfd fds[COUNT];
static char leak_name[4096];

__attribute__((used)) static void payload(long *sp)
{
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    const char *marker = argc > 1 ? argv[1] : "/ran";
    int leak = 0;
    for (int i = 0; i < COUNT; i++)
        fds[i].fd = FIRST + i;
    /* An fd that is not open comes back as POLLNVAL; a failed poll is a leak too (fail safe). */
    if (sys3(SYS_poll, (long)fds, COUNT, 0) < 0)
        leak = 1;
    for (int i = 0; i < COUNT; i++)
        if (!(fds[i].revents & POLLNVAL))
            leak = 1;
    if (leak) {
        int i = 0;
        for (const char *p = marker; *p && i < 4000; p++)
            leak_name[i++] = *p;
        for (const char *p = ".fd-leak"; *p; p++)
            leak_name[i++] = *p;
        leak_name[i] = 0;
        marker = leak_name;
    }
    sys3(SYS_creat, (long)marker, 0644, 0);
    if (argc > 2)
        for (;;)
            sys3(SYS_pause, 0, 0, 0);
    for (;;)
        sys3(SYS_exit_group, 42, 0, 0);
}

/* The kernel starts a static program with argc at the stack pointer. */
__asm__(".globl _start\n_start:\n mov %rsp, %rdi\n and $-16, %rsp\n call payload\n hlt\n");
