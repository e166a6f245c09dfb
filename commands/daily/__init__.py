"""/daily: the daily question, answered in a thread or a form, then peer-reviewed.

Declarations only; the rules live beside this file: setup.py (schedule), posting.py (choose,
claim, send), answers.py, closing.py (close and review end), reviews.py, jobs.py (what is
due), timing.py and scoring.py (pure rules), views.py, queries.py, tables.py.
"""

from __future__ import annotations

from commands.daily import answers, posting, reviews, setup
from commands.daily.jobs import JOBS
from commands.spec import (
    ActionSpec,
    CommandSpec,
    Feature,
    FormSpec,
    ListenerSpec,
    Option,
    OptionType,
)

SETUP_OPTIONS = (
    Option("time", "Post time, 24-hour HH:MM (default 09:00)", max_length=5),
    Option("timezone", "IANA timezone, e.g. Europe/Berlin (default: the channel's)",
           autocomplete="timezone", max_length=64),
    Option("days", "every day, weekdays, weekends or a list like mon,wed,fri", max_length=60),
    Option("packs", "Comma-separated pack ids, or all", autocomplete="pack", max_length=300),
    Option("topics", "Comma-separated topics, or all (default: the study plan's week)",
           autocomplete="topic", max_length=300),
    Option("window", "Hours answers stay open (default 24)", OptionType.INTEGER,
           min_value=1, max_value=168),
    Option("reveal", "open: answers visible at once; blind: hidden until the close",
           choices=("open", "blind")),
    Option("quorum", "Reviews an answer needs before it is scored (default 3)",
           OptionType.INTEGER, min_value=1, max_value=10),
    Option("review_hours", "Hours reviews stay open after the close (default 24)",
           OptionType.INTEGER, min_value=1, max_value=168),
    Option("reviews_first", "yes: members see reviews of their answer after giving theirs",
           OptionType.BOOLEAN),
)

FEATURE = Feature(
    name="Daily question",
    commands=[
        CommandSpec("daily", "The daily question of this channel: schedule and open "
                    "questions.", setup.status, group_default="status"),
        CommandSpec("daily setup", "Start or change the daily question in this channel.",
                    setup.setup, options=SETUP_OPTIONS, admin=True),
        CommandSpec("daily pause", "Pause the daily question (open ones still close).",
                    setup.pause, admin=True),
        CommandSpec("daily resume", "Resume the daily question.", setup.resume, admin=True),
        CommandSpec("daily now", "Post the next daily question at once.", posting.post_now,
                    admin=True),
        CommandSpec("daily reviews", "Reviews of your answer, and the answers you were asked "
                    "to review.", reviews.reviews_command,
                    options=(Option("number", "Question number (default: your latest)",
                                    OptionType.INTEGER, min_value=1),)),
    ],
    actions=[
        ActionSpec("daily.answer", answers.answer_pressed, opens_form=True),
        ActionSpec("daily.review", reviews.review_pressed, opens_form=True),
        ActionSpec("daily.helpful", reviews.helpful_pressed),
        ActionSpec("daily.mine", reviews.mine_pressed),
    ],
    forms=[
        FormSpec("daily.answer", answers.answer_submitted),
        FormSpec("daily.review", reviews.review_submitted),
    ],
    listeners=[ListenerSpec("daily.thread", answers.thread_message)],
    jobs=JOBS,
    suggestions={"topic": setup.suggest_topics, "pack": setup.suggest_packs},
)
