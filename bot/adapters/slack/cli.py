"""`studybot slack manifest [--mode socket|http] [--url URL]`: print the app manifest."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_slack_commands(subparsers: Any) -> None:
    """Register `studybot slack ...` on the main parser's subparsers."""
    slack = subparsers.add_parser("slack", help="Slack app set-up")
    actions = slack.add_subparsers(dest="action", required=True)
    manifest = actions.add_parser(
        "manifest", help="print the Slack app manifest (paste it into api.slack.com/apps)"
    )
    manifest.add_argument("--mode", choices=("socket", "http"), default="socket")
    manifest.add_argument(
        "--url", help="public URL of /slack/events (HTTP mode), e.g. https://bot.example.com/slack/events"
    )
    manifest.set_defaults(func=_manifest)


def _manifest(args: argparse.Namespace) -> int:
    from bot.adapters.slack.manifest import PLACEHOLDER_URL, manifest_yaml

    sys.stdout.write(manifest_yaml(args.mode, args.url or PLACEHOLDER_URL))
    return 0
