"""The end of a question's day: the answer window closes, later the review period ends.

Close: number the answers, plan the review assignments, then post the model answer and one
card per answer (with its Review button) in the thread and ask each answerer privately for
two reviews. Review end: score every answer from the reviews it has (the median per
criterion), award the well-rated ones and post the results. Each phase is claimed before
anything is sent; each message is a tracked send, so a retry finishes the job without
posting anything twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from bot.core.context import Services
from bot.core.ids import ChannelRef, UserRef
from bot.core.outbox import claim_once, post_once
from bot.core.ui import Message
from bot.packs.grading import grade
from bot.store.members import display_names
from bot.store.upsert import insert_once
from commands.daily import queries, views
from commands.daily.points import WELL_RATED, give
from commands.daily.scoring import assign_reviews, final_score, rubric_for
from commands.daily.tables import DailyAnswer, DailyAssignment, DailyPost

log = logging.getLogger(__name__)


async def close_post(services: Services, post_id: int, expected: datetime | None) -> None:
    """Close the answer window (`expected` is the stale claim being retried, if any)."""
    now = services.clock.now()
    async with services.store.session() as session:
        if not await queries.claim_phase(
            session, post_id, "close_claimed_at", expected, now, DailyPost.closed_at.is_(None)
        ):
            return
        place = await queries.place_of(session, post_id)
        assert place is not None
        post = place.post
        answers = await queries.answers_with_accounts(session, post_id)
        if any(answer.number is None for answer, _ in answers):
            for number, (answer, _) in enumerate(answers, start=1):
                answer.number = number
        plan = assign_reviews([answer.person_id for answer, _ in answers])
        by_person = {answer.person_id: (answer, account) for answer, account in answers}
        asks: list[tuple[UserRef, list[DailyAnswer]]] = []
        for reviewer, indexes in plan.items():
            chosen = [answers[i][0] for i in indexes]
            for answer in chosen:
                await insert_once(session, DailyAssignment, {
                    "post_id": post_id, "reviewer_id": reviewer, "answer_id": answer.id,
                    "created_at": now,
                })
            if chosen:
                asks.append((place.user_ref(by_person[reviewer][1]), chosen))
        if not answers:  # nothing to review: the day ends here
            post.review_claimed_at = now
            post.reviewed_at = now
        question = services.packs.question(place.workspace.id, post.question_id)
        # Cards and counts show the grade of each final text (points used the first one).
        grades = {
            answer.id: grade(question, answer.text).correct
            for answer, _ in answers
            if question is not None and question.auto_graded
        }
        correct = sum(grades.values()) if question is not None and question.auto_graded \
            else None
        zone = place.channel.timezone
        close = views.close_message(post, question, len(answers), correct, rubric_for(question),
                                    zone)
        cards = [(answer.id, views.card_message(answer, account.display_name,
                                                grades.get(answer.id)))
                 for answer, account in answers]
        notes = [(user, views.assignment_message(post, chosen, zone)) for user, chosen in asks]
    channel, thread = place.channel_ref, place.thread_ref
    await post_once(services, f"daily:{post_id}:close", channel, close, thread=thread)
    for answer_id, card in cards:
        await post_once(services, f"daily:{post_id}:card:{answer_id}", channel, card, thread=thread)
    # Review requests are private notes, found by no marker: claimed, then sent at most once.
    if notes and await claim_once(services, f"daily:{post_id}:asks"):
        await _send_privately(services, channel, notes)
    async with services.store.session() as session:
        await queries.set_post(session, post_id, closed_at=services.clock.now())


async def _send_privately(
    services: Services, channel: ChannelRef, notes: list[tuple[UserRef, Message]]
) -> None:
    port = services.chat(channel.workspace.platform)
    for user, message in notes:
        try:
            await port.send_private(channel, user, message)
        except Exception:
            log.exception("could not ask %s for reviews", user.id)


async def end_reviews(services: Services, post_id: int, expected: datetime | None) -> None:
    """End the review period: final scores, points for well-rated answers, the results."""
    now = services.clock.now()
    async with services.store.session() as session:
        if not await queries.claim_phase(
            session, post_id, "review_claimed_at", expected, now,
            DailyPost.reviewed_at.is_(None),
        ):
            return
        place = await queries.place_of(session, post_id)
        assert place is not None
        post = place.post
        answers = await queries.answers_with_accounts(session, post_id)
        reviews = await queries.reviews_of(session, [answer.id for answer, _ in answers])
        by_answer: dict[int, list[list[int]]] = defaultdict(list)
        helpful: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for review in reviews:
            by_answer[review.answer_id].append(review.scores)
            helpful[review.reviewer_id][0] += int(review.helpful)
            helpful[review.reviewer_id][1] += 1
        ranked = []
        for answer, account in answers:
            found = final_score(by_answer[answer.id], post.quorum, ended=True)
            answer.score = found.overall if found is not None else None
            if found is not None and found.overall >= WELL_RATED:
                await give(session, place.workspace, person_id=answer.person_id,
                           reason="well_rated_answer", key=f"daily:rated:{answer.id}", now=now,
                           ref=f"daily:{post.id}", topic=post.topic)
            ranked.append(views.Ranked(answer, account.display_name, found))
        names = await display_names(session, place.workspace.id, list(helpful))
        best = sorted(
            ((names.get(pid, "?"), counts[0], counts[1]) for pid, counts in helpful.items()
             if counts[0] > 0),
            key=lambda row: (-row[1], -row[2], row[0]),
        )
        summary = views.summary_message(post, ranked, len(reviews), best)
    await post_once(services, f"daily:{post_id}:summary", place.channel_ref, summary,
                    thread=place.thread_ref)
    async with services.store.session() as session:
        await queries.set_post(session, post_id, reviewed_at=services.clock.now())
