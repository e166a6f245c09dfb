"""Helpers for the quiz stories: a small pack of known questions, and answering what is shown.

The pack uses the `general` topic, which no bundled pack uses, so `/quiz topic:general`
asks only these questions: mcq (easy), short answers (medium), numeric and a
select-all-that-apply mcq (hard).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.clock import FakeClock
from bot.config import Settings
from bot.core.events import ActionPressed, FormSubmitted, Inbound
from bot.core.ids import UserRef
from bot.packs.schema import Question, format_number
from bot.store.ledger import total
from bot.store.members import find_account
from bot.store.tables import Activity, PointsEntry, Workspace
from commands.quiz.views import LETTERS, needs_form
from tests.harness import ConsoleBot

PACK = """
pack:
  id: quiz-test
  title: Quiz test pack
  version: 1
  description: Questions whose answers the quiz stories know.
  author: StudyBot tests
  license: CC0-1.0
  topics: [general]
questions:
{questions}
"""

MCQ = """
  - id: t-mcq-{n}
    topic: general
    subtopic: facts
    difficulty: easy
    kind: mcq
    prompt: Test fact number {n}, which letter is right?
    choices:
      - {{text: "Wrong {n} one"}}
      - {{text: "Right {n}", correct: true}}
      - {{text: "Wrong {n} two"}}
      - {{text: "Wrong {n} three"}}
    explanation: Explanation {n} says the second choice is right, every time.
"""

OTHERS = """
  - id: t-short-chair
    topic: general
    subtopic: furniture
    difficulty: medium
    kind: short
    prompt: What do you sit on at a desk?
    answers: [chair, desk chair, office chair]
    explanation: A chair; air fills the room and a table stands in front of you.
  - id: t-short-clip
    topic: general
    subtopic: training
    difficulty: medium
    kind: short
    prompt: Which technique rescales a gradient whose norm exceeds a threshold?
    answers: [gradient clipping, clipping gradients]
    explanation: Gradient clipping caps the step length but keeps its direction.
  - id: t-num
    topic: general
    subtopic: bayes
    difficulty: hard
    kind: numeric
    prompt: With prevalence 2%, sensitivity 95% and 10% false positives, what is P(sick | positive)?
    answer: 0.16
    tolerance: 0.01
    explanation: 19 of the 117 positives out of 1,000 people are sick, about 0.16.
  - id: t-multi
    topic: general
    subtopic: overfitting
    difficulty: hard
    kind: mcq
    prompt: Which of these reduce overfitting? (select all that apply)
    choices:
      - {text: "Dropout", correct: true}
      - {text: "More epochs"}
      - {text: "Weight decay", correct: true}
    explanation: Dropout and weight decay restrain the model; more epochs memorize more.
"""


def write_pack(folder: Path, mcqs: int = 6) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    questions = "".join(MCQ.format(n=n) for n in range(1, mcqs + 1)) + OTHERS
    (folder / "quiz-test.yaml").write_text(PACK.format(questions=questions), encoding="utf-8")
    return folder


async def start_bot(url: str, clock: FakeClock, tmp_path: Path) -> ConsoleBot:
    packs = write_pack(tmp_path / "packs")
    settings = Settings(
        database_url=url,
        console_images_dir=str(tmp_path / "images"),
        extra_pack_dirs=[str(packs)],
    )
    return await ConsoleBot.start(settings, clock)


def questions(bot: ConsoleBot) -> list[Question]:
    return list(bot.app.services.packs.questions(None))


def shown(bot: ConsoleBot, lines: list[str]) -> Question:
    """The question shown last in these lines (found by its prompt)."""
    text = "\n".join(lines)
    found = [(text.rfind(q.prompt), q) for q in questions(bot) if q.prompt in text]
    assert found, f"no question in:\n{text}"
    return max(found, key=lambda pair: pair[0])[1]


def right_text(q: Question) -> str:
    if q.kind == "mcq":
        return ", ".join(LETTERS[i] for i in q.correct_choices)
    if q.kind == "short":
        return (q.answers or [""])[0]
    return format_number(q.answer)


def wrong_text(q: Question) -> str:
    if q.kind == "mcq":
        return next(LETTERS[i] for i in range(len(q.choices or [])) if i not in q.correct_choices)
    if q.kind == "short":
        return "air"
    assert q.answer is not None and q.tolerance is not None
    return format_number(q.answer + 10 * q.tolerance + 1)


async def reply(bot: ConsoleBot, q: Question, *, right: bool, as_: str | None = None) -> list[str]:
    """Answer the question on screen the way a member would: a button, or Answer + the form."""
    text = right_text(q) if right else wrong_text(q)
    if not needs_form(q):
        return await bot.say(f"!press {text}", as_=as_)
    opened = await bot.say("!press Answer", as_=as_)
    assert any("form" in line for line in opened), opened
    return opened + await bot.say(text)


def action_ids(bot: ConsoleBot, who: str | None = None) -> list[str]:
    """Action ids of the buttons on the latest message with buttons that `who` can see."""
    for item in reversed(bot.adapter.console_port.shown):
        if item.visible_to in (None, who) and item.message.buttons:
            return [b.action_id for b in item.message.buttons]
    raise AssertionError("no buttons on screen")


def answer_event(
    bot: ConsoleBot, q: Question, quiz_id: int, position: int, who: str, *, right: bool,
    delivery: str,
) -> Inbound:
    """The event a member's answer produces (a button press, or a submitted form)."""
    from bot.adapters.console.port import STUDY, WORKSPACE

    actor = UserRef(WORKSPACE, who, who)
    text = right_text(q) if right else wrong_text(q)
    if needs_form(q):
        return FormSubmitted(delivery_id=delivery, actor=actor, channel=STUDY,
                             form_id="quiz.form", context=f"{quiz_id}:{position}",
                             fields={"answer": text})
    choice = LETTERS.index(text)
    return ActionPressed(delivery_id=delivery, actor=actor, channel=STUDY,
                         action_id=f"quiz.pick:{quiz_id}:{position}:{choice}")


async def person_id(bot: ConsoleBot, name: str) -> int:
    async with bot.app.store.session() as session:
        ws = await session.scalar(select(Workspace.id).where(Workspace.external_id == "console"))
        assert ws is not None
        found = await find_account(session, ws, name)
        assert found is not None, name
        return found[1].id


async def points(bot: ConsoleBot, name: str) -> int:
    pid = await person_id(bot, name)
    async with bot.app.store.session() as session:
        ws = await session.scalar(select(Workspace.id).where(Workspace.external_id == "console"))
        assert ws is not None
        return await total(session, ws, pid)


async def ledger(bot: ConsoleBot, name: str) -> list[tuple[str, int]]:
    pid = await person_id(bot, name)
    async with bot.app.store.session() as session:
        rows = await session.execute(
            select(PointsEntry.reason, PointsEntry.points)
            .where(PointsEntry.person_id == pid)
            .order_by(PointsEntry.id)
        )
        return [(reason, value) for reason, value in rows]


async def activities(bot: ConsoleBot, name: str, kind: str) -> list[Activity]:
    pid = await person_id(bot, name)
    async with bot.app.store.session() as session:
        rows = await session.scalars(
            select(Activity).where(Activity.person_id == pid, Activity.kind == kind)
            .order_by(Activity.id)
        )
        return list(rows)


def joined(lines: list[str]) -> str:
    return "\n".join(lines)
