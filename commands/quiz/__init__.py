"""Quizzes: a private /quiz, public /quiz race in a channel, and /practice (spaced repetition).

Declarations only; the rules live in service.py, the spaced-repetition schedule in srs.py.
"""

from __future__ import annotations

from bot.packs.schema import DIFFICULTIES
from commands.quiz import handlers
from commands.quiz.service import MAX_COUNT
from commands.quiz.views import ANSWER_FORM
from commands.spec import (
    ActionSpec,
    CommandSpec,
    Feature,
    FormSpec,
    JobSpec,
    Option,
    OptionType,
)

TOPIC = Option("topic", "A topic, e.g. deep_learning (any if left out)", autocomplete="quiz_topic")
COUNT = Option(
    "count", f"How many questions (1-{MAX_COUNT}, default 5)", OptionType.INTEGER,
    min_value=1, max_value=MAX_COUNT,
)

FEATURE = Feature(
    name="Quizzes",
    commands=[
        CommandSpec(
            "quiz",
            "A quiz just for you: one question at a time, a summary at the end.",
            handlers.start_solo,
            options=(
                TOPIC,
                Option("difficulty", "easy, medium or hard (any if left out)",
                       choices=DIFFICULTIES),
                COUNT,
            ),
            group_default="start",
        ),
        CommandSpec(
            "quiz race",
            "A race in this channel: the first correct answer wins each question.",
            handlers.start_race,
            options=(TOPIC, COUNT),
            public=True,
        ),
        CommandSpec(
            "quiz stop",
            "Stop your quiz, or this channel's race (its starter or an admin).",
            handlers.stop,
        ),
        CommandSpec(
            "practice",
            "Review the questions due for you today (spaced repetition).",
            handlers.practice,
            options=(
                Option("count", f"At most this many (1-{MAX_COUNT})", OptionType.INTEGER,
                       min_value=1, max_value=MAX_COUNT),
            ),
        ),
    ],
    actions=[
        ActionSpec("quiz.pick", handlers.pick),
        ActionSpec("quiz.answer", handlers.open_form, opens_form=True),
    ],
    forms=[FormSpec(ANSWER_FORM, handlers.submit)],
    jobs=[JobSpec("quiz deadlines", handlers.due_deadlines)],
    suggestions={"quiz_topic": handlers.suggest_topics},
)
