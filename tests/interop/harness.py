"""harness.py - shared plumbing for Sluice's black-box interop tests (run with /usr/bin/python3).

What it does:
  * finds the sluice-server binary: first argument of the test (a build dir or the binary
    itself), else $SLUICE_SERVER, else <repo>/build/server/sluice-server;
  * starts it on a private temp data dir with --kafka-port 0 --no-registry --no-sql (plus any
    --set overrides), waits for the stdout line `broker listening on HOST:PORT` and hands the
    tests a bootstrap string;
  * with Server(..., registry=True) it also starts the Schema Registry door (--registry-port 0
    instead of --no-registry), waits for `schema registry listening on HOST:PORT` as well and
    exposes Server.registry_url ("http://HOST:PORT");
  * stops it with SIGTERM (clean stop must exit 0) or SIGKILL, and restarts it on the same data
    dir (a new port each time: clients must be re-created after a restart);
  * never leaves a server behind: each child gets PR_SET_PDEATHSIG(SIGKILL), and atexit kills
    whatever is still running and removes the temp dirs (keep them with SLUICE_KEEP=1);
  * counts checks and prints `N passed, M failed` at the end (exit status 1 on any failure).

Invariants the tests may rely on:
  * Server.bootstrap is valid only between start() and stop()/kill();
  * Server.stderr_path keeps the server's stderr over all restarts (appended), for reports;
  * a check never raises: a failed check is counted and printed, the test goes on, so one
    server bug does not hide the others.

Also usable as a tiny launcher for non-Python tests:
    /usr/bin/python3 harness.py exec-pdeathsig BINARY ARGS...
execs BINARY with PR_SET_PDEATHSIG(SIGKILL) set, so the server dies with its parent (bash/node)
even when ctest kills that parent with SIGKILL on a timeout.
"""
import atexit
import ctypes
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
LISTEN_RE = re.compile(r"broker listening on (\S+):(\d+)")
REGISTRY_LISTEN_RE = re.compile(r"schema registry listening on (\S+):(\d+)")
START_TIMEOUT = 15.0
STOP_TIMEOUT = 15.0

_PR_SET_PDEATHSIG = 1
_live_servers = []
_temp_dirs = []


