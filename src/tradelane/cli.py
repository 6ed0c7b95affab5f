"""The ``tradelane`` command.

    tradelane up [--host 127.0.0.1] [--port 8000] [--no-worker] [--no-browser] [--no-demo]
    tradelane demo [--yes]          recreate the demo data (deletes all data first)
    tradelane worker [...]          run a task worker alone (Django's ``db_worker``)
    tradelane manage ...            any Django management command (migrate, createsuperuser, ...)

``up`` is the one command a newcomer runs: it creates the data folder and its SQLite database
(or uses ``DATABASE_URL``), migrates, loads the demo data the first time, collects static files,
then serves the web app with waitress and runs a task worker beside it as a child process.
Ctrl-C or SIGTERM stops both.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
import unicodedata

PARENT_PID_ENV = "TRADELANE_WORKER_PARENT_PID"
# TRADELANE_WORKER_NICE: a lower CPU priority (Unix nice) for the task worker. Off by default:
# on SQLite the worker holds the one write lock while it applies an order, and a niced worker
# preempted while holding it made the webhook ack wait longer, not shorter (benchmarks/sync.py
# at 500/s, 2 cores: p99 23.5 ms niced 10 against 21 ms). The worker's webhook loop leaves
# the CPU to the ack by pausing instead (TRADELANE_WEBHOOK_DRAIN_PAUSE, stores.webhooks).
WORKER_NICE_ENV = "TRADELANE_WORKER_NICE"
WORKER_NICE_DEFAULT = 0
# waitress options of `up` (benchmarks/sync.py serves the same way). Webhook bursts: more open
# connections than waitress's default 100 (platforms retrying deliveries open many), poll()
# rather than select() (no 1024-descriptor ceiling), a longer listen backlog. Threads stay 8
# (--threads): SQLite has one writer and the GIL one runner; a webhook costs about 1 ms of CPU.
SERVE_OPTIONS = {"connection_limit": 1000, "asyncore_use_poll": True, "backlog": 2048}
DB_BACKEND = "django_tasks_db.DatabaseBackend"


def _proxy_options(settings) -> dict:
    """Behind the TLS proxy of TRADELANE_HTTPS, waitress believes that proxy's (and only its)
    X-Forwarded-Proto and X-Forwarded-For: the scheme Django sees, and the client address the
    login throttle counts. Without HTTPS waitress drops those headers from anyone."""
    if not settings.HTTPS:
        return {}
    return {
        "trusted_proxy": settings.TRUSTED_PROXY,
        "trusted_proxy_count": 1,
        "trusted_proxy_headers": {"x-forwarded-proto", "x-forwarded-for"},
    }


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tradelane.settings")
    import django

    django.setup()


def _describe_database() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    if engine == "sqlite3":
        return f"SQLite {db['NAME']}"
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"{engine} {db.get('NAME')} on {host}{port}"  # never the password


def _prepare_database(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def _display_width(text: str) -> int:
    """Terminal columns: wide and full-width characters (Chinese) take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def boxed(lines: list[str]) -> str:
    """``lines`` in a box drawn with box-drawing characters, padded to the widest line."""
    width = max(map(_display_width, lines), default=0)
    rows = [f"│ {line}{' ' * (width - _display_width(line))} │" for line in lines]
    return "\n".join([f"┌{'─' * (width + 2)}┐", *rows, f"└{'─' * (width + 2)}┘"])


def _print_logins() -> None:
    from tradelane import demo

    print(boxed(demo.logins_text().splitlines()), flush=True)


# --- up -------------------------------------------------------------------------------------


def _url_host(host: str) -> str:
    if host in ("", "0.0.0.0", "::"):
        return "127.0.0.1"
    if ":" in host and not host.startswith("["):
        return f"[{host}]"
    return host


def _uses_db_worker() -> bool:
    from django.conf import settings

    return settings.TASKS.get("default", {}).get("BACKEND") == DB_BACKEND


