"""Builders of the daily feature's neutral messages and forms (no rules, no database).

Member-written text (answers, comments, names) goes into message text as-is: renderers escape
it, so it never pings; only `Message.mentions` may ping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.ui import Button, ButtonStyle, Field, Form, FormField, Message
from bot.packs.schema import TOPICS, Question
from commands.daily.scoring import Score, short
from commands.daily.tables import DailyAnswer, DailyPost, DailyReview, DailySchedule
from commands.daily.timing import describe_days, show_local

ANSWER_LIMIT = 4000
COMMENT_LIMIT = 1000
LABEL_LIMIT = 45  # Discord caps modal labels and titles at 45 characters
PLACEHOLDER_LIMIT = 100

HOW = {
    "mcq": "Give the number or letter of your choice (e.g. 2 or B).",
    "short": "A word or a short phrase is enough.",
    "numeric": "Give a number",
    "open": "Explain in a few sentences.",
    "behavioral": "Tell it as a STAR story: situation, task, action, result.",
    "coding": "Paste your code (Python).",
}


def answer_button(post_id: int) -> Button:
    return Button("Answer", f"daily.answer:{post_id}", ButtonStyle.PRIMARY)


def review_button(answer: DailyAnswer) -> Button:
    return Button(f"Review #{answer.number}", f"daily.review:{answer.id}")


def mine_button(post_id: int) -> Button:
    return Button("My reviews", f"daily.mine:{post_id}")


def how_to_answer(question: Question, reveal: str, thread_answers: bool = True) -> str:
    if reveal == "blind":
        where = "Press Answer: answers stay private until the close, then they are revealed " \
            "together."
    elif thread_answers:
        where = "Reply in the thread below, or press Answer."
    else:
        where = "Press Answer; the thread below is for discussion."
    how = HOW.get(question.kind, "")
    if question.kind == "numeric" and question.unit:
        how += f" (in {question.unit})."
    elif question.kind == "numeric":
        how += "."
    return f"{where} {how}".strip()


def prompt_text(question: Question) -> str:
    lines = [question.prompt]
    if question.kind == "mcq":
        lines += [f"{i}. {c.text}" for i, c in enumerate(question.choices or [], start=1)]
    if question.kind == "coding" and question.example_call:
        lines.append(f"Example: `{question.example_call}`")
    return "\n".join(lines)


def question_message(
    post: DailyPost, question: Question, zone: str, thread_answers: bool = True
) -> Message:
    """`thread_answers` is False where the bot cannot read thread text (Discord without the
    message-content intent): members are then pointed to the Answer button only."""
    return Message(
        title=f"Daily question #{post.number} · {post.local_date:%a} {post.local_date.day} "
        f"{post.local_date:%b %Y}",
        text=prompt_text(question),
        fields=[
            Field("Topic", f"{TOPICS.get(question.topic, question.topic)} ({question.subtopic})"),
            Field("Difficulty", question.difficulty),
            Field("How to answer", how_to_answer(question, post.reveal, thread_answers),
                  inline=False),
            Field("Deadline", show_local(post.closes_at, zone)),
        ],
        buttons=[answer_button(post.id)],
        footer=f"One answer each; edit it with Answer until the deadline. ({question.id})",
    )


def thread_name(post: DailyPost) -> str:
    return f"Daily #{post.number} answers ({post.local_date.isoformat()})"


def answer_form(post: DailyPost, question: Question | None, current: str) -> Form:
    label = "Your answer"
    if question is not None and question.kind == "mcq":
        label = "Your answer (choice number or letter)"
    elif question is not None and question.kind == "numeric":
        label = "Your answer (a number)"
    return Form(
        "daily.answer",
        f"Answer daily question #{post.number}",
        (
            FormField(
                "answer",
                label,
                multiline=question is None or question.kind not in ("mcq", "numeric", "short"),
                placeholder=short(question.prompt, PLACEHOLDER_LIMIT) if question else "",
                default=current,
                max_length=ANSWER_LIMIT,
            ),
        ),
        context=str(post.id),
    )


def review_form(answer: DailyAnswer, criteria: Sequence[str], old: DailyReview | None) -> Form:
    fields = [
        FormField(
            f"c{i}",
            short(f"{i}. {criterion}", LABEL_LIMIT),
            placeholder=short(f"1 (poor) to 5 (excellent): {criterion}", PLACEHOLDER_LIMIT),
            default=str(old.scores[i - 1]) if old and len(old.scores) >= i else "",
            max_length=1,
        )
        for i, criterion in enumerate(criteria, start=1)
    ]
    fields.append(
        FormField(
            "comment",
            "Comment (optional)",
            multiline=True,
            required=False,
            placeholder="What was good, what is missing?",
            default=old.comment if old else "",
            max_length=COMMENT_LIMIT,
        )
    )
    return Form("daily.review", f"Review answer #{answer.number}", tuple(fields),
                context=str(answer.id))


def echo_message(answer: DailyAnswer, name: str, edited: bool) -> Message:
    verb = "edited their answer" if edited else "answered"
    return Message(title=f"{name} {verb}", text=answer.text)


def model_answer(question: Question) -> str:
    if question.kind == "coding" and question.solution:
        lines = ["```", question.solution.rstrip(), "```"]
        if question.example_call and question.expected_output:
            lines.append(f"`{question.example_call}` returns `{question.expected_output}`")
        return "\n".join(lines)
    return question.answer_text()


def close_message(
    post: DailyPost,
    question: Question | None,
    answers: int,
    correct: int | None,
    criteria: Sequence[str],
    zone: str,
) -> Message:
    lines = []
    if question is not None:
        model = model_answer(question).strip()
        joiner = "\n" if "\n" in model else " "  # a multi-line answer starts on its own line
        lines += [f"**Model answer:**{joiner}{model}", "", question.explanation]
    fields = [Field("Answers", str(answers) + (f" ({correct} correct)" if correct is not None
                                                else ""))]
    if answers:
        fields.append(Field(
            "Peer review",
            f"Until {show_local(post.review_ends_at, zone)}: press Review under an answer and "
            "score it 1-5 on each criterion. Each answerer has two answers to review.",
            inline=False,
        ))
        fields.append(Field(
            "Criteria", "\n".join(f"{i}. {c}" for i, c in enumerate(criteria, start=1)),
            inline=False,
        ))
    return Message(
        title=f"Daily question #{post.number}: answers are closed",
        text="\n".join(lines),
        fields=fields,
        buttons=[mine_button(post.id)] if answers else [],
    )


def card_message(answer: DailyAnswer, name: str, correct: bool | None) -> Message:
    """An answer shown for review; `correct` is the grade of this final text, if graded."""
    footer = None
    if correct is not None:
        footer = "auto-graded: correct" if correct else "auto-graded: not correct"
    return Message(
        title=f"Answer #{answer.number} by {name}",
        text=answer.text,
        buttons=[review_button(answer)],
        footer=footer,
    )


def assignment_message(post: DailyPost, answers: Sequence[DailyAnswer], zone: str) -> Message:
    answers = sorted(answers, key=lambda a: a.number or 0)
    numbers = " and ".join(f"#{a.number}" for a in answers)
    # No buttons here: on Discord this arrives as a direct message, outside the server whose
    # members the review belongs to. The Review buttons sit under the answers in the thread.
    return Message(
        text=f"Daily question #{post.number} is closed. Please review "
        f"{'answers' if len(answers) > 1 else 'answer'} {numbers} by "
        f"{show_local(post.review_ends_at, zone)}: press Review under "
        f"{'each of them' if len(answers) > 1 else 'it'} in the question's thread (or use "
        "`/daily reviews` there). Reviews are spread so that every answer gets read.",
    )


@dataclass(frozen=True)
class Ranked:
    """One line of the results: an answer, its author's name and its final score."""

    answer: DailyAnswer
    name: str
    score: Score | None


