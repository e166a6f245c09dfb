"""Builders of the quiz's neutral messages and forms: questions, feedback, summaries, boards.

Choices are listed in the text as A), B), ... and the buttons carry only the letters: choice
texts can be longer than a button label may be on Discord (80) or Slack (75).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.ui import Button, ButtonStyle, Field, Form, FormField, Message
from bot.packs.schema import TOPICS, Question

LETTERS = "ABCDEF"
PAGE_CHARS = 3000  # a summary page stays far below Discord's 6,000 and Slack's 3,000 per block
ANSWER_FORM = "quiz.form"


def questions(n: int) -> str:
    """`1 question`, `5 questions`."""
    return "1 question" if n == 1 else f"{n} questions"


def needs_form(q: Question) -> bool:
    """Typed answers: short and numeric questions, and mcq with several right choices."""
    return q.kind != "mcq" or len(q.correct_choices) != 1


def pick_id(session_id: int, position: int, choice: int) -> str:
    return f"quiz.pick:{session_id}:{position}:{choice}"


def answer_id(session_id: int, position: int) -> str:
    return f"quiz.answer:{session_id}:{position}"


def question_title(q: Question, position: int, count: int) -> str:
    return f"Question {position}/{count} · {TOPICS[q.topic]} · {q.difficulty}"


def question_body(q: Question) -> str:
    lines = [q.prompt]
    if q.kind == "mcq":
        lines.append("")
        lines += [f"{LETTERS[i]}) {c.text}" for i, c in enumerate(q.choices or [])]
    return "\n".join(lines)


def answer_buttons(q: Question, session_id: int, position: int) -> list[Button]:
    """One button per choice, or Answer (which opens a form) for typed answers."""
    if needs_form(q):
        return [Button("Answer", answer_id(session_id, position), ButtonStyle.PRIMARY)]
    return [
        Button(LETTERS[i], pick_id(session_id, position, i), ButtonStyle.PRIMARY)
        for i in range(len(q.choices or []))
    ]


def question_message(
    q: Question,
    *,
    session_id: int,
    position: int,
    count: int,
    seconds: int,
    race: bool,
    lead: str = "",
    board: str | None = None,
) -> Message:
    """A question with its buttons."""
    how = ""
    if needs_form(q):
        how = "Press Answer and type it."
        if q.kind == "mcq":
            how = "Press Answer and type the letters of every right choice, e.g. A, C."
    rule = "first correct answer wins, one try each · " if race else ""
    body = question_body(q) + (f"\n\n{how}" if how else "")
    return Message(
        title=question_title(q, position, count),
        text=f"{lead}\n\n{body}" if lead else body,
        fields=[Field("Scoreboard", board, inline=False)] if board else [],
        buttons=answer_buttons(q, session_id, position),
        footer=f"{rule}{seconds} seconds to answer",
    )


def answer_form(q: Question, session_id: int, position: int, count: int) -> Form:
    label = "Your answer"
    if q.kind == "numeric" and q.unit:
        label = f"Your answer (in {q.unit})"
    elif q.kind == "mcq":
        label = "Letters of the right choices, e.g. A, C"
    return Form(
        ANSWER_FORM,
        f"Question {position} of {count}",
        (FormField("answer", label, max_length=200),),
        context=f"{session_id}:{position}",
    )


def verdict(correct: bool, q: Question) -> str:
    return "✅ Correct!" if correct else f"❌ Not quite. The answer: {q.answer_text()}."


def timeout_lead(position: int, q: Question) -> str:
    return f"⏰ Time's up for question {position}. The answer: {q.answer_text()}."


def race_lead(position: int, q: Question, winner: str | None) -> str:
    if winner is None:
        return f"⏰ Question {position}: nobody got it. The answer: {q.answer_text()}."
    return f"🏁 Question {position}: {winner} was first. The answer: {q.answer_text()}."


def race_closed(q: Question, session_id: int, position: int, count: int, lead: str) -> Message:
    """The edit of a closed race question: the result and the explanation.

    The buttons stay: presses already on their way when the edit lands must still reach us
    (and get a polite "closed" answer); on Discord a press on a removed component is dropped
    before it reaches the bot."""
    return Message(
        title=question_title(q, position, count) + " (closed)",
        text=f"{question_body(q)}\n\n{lead}\n{q.explanation}",
        buttons=answer_buttons(q, session_id, position),
    )


def board_text(scores: list[tuple[str, int]]) -> str:
    if not scores:
        return "nobody has scored yet"
    return "\n".join(f"{rank}. {name}: {wins}" for rank, (name, wins) in enumerate(scores, 1))


def race_final(
    scores: list[tuple[str, int]], *, lead: str, stopped_by: str | None, abandoned: bool
) -> Message:
    if stopped_by is not None:
        title = f"Race stopped by {stopped_by}"
    elif abandoned:
        title = "Race over: nobody answered for a while"
    else:
        title = "Race over"
    best = scores[0][1] if scores else 0
    leaders = [name for name, wins in scores if wins == best and best > 0]
    winner = f"Winner: {' and '.join(leaders)} with {best}." if leaders else "No winner this time."
    text = f"{lead}\n\n{winner}" if lead else winner
    return Message(title=title, text=text, fields=[Field("Scoreboard", board_text(scores), False)])


@dataclass(frozen=True)
class Miss:
    """A question the member did not get right, for the summary."""

    position: int
    question: Question
    given: str | None  # None: time ran out


def summary_pages(
    *, score: int, asked: int, count: int, misses: list[Miss], points: int, ended: str,
    lead: str = "", name: str = "Quiz",
) -> list[Message]:
    """The end of a private quiz: the score, then every miss with its explanation, in pages."""
    endings = {
        "finished": f"{name} finished",
        "stopped": f"{name} stopped",
        "abandoned": f"{name} ended: no answers for a while",
    }
    head = f"Score: {score} of {asked}" + (f" ({count} planned)" if asked < count else "") + "."
    if points:
        head += f" +{points} points."
    if not misses:
        head += " No misses!" if asked else ""
    elif asked:
        head += " What to review:"
    text = f"{lead}\n\n{head}" if lead else head
    pages = [Message(title=endings.get(ended, "Quiz over"), text=text)]
    used = len(text)
    for miss in misses:
        given = "time ran out" if miss.given is None else f"you said {miss.given}"
        value = f"Answer: {miss.question.answer_text()} ({given})\n{miss.question.explanation}"
        label = f"Q{miss.position}: {_short(miss.question.prompt)}"
        if used + len(label) + len(value) > PAGE_CHARS or len(pages[-1].fields) >= 10:
            pages.append(Message(title=f"{name} review (continued)"))
            used = 0
        pages[-1].fields.append(Field(label, value, inline=False))
        used += len(label) + len(value)
    return pages


def _short(text: str, size: int = 90) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"