def _uses_rq_worker() -> bool:
    from django.conf import settings

    return settings.TASKS.get("default", {}).get("BACKEND") == settings.TASK_BACKENDS["rq"]


def _worker_command(argv: list[str]) -> list[str] | None:
    """The management command that works this installation's queue, or None (inline tasks).

    ``--skip-checks``: Django's system checks would load the URLconf, and with it the whole
    HTTP API (about 25 MB), into a process that serves no URL; the web process, ``migrate``
    and ``tradelane manage check`` run them."""
    if _uses_db_worker():
        return ["tradelane worker", "db_worker", "--skip-checks", *argv]
    if _uses_rq_worker():
        return ["tradelane worker", "rqworker", "--skip-checks", "--job-class",
                "django_tasks_rq.Job", *argv]  # fmt: skip
    return None


class WorkerSupervisor:
    """Runs ``tradelane worker`` as a child process, restarts it if it dies, stops it on exit."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)

    def _spawn(self) -> None:
        env = dict(os.environ, **{PARENT_PID_ENV: str(os.getpid())})
        # Its own session: Ctrl-C reaches only us, and we stop the worker once, gracefully.
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tradelane", "worker"], env=env, start_new_session=True
        )

    def start(self) -> None:
        self._spawn()
        self._thread.start()

    def _watch(self) -> None:
        delay = 1.0
        while not self._stopping.wait(1.0):
            proc = self.proc
            if proc is None or proc.poll() is None:
                continue
            if self._stopping.is_set():
                return
            print(
                f"tradelane: the task worker exited with code {proc.returncode}; "
                f"restarting it in {delay:.0f}s",
                file=sys.stderr,
            )
            if self._stopping.wait(delay):
                return
            delay = min(delay * 2, 60.0)
            self._spawn()

    def stop(self, timeout: float = 30.0) -> None:
        self._stopping.set()
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()  # db_worker finishes its current task on SIGTERM
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _browser_available() -> bool:
    import webbrowser

    if os.environ.get("CI"):
        return False
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return False
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    # A text browser (lynx, w3m) would take over this terminal.
    return type(browser) is not webbrowser.GenericBrowser


def _open_browser(url: str) -> None:
    import webbrowser

    try:
        webbrowser.open(url, new=2)
    except Exception:  # noqa: BLE001 - a browser that fails to start is not our failure
        pass


def _start_live_demo(web_url: str):
    """The demo stores' fake platforms, in threads of this process (None if it fails)."""
    try:
        from tradelane.integrations.stores import live_demo

        return live_demo.start(web_url=web_url)
    except Exception as exc:  # noqa: BLE001 - the app runs without the live demo
        print(f"tradelane: the live store demo did not start ({exc})", file=sys.stderr)
        return None


def _start_demo_link(web_url: str):
    """The demo's seller-to-provider link, in a thread of this process (None if it fails)."""
    try:
        from tradelane.demo import link

        return link.start(web_url)
    except Exception as exc:  # noqa: BLE001 - the app runs without the demo's link
        print(f"tradelane: the demo link did not start ({exc})", file=sys.stderr)
        return None


def _warn_missing_font() -> None:
    """Without a CJK TrueType font the PDFs' Chinese text shows blank in many readers: say so
    at start, with the command that installs one."""
    from tradelane.logistics.documents import fonts

    if fonts.missing_cjk_font(announced=True):
        print(f"WARNING: {fonts.MISSING_FONT_WARNING}", flush=True)


def _raise_keyboard_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


PUBLIC_URL_ENV = "TRADELANE_PUBLIC_URL"


def _default_public_url(host: str, port: int) -> str | None:
    """Without ``TRADELANE_PUBLIC_URL``, tracking links pushed to stores point at the address
    ``up`` serves on. Set in the environment before the settings are read, so the task worker
    (a child process, which pushes them) gets it too. Returns the default it set, else None."""
    if os.environ.get(PUBLIC_URL_ENV, "").strip():
        return None
    url = f"http://{_url_host(host)}:{port}"
    os.environ[PUBLIC_URL_ENV] = url
    return url