def _set_pdeathsig():
    """Runs in the forked child before exec: die with the parent."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except Exception:  # noqa: BLE001 - best effort, atexit still cleans up
        pass


def find_server(argv=None):
    """Path of sluice-server from argv[1] (build dir or binary), $SLUICE_SERVER or the repo."""
    argv = sys.argv if argv is None else argv
    cands = []
    if len(argv) > 1 and argv[1]:
        a = argv[1]
        cands.append(os.path.join(a, "server", "sluice-server") if os.path.isdir(a) else a)
    if os.environ.get("SLUICE_SERVER"):
        cands.insert(0, os.environ["SLUICE_SERVER"])
    cands.append(os.path.join(REPO, "build", "server", "sluice-server"))
    for c in cands:
        if os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)
    raise SystemExit("harness: sluice-server not found (tried %s); pass the build dir as "
                     "the first argument or set SLUICE_SERVER" % ", ".join(cands))


def make_temp_dir(prefix="sluice-interop-"):
    d = tempfile.mkdtemp(prefix=prefix)
    _temp_dirs.append(d)
    return d


class ServerError(Exception):
    pass


class Server:
    """One sluice-server process at a time over a fixed data dir."""

    def __init__(self, binary, sets=None, data_dir=None, extra_args=None, name="sluice",
                 registry=False):
        self.binary = binary                    # path of sluice-server
        self.registry = registry                # also run the Schema Registry door
        self.registry_host = None               # as printed by the server (registry=True)
        self.registry_port = None
        self.sets = dict(sets or {})            # --set key=value overrides
        self.extra_args = list(extra_args or [])
        self.workdir = make_temp_dir("sluice-%s-" % name)  # holds data + logs
        self.data_dir = data_dir or os.path.join(self.workdir, "data")
        os.makedirs(self.data_dir, exist_ok=True)
        self.stderr_path = os.path.join(self.workdir, "server.stderr")  # appended per run
        self.stdout_path = os.path.join(self.workdir, "server.stdout")
        self.proc = None                        # running Popen or None
        self.host = None                        # as printed by the server
        self.port = None
        self.starts = 0                         # how many times start() succeeded
        self._stdout_thread = None

    # -- lifecycle -----------------------------------------------------------------------------
    def command(self):
        cmd = [self.binary, "--data-dir", self.data_dir, "--kafka-port", "0"]
        cmd += ["--registry-port", "0"] if self.registry else ["--no-registry"]
        cmd += ["--no-sql"]
        for k, v in self.sets.items():
            cmd += ["--set", "%s=%s" % (k, v)]
        return cmd + self.extra_args

    def start(self):
        if self.proc is not None:
            raise ServerError("start() while a server is running")
        errf = open(self.stderr_path, "ab")
        errf.write(("\n===== start #%d: %s\n" % (self.starts + 1, " ".join(self.command())))
                   .encode())
        errf.flush()
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=errf,
                                     preexec_fn=_set_pdeathsig, cwd=self.workdir)
        errf.close()
        _live_servers.append(self)
        lines = queue.Queue()
        proc = self.proc

        def pump():  # keeps draining stdout so the server never blocks on a full pipe
            with open(self.stdout_path, "ab") as out:
                for raw in iter(proc.stdout.readline, b""):
                    out.write(raw)
                    out.flush()
                    lines.put(raw.decode("utf-8", "replace"))
            lines.put(None)

        self._stdout_thread = threading.Thread(target=pump, daemon=True)
        self._stdout_thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        broker_seen = False
        registry_seen = not self.registry
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise ServerError("no '%s listening on' line within %.0f s\n%s"
                                  % ("schema registry" if broker_seen else "broker",
                                     START_TIMEOUT, self.stderr_tail()))
            try:
                line = lines.get(timeout=min(left, 0.5))
            except queue.Empty:
                if proc.poll() is not None:
                    rc = proc.returncode
                    self._reap()
                    raise ServerError("server exited with %s before listening\n%s"
                                      % (rc, self.stderr_tail()))
                continue
            if line is None:
                proc.wait(5)
                rc = proc.returncode
                self._reap()
                raise ServerError("server closed stdout (exit %s) before listening\n%s"
                                  % (rc, self.stderr_tail()))
            m = REGISTRY_LISTEN_RE.search(line)
            if m:
                self.registry_host, self.registry_port = m.group(1), int(m.group(2))
                registry_seen = True
            else:
                m = LISTEN_RE.search(line)
                if m:
                    self.host, self.port = m.group(1), int(m.group(2))
                    broker_seen = True
            if broker_seen and registry_seen:
                self.starts += 1
                return self.bootstrap

    @property
    def bootstrap(self):
        if self.proc is None:
            raise ServerError("server is not running")
        host = self.host
        if host in ("", "0.0.0.0", "::", "[::]", "*"):
            host = "127.0.0.1"
        if ":" in host and not host.startswith("["):
            host = "[%s]" % host
        return "%s:%d" % (host, self.port)

    @property
    def registry_url(self):
        """http://HOST:PORT of the Schema Registry door (Server(..., registry=True) only)."""
        if self.proc is None:
            raise ServerError("server is not running")
        if not self.registry or self.registry_port is None:
            raise ServerError("server was not started with registry=True")
        host = self.registry_host
        if host in ("", "0.0.0.0", "::", "[::]", "*"):
            host = "127.0.0.1"
        if ":" in host and not host.startswith("["):
            host = "[%s]" % host
        return "http://%s:%d" % (host, self.registry_port)

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM and wait; returns the exit code (None if it had to be killed)."""
        if self.proc is None:
            return None
        proc = self.proc
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
            rc = None
        self._reap()
        return rc

    def kill(self):
        """SIGKILL (crash simulation); returns once the process is gone."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self._reap()

    def restart(self, clean=True):
        """Stop (SIGTERM, or SIGKILL if clean=False) and start on the same data dir.
        Returns (exit code of the stop or None, new bootstrap)."""
        rc = None
        if clean:
            rc = self.stop()
        else:
            self.kill()
        return rc, self.start()

    def _reap(self):
        if self._stdout_thread is not None:
            self._stdout_thread.join(5)
            self._stdout_thread = None
        if self.proc is not None and self.proc.stdout:
            try:
                self.proc.stdout.close()
            except OSError:
                pass
        if self in _live_servers:
            _live_servers.remove(self)
        self.proc = None

    def rss_kb(self):
        """Resident set size of the running server in KiB (None if unknown)."""
        try:
            with open("/proc/%d/status" % self.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except (OSError, TypeError):
            return None
        return None

    def stderr_tail(self, n=40):
        try:
            with open(self.stderr_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return "(no stderr captured)"
        return "---- server stderr (last %d lines) ----\n%s\n----" % (n, "\n".join(lines[-n:]))


def _cleanup():
    for s in list(_live_servers):
        try:
            s.kill()
        except Exception:  # noqa: BLE001
            pass
    if os.environ.get("SLUICE_KEEP"):
        for d in _temp_dirs:
            print("harness: kept %s" % d)
        return
    for d in _temp_dirs:
        shutil.rmtree(d, ignore_errors=True)


atexit.register(_cleanup)


def _on_term(signum, frame):  # ctest/user interrupt: run atexit handlers
    sys.exit(128 + signum)


signal.signal(signal.SIGTERM, _on_term)


class Results:
    """Check counter. check() prints one line per check and never raises."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.failures = []
        self.t0 = time.monotonic()
        self.servers = []        # servers whose stderr is shown when something failed

    def section(self, title):
        print("\n== %s" % title, flush=True)

    def info(self, msg):
        print("   .. %s" % msg, flush=True)

    def check(self, cond, what, detail=None):
        if cond:
            self.passed += 1
            print("ok   %s" % what, flush=True)
        else:
            self.failed += 1
            self.failures.append(what)
            msg = "FAIL %s" % what
            if detail is not None:
                msg += "\n       " + str(detail).replace("\n", "\n       ")
            print(msg, flush=True)
        return bool(cond)

    def eq(self, got, want, what):
        return self.check(got == want, what, None if got == want else
                          "expected %r\n got      %r" % (_short(want), _short(got)))

    def fail(self, what, detail=None):
        return self.check(False, what, detail)

    def finish(self):
        dt = time.monotonic() - self.t0
        if self.failed:
            print("\nfailed checks:")
            for f in self.failures:
                print("  - %s" % f)
            for s in self.servers:
                print(s.stderr_tail(60))
        print("\n%s: %.1f s" % (self.name, dt))
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        return 1 if self.failed or self.passed == 0 else 0


def _short(v, n=600):
    s = repr(v)
    return v if len(s) <= n else s[:n] + "...(%d chars)" % len(s)


def run(name, body):
    """Runs body(results) and exits with the right status; an exception is one failure."""
    res = Results(name)
    try:
        body(res)
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001 - report, count, move on to the summary
        res.fail("test aborted by %s: %s" % (type(e).__name__, e), traceback.format_exc())
    sys.exit(res.finish())


# -- confluent_kafka helpers shared by several tests -------------------------------------------

def ck_consumer(bootstrap, **extra):
    """A librdkafka consumer for assign()-only use. confluent-kafka 1.7 insists on a group.id,
    but with assign() and no commits the group coordinator is never needed."""
    from confluent_kafka import Consumer
    conf = {"bootstrap.servers": bootstrap, "group.id": "sluice-interop-unused",
            "enable.auto.commit": False, "enable.auto.offset.store": False,
            "enable.partition.eof": True, "auto.offset.reset": "earliest",
            "fetch.wait.max.ms": 50, "socket.timeout.ms": 5000,
            "topic.metadata.refresh.interval.ms": 2000}
    conf.update(extra)
    return Consumer(conf)


def ck_read_all(bootstrap, topic, partitions, timeout=20.0, start_offsets=None):
    """Reads every partition from the beginning (or start_offsets[p]) up to its end.
    Returns ({partition: [(offset, key, value, (ts_type, ts), headers)]}, [error strings]).
    Reads until every partition reported EOF at or after its high watermark."""
    from confluent_kafka import TopicPartition, OFFSET_BEGINNING, KafkaError
    c = ck_consumer(bootstrap)
    out = {p: [] for p in partitions}
    errors = []
    try:
        hw = {}
        for p in partitions:
            _, high = c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            hw[p] = high
        c.assign([TopicPartition(topic, p, (start_offsets or {}).get(p, OFFSET_BEGINNING))
                  for p in partitions])
        done = set()
        deadline = time.monotonic() + timeout
        while len(done) < len(partitions) and time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    if m.offset() >= hw.get(m.partition(), 0):
                        done.add(m.partition())
                elif m.topic() is None:  # client-level (e.g. no group coordinator): not ours
                    print("   .. consumer: %s" % m.error(), flush=True)
                else:
                    errors.append("%s [%s] %s" % (m.topic(), m.partition(), m.error()))
                continue
            out[m.partition()].append((m.offset(), m.key(), m.value(), m.timestamp(),
                                       m.headers()))
        if len(done) < len(partitions):
            errors.append("timed out: EOF seen on %s of %s (high watermarks %s)"
                          % (sorted(done), sorted(partitions), hw))
    finally:
        c.close()
    return out, errors


CODEC_NAMES = {0: "none", 1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd"}


def codecs_on_disk(data_dir, topic, partitions):
    """DESIGN.md: batches are stored as they travel, in <data-dir>/<topic>-<p>/<base>.log.
    Returns ({codec id: batch count}, batches with a bad CRC, number of segment files)."""
    import kwire
    seen, bad, nfiles = {}, 0, 0
    for p in partitions:
        d = os.path.join(data_dir, "%s-%d" % (topic, p))
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if f.endswith(".log"):
                nfiles += 1
                for (_b, attrs, _l, _n, ok) in kwire.scan_segment_batches(os.path.join(d, f)):
                    seen[attrs & 7] = seen.get(attrs & 7, 0) + 1
                    bad += 0 if ok else 1
    return seen, bad, nfiles


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "exec-pdeathsig":
        _set_pdeathsig()
        if os.getppid() == 1:  # parent already gone before prctl took effect
            sys.exit(1)
        os.execv(sys.argv[2], sys.argv[2:])
    print(__doc__)
    sys.exit(2)
