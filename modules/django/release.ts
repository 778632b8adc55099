/**
 * The release step and the single-instance guard of Django hosts, run inside the
 * application's image (its Python, its Django, its settings) with the host's environment.
 *
 * Why on the hosts, under a PostgreSQL advisory lock, rather than in a one-shot runner:
 * the hosts already have the image, the environment, the database's network and their
 * cloud identity on both clouds; a runner would need a second way of running the image
 * (ECS, a one-off droplet) with all of that again, and the new hosts would still have to
 * wait for it. Every new host runs the step before its application starts (so before any
 * health check can pass and traffic arrive); the first to take the lock migrates, the
 * others wait on the lock and then find the release recorded as done.
 */

/** Where the script lives on a host; the container sees it at the same path, read-only. */
export const RELEASE_SCRIPT_PATH = "/usr/local/lib/cloudtiers/release.py";
/** The table that records each release's migrations and collectstatic. */
export const RELEASE_TABLE = "cloudtiers_release";
/** The first key of cloudtiers' advisory locks (`pg_advisory_lock(7310, hashtext(name))`). */
export const LOCK_NAMESPACE = 7310;
/** The environment variable with the primary's own address (not the pooler's) that locks need. */
export const DIRECT_DATABASE_SETTING = "DATABASE_DIRECT_URL";

/**
 * `release.py release --release ID --image IMAGE [--collectstatic]`: under the release
 * lock, `migrate` once per release and, where asked, `collectstatic` once per release
 * (through the project's `STORAGES["staticfiles"]`, the static bucket with the shipped
 * settings); each recorded in `cloudtiers_release`. A failure exits non-zero with
 * Django's error, and nothing is recorded, so the next starter tries again.
 *
 * `release.py exclusive NAME -- COMMAND...`: runs COMMAND (Celery beat) only while holding
 * the lock NAME, waiting for it first: a second copy, on a replacement host that starts
 * before the old one is gone, waits rather than run beside it. It checks its connection
 * every 15 seconds and stops COMMAND if the connection (and so the lock) is lost.
 *
 * Both connect to `DATABASE_DIRECT_URL` when set: session locks do not survive a pooler in
 * transaction mode (PgBouncer), and RDS Proxy would pin the connection anyway.
 */
export const RELEASE_PY = `"""cloudtiers on a Django host: migrations and collectstatic once per release, and
commands that must never run twice (Celery beat). Written by cloudtiers; runs in the
application's image with the host's environment."""
import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import traceback

NAMESPACE = ${LOCK_NAMESPACE}
TABLE = "${RELEASE_TABLE}"
CHECK_SECONDS = 15


def say(message):
    print(f"cloudtiers-release: {message}", flush=True)


def database():
    """Django, set up against the primary itself (locks need a session of their own)."""
    direct = os.environ.get("${DIRECT_DATABASE_SETTING}")
    if direct:
        os.environ["DATABASE_URL"] = direct
    import django

    django.setup()
    from django.db import connection

    connection.ensure_connection()
    with connection.cursor() as cursor:
        # The server drops the session of a host that vanished (and with it the lock) within a
        # minute, rather than after the operating system's two hours.
        for setting, value in (("tcp_keepalives_idle", 30), ("tcp_keepalives_interval", 10), ("tcp_keepalives_count", 3), ("tcp_user_timeout", 60000)):
            cursor.execute(f"SET {setting} = {value}")
    return connection


def lock(cursor, name):
    cursor.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))", [NAMESPACE, name])
    if cursor.fetchone()[0]:
        return
    say(f"another host holds the {name} lock; waiting for it")
    started = time.monotonic()
    cursor.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", [NAMESPACE, name])
    say(f"got the {name} lock after {time.monotonic() - started:.0f}s")


def release(args):
    connection = database()
    from django.conf import settings
    from django.core.management import call_command

    host = socket.gethostname()
    with connection.cursor() as cursor:
        lock(cursor, "release")
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (release text PRIMARY KEY, image text NOT NULL,"
            " migrated_at timestamptz, migrated_by text, collected_at timestamptz, collected_by text)"
        )
        cursor.execute(f"INSERT INTO {TABLE} (release, image) VALUES (%s, %s) ON CONFLICT (release) DO NOTHING", [args.release, args.image])
        cursor.execute(f"SELECT migrated_by, collected_by FROM {TABLE} WHERE release = %s", [args.release])
        migrated_by, collected_by = cursor.fetchone()

    def once(what, command, column, done_by):
        """manage.py COMMAND, unless a host did it for this release already; then records who did."""
        if done_by is not None:
            say(f"{what} of this release already done on {done_by}; nothing to do")
            return
        say(f"{what} of {args.image}: manage.py {command}")
        call_command(command, interactive=False, verbosity=1)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {TABLE} SET {column}_at = now(), {column}_by = %s WHERE release = %s", [host, args.release])
        say(f"{what} done")

    once("migrations", "migrate", "migrated", migrated_by)
    if args.collectstatic and "django.contrib.staticfiles" not in settings.INSTALLED_APPS:
        say("django.contrib.staticfiles is not installed; no static files to collect")
    elif args.collectstatic:
        once("static files", "collectstatic", "collected", collected_by)
    connection.close()  # ends the session, and with it the lock


def exclusive(args):
    connection = database()
    cursor = connection.cursor()
    lock(cursor, f"exclusive:{args.name}")
    say(f"holding the {args.name} lock; starting {' '.join(args.command)}")
    child = subprocess.Popen(args.command)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda number, frame: child.send_signal(number))
    while True:
        try:
            return child.wait(timeout=CHECK_SECONDS)
        except subprocess.TimeoutExpired:
            pass
        try:
            cursor.execute("SELECT 1")
        except Exception as error:  # the session, and so the lock, is gone
            say(f"lost the database connection holding the {args.name} lock ({error}); stopping {args.command[0]}")
            child.terminate()
            child.wait()
            return 1


def main(argv):
    # As a container's first process, SIGTERM would otherwise be ignored while a lock is awaited.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    parser = argparse.ArgumentParser(prog="cloudtiers-release")
    commands = parser.add_subparsers(dest="action", required=True)
    step = commands.add_parser("release")
    step.add_argument("--release", required=True, help="the image's content id: one release")
    step.add_argument("--image", required=True)
    step.add_argument("--collectstatic", action="store_true")
    only = commands.add_parser("exclusive")
    only.add_argument("name")
    only.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.action == "exclusive":
        if args.command[:1] == ["--"]:
            args.command = args.command[1:]
        if not args.command:
            parser.error("exclusive needs a command after --")
        return exclusive(args)
    try:
        release(args)
    except Exception:
        traceback.print_exc()
        say(f"the release of {args.image} failed: its application does not start, and the previous release keeps serving")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
`;
