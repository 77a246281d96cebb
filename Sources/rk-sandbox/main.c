// rk-sandbox: runs one untrusted program in a jail and reports what happened.
//
// Why C and a separate executable: forking from a multithreaded Swift process allows only
// async-signal-safe calls before exec, and unshare/mount/setuid/seccomp must run in the child.
// The Swift side posix_spawns this launcher; everything between fork and exec happens here.
//
// Layers (each probed; a missing one is reported in "isolation" and, with --strict, refuses):
//   setsid; unshare(PID|NET|NS|IPC|UTS); init (pid 1 of the new PID namespace) whose death
//   kills the whole tree; read-only /, private tmpfs on /tmp /var/tmp /dev/shm, fresh /proc;
//   the (root-owned) work dir bound read-only at /tmp/w, so a program writes only to the
//   private, size-capped tmpfs; rlimits CPU AS NPROC FSIZE NOFILE CORE STACK; setgroups([]),
//   setgid/setuid to the slot's uid; no_new_privs; seccomp BPF; clean environment.
// The launcher keeps the wall clock, drains stdout/stderr/fd 3 while the program runs into
// files capped at --out-cap bytes (over the cap: kill, "output_limit"), reaps everything,
// and prints one JSON report line on its own stdout.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

typedef struct {
    uid_t uid; gid_t gid;
    double cpu_s; long wall_ms;
    long as_mb, nproc, fsize_mb, nofile, stack_mb;
    long out_cap;
    const char *dir, *in_path, *out_path, *err_path, *fd3_path;
    int strict, no_ns, no_seccomp;
    char **argv;
} Config;

static long now_ms(void) {
    struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

static void die_report(const char *status, const char *msg, const char *iso) {
    printf("{\"status\":\"%s\",\"error\":\"%s\",\"isolation\":\"%s\"}\n", status, msg, iso ? iso : "");
    fflush(stdout);
    exit(2);
}

// ---- seccomp: deny what an untrusted program never needs (kernel attack surface, escape tools) ----
#define DENY(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
                 BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)
static int install_seccomp(void) {
#if defined(__x86_64__)
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        // x32 syscalls would bypass the numbers below.
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        // socket(): only AF_UNIX (Python's multiprocessing and some stdlib use it).
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 4),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        // clone3 hides its flags in memory: make glibc fall back to clone, whose flags we see.
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |
                 CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        DENY(__NR_ptrace), DENY(__NR_mount), DENY(__NR_umount2), DENY(__NR_unshare), DENY(__NR_setns),
        DENY(__NR_bpf), DENY(__NR_kexec_load), DENY(__NR_init_module), DENY(__NR_finit_module),
        DENY(__NR_delete_module), DENY(__NR_perf_event_open), DENY(__NR_keyctl), DENY(__NR_add_key),
        DENY(__NR_request_key), DENY(__NR_process_vm_readv), DENY(__NR_process_vm_writev),
        DENY(__NR_pivot_root), DENY(__NR_chroot), DENY(__NR_swapon), DENY(__NR_swapoff), DENY(__NR_reboot),
        DENY(__NR_userfaultfd), DENY(__NR_open_by_handle_at), DENY(__NR_name_to_handle_at),
        DENY(__NR_fsopen), DENY(__NR_fsmount), DENY(__NR_move_mount), DENY(__NR_open_tree),
        DENY(__NR_iopl), DENY(__NR_ioperm), DENY(__NR_acct), DENY(__NR_settimeofday), DENY(__NR_clock_settime),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { .len = (unsigned short)(sizeof(f) / sizeof(f[0])), .filter = f };
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

static void set_limit(int res, rlim_t soft, rlim_t hard) {
    struct rlimit r = { soft, hard };
    setrlimit(res, &r);
}

