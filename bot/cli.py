"""The `studybot` command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.config import SECRETS, Settings, load_settings
from bot.core.errors import ConfigError


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
        return result
    except ConfigError as exc:
        if getattr(args, "debug", False):
            raise
        print(f"studybot: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="studybot", description=__doc__)
    parser.add_argument("--config", help="YAML settings file (default ./studybot.yaml)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="start the bot (the console when no token is set)")
    run.add_argument("--console", action="store_true", help="the local console, even with tokens")
    run.add_argument("--now", help="start the console clock at this ISO time (scripts, demos)")
    run.add_argument("--echo", action="store_true", help="echo script lines (default for pipes)")
    run.set_defaults(func=_run)

    config = sub.add_parser("config", help="settings")
    config_sub = config.add_subparsers(dest="action", required=True)
    config_sub.add_parser("check", help="print the settings and what is wrong").set_defaults(
        func=_config_check
    )

    db = sub.add_parser("db", help="database")
    db_sub = db.add_subparsers(dest="action", required=True)
    db_sub.add_parser("upgrade", help="apply the migrations").set_defaults(func=_db_upgrade)

    from bot.packs.cli import add_pack_commands

    add_pack_commands(sub)

    from bot.adapters.discord.cli import add_discord_commands

    add_discord_commands(sub)
    from bot.adapters.slack.cli import add_slack_commands

    add_slack_commands(sub)
    from benchmarks.cli import add_bench_command

    add_bench_command(sub)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.config)


def _config_check(args: argparse.Namespace) -> int:
    settings = _settings(args)
    width = max(len(name) for name, _ in settings.report())
    for name, shown in settings.report():
        print(f"{name.ljust(width)}  {shown}")
    platforms = [p for p, on in (("discord", settings.discord_enabled),
                                 ("slack", settings.slack_enabled)) if on]
    print(f"\nplatforms: {', '.join(platforms) or 'none (the local console runs)'}")
    problems = settings.problems()
    for problem in problems:
        print(f"problem: {problem}")
    if not problems:
        print("no problems found")
    return 2 if problems else 0


def _db_upgrade(args: argparse.Namespace) -> int:
    from bot.store.db import Store

    settings = _settings(args)

    async def upgrade() -> None:
        store = Store(settings.db_url)
        try:
            await store.migrate()
        finally:
            await store.close()

    asyncio.run(upgrade())
    print("database is up to date")
    return 0


def _run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    problems = settings.problems()
    if problems:
        raise ConfigError(problems[0])
    from bot.logs import setup_logging

    level = "DEBUG" if args.debug else settings.log_level
    secrets = [getattr(settings, name) or "" for name in SECRETS]
    use_console = args.console or not (settings.discord_enabled or settings.slack_enabled)
    if use_console:
        setup_logging("DEBUG" if args.debug else "WARNING", settings.log_json, secrets)
        return asyncio.run(_run_console(settings, args))
    setup_logging(level, settings.log_json, secrets)
    from bot.runtime import run_platforms

    return asyncio.run(run_platforms(settings))


async def _run_console(settings: Settings, args: argparse.Namespace) -> int:
    from bot.adapters.console.runner import ConsoleAdapter, play, stdout_writer
    from bot.app import build
    from bot.clock import FakeClock, OffsetClock
    from bot.store.url import sqlite_path

    clock: FakeClock | OffsetClock
    if args.now:
        try:
            start = datetime.fromisoformat(args.now)
        except ValueError:
            raise ConfigError(
                f"--now {args.now!r} is not an ISO time like 2026-12-01T09:00"
            ) from None
        clock = FakeClock(start if start.tzinfo else start.replace(tzinfo=UTC))
    elif sys.stdin.isatty():
        clock = OffsetClock()
    else:
        clock = FakeClock(datetime.now(UTC))
    app = build(settings, clock)
    where = sqlite_path(settings.db_url)
    write = stdout_writer()
    write(f"[console] StudyBot console; database: {where or settings.db_url}")
    await app.prepare()
    adapter = ConsoleAdapter(app, write)
    app.attach(adapter)
    await app.start(schedule=False)
    if sys.stdin.isatty():
        write("[console] you are `you` (an admin) in #study. Type /help or !help; Ctrl-D quits.")
    try:
        await play(adapter, sys.stdin, echo=args.echo or not sys.stdin.isatty())
    finally:
        await app.stop()
    return 0