def cmd_up(args: argparse.Namespace) -> int:
    public_default = _default_public_url(args.host, args.port)
    _setup()
    from django.conf import settings
    from django.core.management import call_command

    from tradelane import demo

    print(f"Tradelane — data folder {settings.DATA_DIR}")
    print(f"Database: {_describe_database()}")
    if public_default:
        print(
            f"Public address: {public_default} (the address `up` serves on; tracking links "
            f"pushed to stores point here; set {PUBLIC_URL_ENV} to the address the public "
            "reaches, e.g. https://track.example.com)"
        )
    else:
        print(f"Public address: {settings.TRADELANE_PUBLIC_URL} ({PUBLIC_URL_ENV})")
    _warn_missing_font()
    print("Migrating the database…", flush=True)
    _prepare_database()
    if not args.no_demo and demo.should_load_first_time():
        print("Loading the demo data (first start)…", flush=True)
        started = time.monotonic()
        summary = demo.load()
        print(f"  {demo.summary_text(summary)} in {time.monotonic() - started:.1f}s", flush=True)
        print(f"  Shipping: {demo.channel_share_text(summary)}", flush=True)
        print(f"  Forwarding: {demo.provider_text(summary)}", flush=True)
    print("Collecting static files…", flush=True)
    call_command("collectstatic", interactive=False, verbosity=0)

    from django.conf import settings
    from waitress import create_server

    from tradelane.wsgi import application

    try:
        server = create_server(
            application, host=args.host, port=args.port, threads=args.threads, ident="tradelane",
            **SERVE_OPTIONS, **_proxy_options(settings),
        )  # fmt: skip
    except OSError as exc:
        print(
            f"tradelane: cannot listen on {args.host}:{args.port} ({exc.strerror or exc}). "
            f"Is another server running there? Try --port {args.port + 1}.",
            file=sys.stderr,
        )
        return 1

    # From here on, SIGTERM stops everything the way Ctrl-C does (SIGINT is set explicitly too:
    # a shell starts background jobs with it ignored).
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    signal.signal(signal.SIGINT, _raise_keyboard_interrupt)
    worker: WorkerSupervisor | None = None
    live = link = None
    try:
        if not args.no_demo and demo.is_loaded():
            live = _start_live_demo(f"http://{_url_host(args.host)}:{args.port}")
            link = _start_demo_link(f"http://{_url_host(args.host)}:{args.port}")
        if args.no_worker:
            worker_note = "off (--no-worker); run `tradelane worker` elsewhere"
        elif not (_uses_db_worker() or _uses_rq_worker()):
            worker_note = "not needed: TRADELANE_TASKS_BACKEND runs tasks inline"
        else:
            worker = WorkerSupervisor()
            worker.start()
            worker_note = f"running (pid {worker.proc.pid})"

        url = f"http://{_url_host(args.host)}:{args.port}/"
        print()
        print(f"Tradelane is up at {url}")
        print(f"Task worker: {worker_note}")
        if live is not None:
            print(
                "Demo stores: connected to local fake Shopify, WooCommerce and Amazon "
                "(a new order about every minute; see /dispatch/)"
            )
        if link is not None:
            print(
                "Demo link: the seller ships through the demo provider over its open API "
                f"(carrier account {demo.link.ACCOUNT}, channel {demo.link.CHANNEL})"
            )
        print("Press Ctrl-C to stop.", flush=True)
        if demo.is_loaded():  # last, so the next screenful still shows them
            print()
            _print_logins()
        if not args.no_browser and _browser_available():
            threading.Timer(1.0, _open_browser, args=(url,)).start()
        server.run()  # returns on Ctrl-C or SIGTERM (waitress handles KeyboardInterrupt)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM: let us clean up
        print("\nStopping…", flush=True)
        server.close()
        if link is not None:
            link.stop()
        if live is not None:
            live.stop()
        if worker is not None:
            worker.stop()
    return 0