// Runs in the program's process (grandchild of the launcher): limits, identity, filter, exec.
// Failures are written to the error pipe so the launcher reports sandbox_error instead of running.
static void exec_program(const Config *c, int in_fd, int out_fd, int err_fd, int fd3, int errpipe) {
    dup2(in_fd, 0); dup2(out_fd, 1); dup2(err_fd, 2); dup2(fd3, 3);
    for (int fd = 4; fd < 1024; fd++) if (fd != errpipe) close(fd);
    rlim_t cpu = (rlim_t)(c->cpu_s + 0.999);
    if (cpu < 1) cpu = 1;
    set_limit(RLIMIT_CPU, cpu, cpu + 1);
    set_limit(RLIMIT_AS, (rlim_t)c->as_mb << 20, (rlim_t)c->as_mb << 20);
    set_limit(RLIMIT_NPROC, c->nproc, c->nproc);
    set_limit(RLIMIT_FSIZE, (rlim_t)c->fsize_mb << 20, (rlim_t)c->fsize_mb << 20);
    set_limit(RLIMIT_NOFILE, c->nofile, c->nofile);
    set_limit(RLIMIT_CORE, 0, 0);
    set_limit(RLIMIT_STACK, (rlim_t)c->stack_mb << 20, (rlim_t)c->stack_mb << 20);
    set_limit(RLIMIT_MEMLOCK, 0, 0);
    set_limit(RLIMIT_MSGQUEUE, 0, 0);
    const char *step = "identity";
    // Without root there is no identity to drop (degraded mode, reported in "isolation").
    if (geteuid() == 0) {
        if (setgroups(0, NULL) != 0 || setgid(c->gid) != 0 || setuid(c->uid) != 0) goto fail;
        if (c->uid != 0 && setuid(0) == 0) { errno = EPERM; goto fail; }  // must be irreversible
    }
    step = "no_new_privs";
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) goto fail;
    step = "seccomp";
    if (!c->no_seccomp && install_seccomp() != 0) goto fail;
    char *envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp/w", "LANG=C.UTF-8", "PYTHONIOENCODING=utf-8",
                     "PYTHONDONTWRITEBYTECODE=1", "OMP_NUM_THREADS=1", "OPENBLAS_NUM_THREADS=1",
                     "MKL_NUM_THREADS=1", "PYTHONHASHSEED=0", NULL };
    step = "exec";
    execve(c->argv[0], c->argv, envp);
fail:;
    char msg[160];
    int n = snprintf(msg, sizeof msg, "%s: %s", step, strerror(errno));
    if (write(errpipe, msg, n) < 0) {}
    _exit(127);
}

typedef struct { int status; long utime_ms, stime_ms, maxrss_kb; } InitReport;

// pid 1 of the new PID namespace: sets up mounts, starts the program, reaps every orphan,
// and reports the program's status. When it exits the kernel kills everything left in the namespace.
static void run_init(const Config *c, int have_ns, int statpipe, int errpipe, int in_fd, int out_fd, int err_fd, int fd3) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int dirfd = open(c->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) { dprintf(errpipe, "open work dir: %s", strerror(errno)); _exit(127); }
    if (have_ns) {
        const char *step = "mount";
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) goto mfail;
        step = "read-only root";
        if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID, NULL) != 0) goto mfail;
        step = "tmpfs";
        const char *tmps[] = { "/tmp", "/var/tmp", "/dev/shm" };
        for (int i = 0; i < 3; i++) {
            if (mount("tmpfs", tmps[i], "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777") != 0 && i == 0) goto mfail;
        }
        step = "bind work dir";
        char src[64];
        snprintf(src, sizeof src, "/proc/self/fd/%d", dirfd);
        if (mkdir("/tmp/w", 0755) != 0) goto mfail;
        if (mount(src, "/tmp/w", NULL, MS_BIND, NULL) != 0) goto mfail;
        if (mount(NULL, "/tmp/w", NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | MS_RDONLY, NULL) != 0) goto mfail;
        step = "proc";
        if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2") != 0 &&
            mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) goto mfail;
        if (chdir("/tmp/w") != 0) goto mfail;
        goto mounted;
    mfail:
        dprintf(errpipe, "%s: %s", step, strerror(errno));
        _exit(127);
    } else if (fchdir(dirfd) != 0) { dprintf(errpipe, "chdir: %s", strerror(errno)); _exit(127); }
