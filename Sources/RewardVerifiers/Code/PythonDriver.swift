import Foundation

/// The Python program that runs inside the jail for every sample: it starts once, forks one
/// child per test and reports raw outcomes (never verdicts against expected outputs, which it
/// never sees) on fd 3. Kept as a string so the binary needs no resource bundle.
enum PythonDriver {
    static let source = #"""
# RewardKit sandbox driver: runs inside rk-sandbox as the slot's uid. Reads the job (code, test
# inputs, nonce) from stdin, forks one child per test (the interpreter is started once per sample,
# not per test), and reports raw outcomes on fd 3. Expected outputs never enter the jail: the
# parent compares. A test counts only if its child wrote this run's nonce after finishing.
import json, os, resource, select, signal, sys, time, types

def _print_exc():
    import traceback  # imported only on failure: start-up time is paid per sample
    traceback.print_exc()

def _nondumpable():
    # Makes /proc/<driver>/fd unreadable to the test children (same uid), so they cannot write fd 3.
    try:
        import ctypes
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0
    except Exception:
        pass

PLAIN = (int, float, str, bool, type(None), bytes, complex)

def _plain(x, depth=0):
    t = type(x)
    if t in PLAIN:
        return True
    if depth > 200:
        return False
    if t in (list, tuple, set, frozenset):
        return all(_plain(v, depth + 1) for v in x)
    if t is dict:
        return all(_plain(k, depth + 1) and _plain(v, depth + 1) for k, v in x.items())
    return False

def _listify(x):
    if type(x) in (list, tuple):
        return [_listify(v) for v in x]
    if type(x) is dict:
        return {k: _listify(v) for k, v in x.items()}
    return x

class NotPlain(Exception):
    pass

def _guard(fn):
    # An object whose __eq__ always answers True would pass every assert: returned values must be
    # plain built-in data (exact types, so int subclasses with a rigged __eq__ fail too).
    def guarded(*a, **k):
        r = fn(*a, **k)
        if not _plain(r):
            raise NotPlain("returned a %s, not plain data" % type(r).__name__)
        return r
    guarded.__name__ = getattr(fn, "__name__", "guarded")
    guarded.__doc__ = getattr(fn, "__doc__", None)
    return guarded

def _child(job, i, test, nonce, code_obj, test_obj):
    mode = job["mode"]
    os.close(3)
    t = float(job["timeout"])
    cpu = max(1, int(t + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    fd = os.open("i%d" % i, os.O_RDONLY) if mode == "stdio" else os.open("/dev/null", os.O_RDONLY)
    os.dup2(fd, 0)
    os.dup2(os.open("o%d" % i, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 1)
    os.dup2(os.open("e%d" % i, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
    sys.stdin = open(0, "r", closefd=False)
    sys.stdout = open(1, "w", closefd=False)
    sys.stderr = open(2, "w", closefd=False)
    sys.argv = ["solution.py"]
    sys.setrecursionlimit(int(job.get("recursion_limit", 10000)))
    result_path = "r%d" % i
    def finish(payload):
        with open(result_path, "w") as f:
            f.write(nonce + "\n" + payload)
    code = 0
    try:
        if mode == "stdio":
            g = {"__name__": "__main__", "__builtins__": __builtins__}
            try:
                exec(code_obj, g)
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            sys.stdout.flush()
            finish("ran")
        elif mode == "call":
            g = {"__name__": "__solution__", "__builtins__": __builtins__}
            exec(code_obj, g)
            name = job["fn_name"]
            sol = g.get("Solution")
            fn = getattr(sol(), name) if isinstance(sol, type) and hasattr(sol, name) else g[name]
            args = [json.loads(line) for line in test["input"].split("\n") if line.strip()]
            r = _listify(fn(*args))
            if not _plain(r):
                finish("!" + "returned a %s, not plain data" % type(r).__name__)
            else:
                finish("=" + json.dumps(r))
        else:  # program: candidate, then the benchmark's own asserts
            g = {"__name__": "__main__", "__builtins__": __builtins__}
            exec(code_obj, g)
            for k, v in list(g.items()):
                if isinstance(v, types.FunctionType) and v.__code__.co_filename == "solution.py":
                    g[k] = _guard(v)
            exec(test_obj, g)
            ep = job.get("entry_point")
            if ep:
                g["check"](g[ep])
            finish("ok")
    except MemoryError:
        os._exit(3)
    except (AssertionError, NotPlain):
        _print_exc()
        sys.stderr.flush()
        os._exit(2)
    except BaseException:
        try:
            _print_exc()
            sys.stderr.flush()
        except BaseException:
            pass
        os._exit(1)
    try:
        sys.stdout.flush()
    except BaseException:
        os._exit(4)
    os._exit(code)

def _rmtree(path):
    import shutil
    shutil.rmtree(path, ignore_errors=True)

def _head(path, n):
    try:
        with open(path, "rb") as f:
            return f.read(n).decode("utf-8", "replace")
    except OSError:
        return ""

def main():
    _nondumpable()
    out = os.fdopen(3, "w")
    if "--serve" in sys.argv:
        # Warm jail: one job per frame ("<bytes>\n<json>") on stdin, until EOF. Only inside our
        # own PID/mount namespaces (pid 2), where kill(-1) and wiping /tmp touch this jail only.
        if os.getpid() != 2:
            sys.exit("--serve needs rk-sandbox's namespaces")
        inp = sys.stdin.buffer
        while True:
            line = inp.readline()
            if not line:
                return
            job = json.loads(inp.read(int(line)))
            run_job(job, out)
            _wipe()
    job = json.loads(sys.stdin.buffer.read())
    os.dup2(os.open("/dev/null", os.O_RDONLY), 0)
    run_job(job, out)

def _wipe():
    # Nothing a sample leaves in the jail's scratch space reaches the next sample of this slot.
    for d in ("/tmp", "/var/tmp", "/dev/shm"):
        try:
            names = os.listdir(d)
        except OSError:
            continue
        for n in names:
            if d == "/tmp" and n == "w":
                continue
            p = os.path.join(d, n)
            try:
                if os.path.isdir(p) and not os.path.islink(p):
                    _rmtree(p)
                else:
                    os.unlink(p)
            except OSError:
                pass

def run_job(job, out):
    nonce = job.pop("nonce")
    # Scratch space on the jail's private tmpfs (the work dir is read-only); removed at the end.
    scratch = "/tmp/run-%d-%s" % (os.getpid(), os.urandom(6).hex())
    os.mkdir(scratch, 0o700)
    os.chdir(scratch)
    t = float(job["timeout"])
    cap = int(job.get("output_cap", 1 << 20))
    try:
        code_obj = compile(job["code"], "solution.py", "exec")
        test_objs = [compile(t.get("code", ""), "tests.py", "exec") for t in job["tests"]]
    except (SyntaxError, ValueError) as e:
        out.write(json.dumps({"compile_error": "%s: %s" % (type(e).__name__, e)}) + "\n")
        out.write(json.dumps({"done": nonce}) + "\n")
        out.flush()
        os.chdir("/")
        _rmtree(scratch)
        return
    tests = job["tests"]
    stop_after_fail = job.get("stop_after_fail", False)
    for i, test in enumerate(tests):
        if job["mode"] == "stdio":
            with open("i%d" % i, "w") as f:
                f.write(test["input"])
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:
            try:
                _child(job, i, test, nonce, code_obj, test_objs[i])
            finally:
                os._exit(1)
        timed_out = False
        try:
            pfd = os.pidfd_open(pid)
            ready, _, _ = select.select([pfd], [], [], t + 0.5)
            os.close(pfd)
            if not ready:
                timed_out = True
                os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        _, status = os.waitpid(pid, 0)
        wall = time.monotonic() - start
        # Whatever the test left running (daemons, setsid'd grandchildren) dies now; we are exempt.
        # Only inside our own PID namespace (we are pid 2 under rk-sandbox's init): outside it,
        # kill(-1) would reach every process of this uid.
        if os.getpid() == 2:
            try:
                os.kill(-1, signal.SIGKILL)
            except OSError:
                pass
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        rec = {"i": i, "wall_ms": int(wall * 1000), "cpu_ms": int(cpu * 1000),
               "max_rss_kb": after.ru_maxrss}
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
        rec["exit_code"], rec["signal"] = code, sig
        try:
            with open("r%d" % i) as f:
                res = f.read()
            os.unlink("r%d" % i)
        except OSError:
            res = ""
        got_nonce = res.startswith(nonce + "\n")
        payload = res[len(nonce) + 1:] if got_nonce else ""
        osize = max(os.path.getsize(p) if os.path.exists(p) else 0 for p in ("o%d" % i, "e%d" % i))
        if timed_out or sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu >= t):
            st = "timeout"
        elif sig == signal.SIGXFSZ or osize > cap:
            st = "output_limit"
        elif code == 3:
            st = "memory"
        elif code == 2:
            st = "failed"
        elif sig != 0 or code != 0:
            st = "runtime_error"
        elif not got_nonce:
            st = "failed"  # exited 0 without finishing: os._exit(0) / sys.exit(0) before the tests
            rec["reason"] = "exited before the tests finished"
        elif payload.startswith("!"):
            st = "failed"
            rec["reason"] = payload[1:]
        else:
            st = "ok"
        rec["status"] = st
        if job["mode"] == "stdio" and st == "ok":
            rec["stdout"] = _head("o%d" % i, cap + 1)
        elif job["mode"] == "call" and st == "ok":
            rec["result"] = payload[1:]
        else:
            rec["stdout_head"] = _head("o%d" % i, 1024)
        rec["stderr_head"] = _head("e%d" % i, 1024)
        for p in ("i%d" % i, "o%d" % i, "e%d" % i):
            try:
                os.unlink(p)
            except OSError:
                pass
        out.write(json.dumps(rec) + "\n")
        out.flush()
        if stop_after_fail and st != "ok":
            break
    out.write(json.dumps({"done": nonce}) + "\n")
    out.flush()
    os.chdir("/")
    _rmtree(scratch)

main()
"""#
}
