"""The `debtcoach` command: `chat` opens the console coach, `run` the Telegram bot, `migrate` brings
the database to the newest schema, `diagram` prints the conversation; for a service of many
processes on PostgreSQL, `webhook` takes Telegram's updates in and `worker` answers them."""

from __future__ import annotations

import argparse
import getpass
import io
import os
import subprocess
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot import files, logs
from bot.settings import Settings, load_settings

REMIND_EVERY = 1.0  # seconds between looks for due reminders while `chat` is open


def parser() -> argparse.ArgumentParser:
    """The command line: its subcommands, and their options."""
    line = argparse.ArgumentParser(prog="debtcoach", description="A coach for negotiating your debts.")
    commands = line.add_subparsers(dest="command", required=True)
    chat = commands.add_parser("chat", help="talk to the coach in this terminal")
    chat.add_argument("--user", default=None, help="whose negotiation to open (default: your login name)")
    chat.add_argument(
        "--language", default=None, help="the language to start in, e.g. zh_TW (default: the terminal's, from LANG)"
    )
    commands.add_parser("run", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    commands.add_parser("webhook", help="take Telegram's updates in over a webhook, for the workers (PostgreSQL)")
    commands.add_parser("worker", help="answer the updates the webhook took in, and send reminders (PostgreSQL)")
    commands.add_parser("migrate", help="bring the database to the newest schema (chat and run do it themselves)")
    commands.add_parser("diagram", help="print the conversation as a Mermaid diagram")
    commands.add_parser("new-key", help="print a new key for DEBTCOACH_KEYS")
    commands.add_parser("rotate-keys", help="seal everything again with the first key of DEBTCOACH_KEYS")
    return line


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)

    if args.command == "diagram":
        from dialogs.machine import diagram

        print(diagram())
        return 0
    if args.command == "new-key":
        from bot.sealing import new_key

        print(new_key())
        return 0
    try:
        settings = load_settings()
    except ValidationError as exc:
        # One line per setting that cannot be read, naming it, and no traceback.
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"]) or "settings"
            print(f"debtcoach: {where}: {error['msg']}", file=sys.stderr)
        return 2
    from bot import sealing

    sealing.use(settings.sealing_keys())
    if args.command == "rotate-keys":
        return _rotate_keys(settings)
    if args.command == "migrate":
        from bot.store import Store

        files.tighten(settings.data_dir)
        Store(settings.database_url).close()  # opening the store migrates it
        return 0
    if args.command == "run":
        from bot.telegram.app import run

        files.tighten(settings.data_dir)
        if settings.telegram_bot_token:  # without one, `run` stops before touching the database
            _migrate_apart(settings.database_url)
        return run(settings)
    if args.command in ("webhook", "worker"):
        if args.command == "webhook":
            from bot.telegram.webhook import run as serve
        else:
            from bot.telegram.worker import run as serve

        files.tighten(settings.data_dir)
        return serve(settings)
    return _chat(settings, args.user or _login(), args.language or _terminal_language())


def _migrate_apart(url: str) -> None:
    """Migrate in a short-lived child process when the schema is behind: the migration machinery
    (Alembic, Mako, Pygments) is needed for a moment after an upgrade, and the bot runs for months.
    Should the child fail, the store's own migration at start-up reports why."""
    from bot.migrate import needs_upgrade

    if needs_upgrade(url):
        # The child reads the URL from the environment, as this process did: out of `ps`.
        quiet = subprocess.DEVNULL
        child = [sys.executable, "-m", "bot.cli", "migrate"]
        subprocess.run(child, stdin=quiet, stdout=quiet, stderr=quiet, check=False)


def _rotate_keys(settings: Settings) -> int:
    from bot.rotate import rotate
    from bot.store import Store

    if not settings.sealing_keys():
        print("debtcoach rotate-keys: set DEBTCOACH_KEYS, the new key first", file=sys.stderr)
        return 2
    store = Store(settings.database_url)
    try:
        for table, rows in rotate(store).items():
            print(f"{table}: {rows} rows sealed with the first key")
    finally:
        store.close()
    return 0


def _terminal_language() -> str | None:
    """The terminal's language as the locale settings give it ("zh_TW.UTF-8"), for someone new;
    "C" and "POSIX" name none."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").split(".")[0].split("@")[0]
        if value:
            return None if value in ("C", "POSIX") else value
    return None


def _chat(settings: Settings, user: str, language: str | None) -> int:
    from bot.console import Console
    from bot.store import Store
    from dialogs.render import render, resolve_locale

    logs.configure()  # a letter's missing glyphs would spell a creditor's name into stderr
    files.private_folder(settings.data_dir)
    _forgiving(sys.stdin)
    _forgiving(sys.stdout)
    store = Store(settings.database_url)
    interactive = sys.stdin.isatty()
    console = Console(
        store,
        user,
        settings.data_dir / "files",
        settings.clock(),
        color=interactive and sys.stdout.isatty(),
        language=language,
        cjk_font=settings.cjk_font,
    )
    if interactive:
        print(render(resolve_locale(language), "console_intro.txt", where=settings.database_url))
    try:
        console.run(sys.stdin, interactive=interactive, remind_every=REMIND_EVERY)
    except KeyboardInterrupt:
        print("\n" + render(console.locale, "console_bye.txt"))
    finally:
        store.close()
    return 0


def _forgiving(stream: object) -> None:
    """Bytes that are not text in the terminal's encoding (binary piped in, a letter with
    characters the terminal cannot show) become U+FFFD or `?`, instead of ending the session."""
    if isinstance(stream, io.TextIOWrapper):
        stream.reconfigure(errors="replace")


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "local"


if __name__ == "__main__":
    raise SystemExit(main())