# --- demo, worker, manage -------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    _setup()
    from tradelane import demo

    print(f"Database: {_describe_database()}")
    if not args.yes and sys.stdin.isatty():
        answer = input(
            "This deletes ALL data in this database (users, products, stock, orders) and "
            "loads the demo data. Continue? [y/N] "
        )
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing changed.")
            return 1
    _prepare_database()
    started = time.monotonic()
    demo.reset()
    summary = demo.load()
    print(f"Demo data loaded: {demo.summary_text(summary)} in {time.monotonic() - started:.1f}s")
    print(f"Shipping: {demo.channel_share_text(summary)}")
    print(f"Forwarding: {demo.provider_text(summary)}")
    print()
    _print_logins()
    return 0


def _watch_parent(parent_pid: int) -> None:
    """Stop this worker if the ``tradelane up`` that started it goes away (even by SIGKILL)."""
    while True:
        time.sleep(2)
        if os.getppid() != parent_pid:
            os.kill(os.getpid(), signal.SIGTERM)  # db_worker stops gracefully
            return


def _lower_priority() -> None:
    value = os.environ.get(WORKER_NICE_ENV, "").strip()
    niceness = int(value) if value.lstrip("-").isdigit() else WORKER_NICE_DEFAULT
    if niceness > 0 and hasattr(os, "nice"):
        try:
            os.nice(niceness)
        except OSError:  # not allowed here: run at the normal priority
            pass


def cmd_worker(argv: list[str]) -> int:
    _setup()
    from django.core.management import execute_from_command_line

    parent = os.environ.pop(PARENT_PID_ENV, "")
    if parent.isdigit():
        if os.getppid() != int(parent):
            return 0  # the parent is already gone
        threading.Thread(target=_watch_parent, args=(int(parent),), daemon=True).start()
    command = _worker_command(argv)
    if command is None:
        print(
            "tradelane worker works the database (db) or Redis (rq) task queue; "
            "TRADELANE_TASKS_BACKEND names another backend, which needs no worker.",
            file=sys.stderr,
        )
        return 2
    _lower_priority()
    # Every worker also runs the scheduled sweep (outbox delivery, idempotency pruning) and
    # drains the stored store webhooks, each in a background thread; both are safe with many
    # workers at once (see core.periodic and stores.webhooks.drain_received).
    from tradelane.core import periodic
    from tradelane.integrations.stores import webhooks

    stop = threading.Event()
    periodic.run_in_background(stop)
    threading.Thread(
        target=webhooks.run_drain, args=(stop,), name="tradelane-webhooks", daemon=True
    ).start()
    try:
        execute_from_command_line(command)
    finally:
        stop.set()
    return 0


def cmd_manage(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tradelane.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tradelane manage", *argv])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tradelane",
        description="Tradelane: operations for cross-border e-commerce sellers and logistics "
        "providers.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    up = sub.add_parser("up", help="migrate, load the demo the first time, serve with a worker")
    up.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    up.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    up.add_argument("--threads", type=int, default=8, help="waitress worker threads (8)")
    up.add_argument("--no-worker", action="store_true", help="do not start a task worker")
    up.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    up.add_argument(
        "--no-demo", action="store_true", help="never load the demo data (for a real install)"
    )
    demo = sub.add_parser("demo", help="delete all data and load the demo data again")
    demo.add_argument("--yes", "--noinput", action="store_true", help="do not ask to confirm")
    sub.add_parser("worker", help="run a task worker alone (options of db_worker pass through)")
    sub.add_parser("manage", help="run a Django management command, e.g. `manage migrate`")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # worker and manage pass every following argument through, --help included.
    if argv and argv[0] == "worker":
        return cmd_worker(argv[1:])
    if argv and argv[0] == "manage":
        return cmd_manage(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "up":
        return cmd_up(args)
    if args.command == "demo":
        return cmd_demo(args)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
