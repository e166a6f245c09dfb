"""`python -m bot` runs the `studybot` command line."""

from bot.cli import main

raise SystemExit(main())