mounted:
    close(dirfd);
    pid_t prog = fork();
    if (prog < 0) { dprintf(errpipe, "fork: %s", strerror(errno)); _exit(127); }
    if (prog == 0) exec_program(c, in_fd, out_fd, err_fd, fd3, errpipe);
    close(in_fd); close(out_fd); close(err_fd); close(fd3); close(errpipe);
    InitReport rep = { .status = -1 };
    for (;;) {
        int st; struct rusage ru;
        pid_t p = wait4(-1, &st, 0, &ru);
        if (p < 0 && errno == EINTR) continue;
        if (p < 0) break;  // no children left
        if (p == prog) {
            rep.status = st;
            rep.utime_ms = ru.ru_utime.tv_sec * 1000L + ru.ru_utime.tv_usec / 1000;
            rep.stime_ms = ru.ru_stime.tv_sec * 1000L + ru.ru_stime.tv_usec / 1000;
            rep.maxrss_kb = ru.ru_maxrss;
            // The program is done: whatever it left behind dies with us.
            if (write(statpipe, &rep, sizeof rep) < 0) {}
            _exit(0);
        }
    }
    if (write(statpipe, &rep, sizeof rep) < 0) {}
    _exit(0);
}

static long parse_long(const char *s, const char *name) {
    char *end; errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < 0) { fprintf(stderr, "rk-sandbox: bad value for %s: %s\n", name, s); exit(64); }
    return v;
}

static void json_str(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20) fprintf(f, "\\u%04x", *s);
        else fputc(*s, f);
    }
    fputc('"', f);
}