def summary_message(
    post: DailyPost,
    ranked: Sequence[Ranked],
    reviews: int,
    helpful: Sequence[tuple[str, int, int]],
) -> Message:
    """`helpful` holds (reviewer name, helpful ratings, reviews written), best first."""
    scored = sorted((r for r in ranked if r.score is not None),
                    key=lambda r: (-(r.score.overall if r.score else 0), r.answer.number or 0))
    unscored = [r for r in ranked if r.score is None]
    fields = [Field("Answers", str(len(ranked))), Field("Reviews", str(reviews))]
    if scored:
        fields.append(Field(
            "Best-rated answers",
            "\n".join(
                f"#{r.answer.number} {r.name}: {r.score.overall:.1f}/5 "
                f"({r.score.reviews} review{'s' if r.score.reviews != 1 else ''})"
                for r in scored[:3] if r.score is not None
            ),
            inline=False,
        ))
    if unscored:
        fields.append(Field(
            "Unscored (no reviews)",
            ", ".join(f"#{r.answer.number} {r.name}" for r in unscored),
            inline=False,
        ))
    if helpful:
        fields.append(Field(
            "Most helpful reviewers",
            "\n".join(
                f"{name}: {count} helpful of {written}" for name, count, written in helpful[:3]
            ),
            inline=False,
        ))
    return Message(
        title=f"Daily question #{post.number}: results",
        text="Thanks for answering and reviewing. Scores are the median per criterion.",
        fields=fields,
        buttons=[mine_button(post.id)],
    )


def score_line(found: Score | None, reviews: int, quorum: int, ended: bool,
               criteria: Sequence[str]) -> str:
    if found is None:
        if ended:
            return "Unscored: nobody reviewed this answer."
        return f"Waiting for reviews: {reviews} of {quorum}."
    parts = " · ".join(
        f"{short(c, 24)} {m:g}" for c, m in zip(criteria, found.medians, strict=False)
    )
    return f"Score {found.overall:.1f}/5 from {found.reviews} review(s): {parts}"


def review_lines(reviews: Sequence[DailyReview], criteria: Sequence[str]) -> list[str]:
    lines = []
    for i, review in enumerate(reviews, start=1):
        marks = ", ".join(f"{s}" for s in review.scores)
        mark = " (helpful)" if review.helpful else ""
        lines.append(f"Review {i}{mark}: {marks}" + (f": {review.comment}" if review.comment
                                                     else ""))
    if reviews:
        lines.append("Scores are in criteria order: " + "; ".join(
            f"{i}. {short(c, 30)}" for i, c in enumerate(criteria, start=1)))
    return lines


def schedule_fields(schedule: DailySchedule, next_at: datetime | None) -> list[Field]:
    packs = ", ".join(schedule.packs) if schedule.packs else "all"
    topics = ", ".join(schedule.topics) if schedule.topics else "the study plan's week"
    return [
        Field("Posts", f"{describe_days(schedule.days)} at {schedule.post_time} "
              f"({schedule.timezone})"),
        Field("Next post", show_local(next_at, schedule.timezone) if next_at else "none"),
        Field("Answers", f"{schedule.reveal} mode, {schedule.window_hours} h to answer"),
        Field("Reviews", f"{schedule.review_hours} h to review, scored after "
              f"{schedule.quorum} review{'s' if schedule.quorum != 1 else ''}"
              + ("; yours shown after you give yours" if schedule.reviews_first else "")),
        Field("Packs", packs),
        Field("Topics", topics),
    ]