int main(int argc, char **argv) {
    Config c = { .uid = 65534, .gid = 65534, .cpu_s = 10, .wall_ms = 20000, .as_mb = 1024, .nproc = 64,
                 .fsize_mb = 16, .nofile = 64, .stack_mb = 256, .out_cap = 1 << 20,
                 .in_path = "/dev/null", .out_path = "/dev/null", .err_path = "/dev/null", .fd3_path = "/dev/null" };
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) { i++; break; }
        if (!strcmp(a, "--strict")) { c.strict = 1; continue; }
        if (!strcmp(a, "--no-namespaces")) { c.no_ns = 1; continue; }
        if (!strcmp(a, "--no-seccomp")) { c.no_seccomp = 1; continue; }
        if (i + 1 >= argc) { fprintf(stderr, "rk-sandbox: %s needs a value\n", a); return 64; }
        const char *v = argv[++i];
        if (!strcmp(a, "--uid")) c.uid = (uid_t)parse_long(v, a);
        else if (!strcmp(a, "--gid")) c.gid = (gid_t)parse_long(v, a);
        else if (!strcmp(a, "--cpu")) c.cpu_s = atof(v);
        else if (!strcmp(a, "--wall-ms")) c.wall_ms = parse_long(v, a);
        else if (!strcmp(a, "--as-mb")) c.as_mb = parse_long(v, a);
        else if (!strcmp(a, "--nproc")) c.nproc = parse_long(v, a);
        else if (!strcmp(a, "--fsize-mb")) c.fsize_mb = parse_long(v, a);
        else if (!strcmp(a, "--nofile")) c.nofile = parse_long(v, a);
        else if (!strcmp(a, "--stack-mb")) c.stack_mb = parse_long(v, a);
        else if (!strcmp(a, "--out-cap")) c.out_cap = parse_long(v, a);
        else if (!strcmp(a, "--dir")) c.dir = v;
        else if (!strcmp(a, "--stdin")) c.in_path = v;
        else if (!strcmp(a, "--stdout")) c.out_path = v;
        else if (!strcmp(a, "--stderr")) c.err_path = v;
        else if (!strcmp(a, "--fd3")) c.fd3_path = v;
        else { fprintf(stderr, "rk-sandbox: unknown option %s\n", a); return 64; }
    }
    if (i >= argc || !c.dir) {
        fprintf(stderr, "usage: rk-sandbox --dir DIR [--uid N --gid N --cpu S --wall-ms MS --as-mb N --nproc N "
                        "--fsize-mb N --nofile N --stack-mb N --out-cap BYTES --stdin F --stdout F --stderr F --fd3 F "
                        "--strict --no-namespaces --no-seccomp] -- PROGRAM ARGS...\n");
        return 64;
    }
    c.argv = &argv[i];
    signal(SIGPIPE, SIG_IGN);
    pid_t parent = getppid();

    // Isolation actually reached, reported with every run.
    char iso[160] = "";
    if (geteuid() != 0) {
        if (c.strict) die_report("sandbox_error", "rk-sandbox must run as root to switch uid and create namespaces", "none");
        strcat(iso, "rlimits-only(not root)");
    } else {
        strcat(iso, "uid,rlimits");
    }
    // Open the caller's files before unshare: a file open for writing on the copied root mount
    // would make the read-only remount fail with EBUSY.
    int in_fd = open(c.in_path, O_RDONLY | O_CLOEXEC);
    if (in_fd < 0) die_report("sandbox_error", "cannot open --stdin", iso);
    int outs[3][2];  // program stdout, stderr, fd 3 -> launcher
    const char *paths[3] = { c.out_path, c.err_path, c.fd3_path };
    int files[3];
    for (int k = 0; k < 3; k++) {
        if (pipe2(outs[k], O_CLOEXEC) != 0) die_report("sandbox_error", "pipe", iso);
        files[k] = open(paths[k], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (files[k] < 0) die_report("sandbox_error", "cannot open an output file", iso);
    }
    setsid();
    int have_ns = 0;
    if (!c.no_ns && geteuid() == 0) {
        if (unshare(CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS) == 0) {
            have_ns = 1;
            strcat(iso, ",pidns,netns,mntns");
        } else {
            char m[120];
            snprintf(m, sizeof m, "unshare failed (%s): no PID/network/mount namespaces", strerror(errno));
            if (c.strict) die_report("sandbox_error", m, iso);
            fprintf(stderr, "rk-sandbox: WARNING %s; running with uid+rlimits only\n", m);
        }
    } else if (c.strict) {
        die_report("sandbox_error", "namespaces disabled but --strict given", iso);
    }
    if (!c.no_seccomp) strcat(iso, ",seccomp");
    else if (c.strict) die_report("sandbox_error", "seccomp disabled but --strict given", iso);

    int statp[2], errp[2];
    if (pipe2(statp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) die_report("sandbox_error", "pipe", iso);

    long start = now_ms();
    pid_t init = fork();
    if (init < 0) die_report("sandbox_error", "fork failed", iso);
    if (init == 0) {
        close(statp[0]); close(errp[0]);
        for (int k = 0; k < 3; k++) { close(outs[k][0]); close(files[k]); }
        // Drop CLOEXEC on what the program keeps (dup2 in exec_program clears it on 0-3).
        run_init(&c, have_ns, statp[1], errp[1], in_fd, outs[0][1], outs[1][1], outs[2][1]);
    }
    close(statp[1]); close(errp[1]); close(in_fd);
    for (int k = 0; k < 3; k++) close(outs[k][1]);

    long written[3] = { 0, 0, 0 };
    int open_streams = 3, killed = 0, timed_out = 0, over = 0, got_stat = 0;
    InitReport rep = { .status = -1 };
    char errmsg[256] = "";
    size_t errlen = 0;
    int errp_open = 1;
    static char buf[1 << 16];
    long deadline = start + c.wall_ms;
    while (open_streams > 0 || !got_stat || errp_open) {
        struct pollfd pf[5]; int map[5]; int n = 0;
        for (int k = 0; k < 3; k++) if (outs[k][0] >= 0) { pf[n].fd = outs[k][0]; pf[n].events = POLLIN; map[n++] = k; }
        if (!got_stat) { pf[n].fd = statp[0]; pf[n].events = POLLIN; map[n++] = 3; }
        if (errp_open) { pf[n].fd = errp[0]; pf[n].events = POLLIN; map[n++] = 4; }
        long left = deadline - now_ms();
        if (c.wall_ms == 0) left = 100;  // no wall clock: a warm jail, killed by its caller
        if (left <= 0 && !killed) { timed_out = 1; kill(init, SIGKILL); killed = 1; }
        int wait = killed ? 100 : (left < 100 ? (int)left : 100);
        int r = poll(pf, n, wait);
        if (getppid() != parent && !killed) { kill(init, SIGKILL); killed = 1; }  // our caller died
        if (r < 0 && errno != EINTR) break;
        for (int j = 0; j < n && r > 0; j++) {
            if (!(pf[j].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            int k = map[j];
            if (k == 3) {
                ssize_t m = read(statp[0], &rep, sizeof rep);
                got_stat = 1;
                if (m != (ssize_t)sizeof rep) rep.status = -1;
                close(statp[0]);
                continue;
            }
            if (k == 4) {
                ssize_t m = read(errp[0], errmsg + errlen, sizeof errmsg - 1 - errlen);
                if (m <= 0) { errp_open = 0; close(errp[0]); } else errlen += (size_t)m;
                continue;
            }
            ssize_t m = read(outs[k][0], buf, sizeof buf);
            if (m <= 0) { close(outs[k][0]); outs[k][0] = -1; open_streams--; continue; }
            long room = c.out_cap - written[k];
            long keep = m < room ? m : (room > 0 ? room : 0);
            if (keep > 0 && write(files[k], buf, (size_t)keep) < 0) {}
            written[k] += keep;
            if (m > keep && !killed) { over = 1; kill(init, SIGKILL); killed = 1; }
        }
        // Once init is gone every stream closes; guard against a stuck loop anyway.
        if (killed && now_ms() > deadline + 5000) break;
    }
    int st = 0;
    while (waitpid(init, &st, 0) < 0 && errno == EINTR) {}
    long wall = now_ms() - start;
    for (int k = 0; k < 3; k++) close(files[k]);

    const char *status;
    int code = -1, sig = 0;
    if (errlen > 0) status = "sandbox_error";
    else if (over) status = "output_limit";
    else if (timed_out) status = "timeout";
    else if (rep.status == -1) status = "sandbox_error";
    else if (WIFEXITED(rep.status)) { code = WEXITSTATUS(rep.status); status = "exited"; }
    else {
        sig = WTERMSIG(rep.status);
        status = (sig == SIGXCPU || (sig == SIGKILL && (rep.utime_ms + rep.stime_ms) >= (long)(c.cpu_s * 1000))) ? "timeout"
               : sig == SIGXFSZ ? "output_limit" : "signaled";
    }
    errmsg[errlen] = 0;
    printf("{\"status\":\"%s\",\"exit_code\":%d,\"signal\":%d,\"wall_ms\":%ld,\"cpu_ms\":%ld,\"max_rss_kb\":%ld,"
           "\"stdout_bytes\":%ld,\"stderr_bytes\":%ld,\"fd3_bytes\":%ld,\"isolation\":",
           status, code, sig, wall, rep.utime_ms + rep.stime_ms, rep.maxrss_kb, written[0], written[1], written[2]);
    json_str(stdout, iso);
    if (errlen) { fputs(",\"error\":", stdout); json_str(stdout, errmsg); }
    fputs("}\n", stdout);
    fflush(stdout);
    return 0;
}
