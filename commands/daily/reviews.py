"""Peer review of daily answers: the Review form, helpful ratings, and "my reviews".

Reviews open when the answer window closes (answers are final then, and revealed in blind
mode) and end with the review period. Nobody reviews their own answer; a second review of the
same answer by the same member replaces the first. Points for reviewing go to the first few
reviews per question, so reviewing rewards reading, not clicking.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.errors import NotAllowed, NotFound, UserError
from bot.core.events import FormSubmitted
from bot.core.ui import Button, Field, Message, Reply
from bot.store.activity import record_activity
from bot.store.upsert import insert_returning
from commands.daily import queries, views
from commands.daily.points import REVIEWS_PAID_PER_QUESTION, give
from commands.daily.queries import Place
from commands.daily.scoring import final_score, parse_scores, rubric_for
from commands.daily.tables import DailyAnswer, DailyPost, DailyReview
from commands.daily.timing import local_date, show_local

MAX_HELPFUL_BUTTONS = 10


async def _answer(ctx: Context, raw_id: str) -> tuple[DailyAnswer, Place]:
    found = await queries.answer_with_account(ctx.session, int(raw_id)) if raw_id.isdigit() \
        else None
    place = await queries.place_of(ctx.session, found[0].post_id) if found else None
    if found is None or place is None or place.workspace.id != ctx.workspace.id:
        raise NotFound("That answer does not exist (any more), so there is nothing to review.")
    return found[0], place


def _check_can_review(ctx: Context, answer: DailyAnswer, place: Place) -> None:
    post = place.post
    zone = place.channel.timezone
    if answer.person_id == ctx.person.id:
        raise NotAllowed("That is your own answer; reviews come from the others. "
                         "Try one of the answers you were asked to review.")
    if post.close_claimed_at is None:
        raise UserError(
            f"Reviews of daily question #{post.number} open when its answers close, at "
            f"{show_local(post.closes_at, zone)}."
        )
    if post.review_claimed_at is not None or ctx.now >= post.review_ends_at:
        raise UserError(f"The review period of daily question #{post.number} has ended.")


async def review_pressed(ctx: Context) -> Reply:
    answer, place = await _answer(ctx, ctx.action_arg)
    _check_can_review(ctx, answer, place)
    question = ctx.services.packs.question(ctx.workspace.id, place.post.question_id)
    old = await queries.review_by(ctx.session, answer.id, ctx.person.id)
    return Reply.open(views.review_form(answer, rubric_for(question), old))


async def review_submitted(ctx: Context) -> Reply:
    event = ctx.event
    assert isinstance(event, FormSubmitted)
    answer, place = await _answer(ctx, event.context)
    _check_can_review(ctx, answer, place)
    post = place.post
    question = ctx.services.packs.question(ctx.workspace.id, post.question_id)
    criteria = rubric_for(question)
    try:
        scores = parse_scores([event.fields.get(f"c{i}", "") for i in
                               range(1, len(criteria) + 1)], criteria)
    except ValueError as exc:
        raise UserError(f"Scores are whole numbers from 1 to 5; {exc} is not. Nothing was "
                        "saved; please send the review again.") from None
    comment = event.fields.get("comment", "").strip()[: views.COMMENT_LIMIT]
    now = ctx.now
    review = await insert_returning(ctx.session, DailyReview, {
        "answer_id": answer.id, "reviewer_id": ctx.person.id, "scores": scores,
        "comment": comment, "helpful": False, "created_at": now, "updated_at": now,
    })
    inserted = review is not None
    if review is not None:
        await _reward(ctx, place, answer, review)
    else:
        review = await queries.review_by(ctx.session, answer.id, ctx.person.id)
        assert review is not None
        review.scores, review.comment, review.updated_at = scores, comment, now
    lines = [f"Thanks! Your review of answer #{answer.number} is saved"
             + ("." if inserted else ", replacing your earlier one.")]
    todo = await _still_to_review(ctx, post)
    if todo:
        lines.append("Still on your list: " + ", ".join(f"#{a.number}" for a in todo) + ".")
    buttons = [views.review_button(a) for a in todo]
    mine = await queries.answer_of(ctx.session, post.id, ctx.person.id)
    if mine is not None and not todo:
        lines.append("You can see the reviews of your own answer with My reviews.")
        buttons.append(views.mine_button(post.id))
    return Reply(Message(text="\n".join(lines), buttons=buttons))


async def _reward(ctx: Context, place: Place, answer: DailyAnswer, review: DailyReview) -> None:
    post = place.post
    given = await queries.reviews_given_on_post(ctx.session, post.id, ctx.person.id)
    if given <= REVIEWS_PAID_PER_QUESTION:
        await give(ctx.session, ctx.workspace, person_id=ctx.person.id, reason="review_given",
                   key=f"daily:review:{review.id}", now=ctx.now, ref=f"daily:{post.id}",
                   topic=post.topic)
    zone = ctx.person.timezone or place.channel.timezone or "UTC"
    await record_activity(
        ctx.session, workspace_id=ctx.workspace.id, person_id=ctx.person.id, kind="review",
        ref=f"daily-review:{answer.id}", at=ctx.now, local_day=local_date(ctx.now, zone),
        topic=post.topic,
    )


async def _still_to_review(ctx: Context, post: DailyPost) -> list[DailyAnswer]:
    return await queries.unreviewed_assignments(ctx.session, post.id, ctx.person.id)


async def helpful_pressed(ctx: Context) -> Reply:
    """The author rates a review of their answer helpful (once; the reviewer earns points)."""
    raw = ctx.action_arg
    review = await ctx.session.get(DailyReview, int(raw)) if raw.isdigit() else None
    if review is None:
        raise NotFound("That review does not exist (any more).")
    answer, place = await _answer(ctx, str(review.answer_id))
    if answer.person_id != ctx.person.id:
        raise NotAllowed("Only the author of the answer can rate its reviews.")
    if review.helpful:
        return Reply.private_text("You marked that review helpful already. Thanks!")
    review.helpful = True
    post = place.post
    await give(ctx.session, ctx.workspace, person_id=review.reviewer_id, reason="helpful_review",
               key=f"daily:helpful:{review.id}", now=ctx.now, ref=f"daily:{post.id}",
               topic=post.topic)
    return Reply.private_text("Marked helpful; thanks for telling the reviewer.")


async def mine_pressed(ctx: Context) -> Reply:
    raw = ctx.action_arg
    place = await queries.place_of(ctx.session, int(raw)) if raw.isdigit() else None
    if place is None or place.workspace.id != ctx.workspace.id:
        raise NotFound("That daily question no longer exists.")
    return await my_reviews(ctx, place)


async def reviews_command(ctx: Context) -> Reply:
    """/daily reviews [number]: your answer's reviews and the answers you were asked to review."""
    if ctx.channel is None:
        raise UserError("Use this command in the channel where the daily question runs.")
    number = ctx.args.get("number")
    if number is not None:
        post = await queries.post_by_number(ctx.session, ctx.channel.id, int(number))
        if post is None:
            raise NotFound(f"There is no daily question #{number} in this channel.")
    else:
        posts = await queries.answered_posts(ctx.session, ctx.channel.id, ctx.person.id)
        if not posts:
            raise NotFound("You have not answered a daily question in this channel yet.")
        post = posts[0]
    place = await queries.place_of(ctx.session, post.id)
    assert place is not None
    return await my_reviews(ctx, place)


async def my_reviews(ctx: Context, place: Place) -> Reply:
    post = place.post
    question = ctx.services.packs.question(ctx.workspace.id, post.question_id)
    criteria = rubric_for(question)
    zone = place.channel.timezone
    todo = await _still_to_review(ctx, post) if post.review_claimed_at is None else []
    fields: list[Field] = []
    buttons: list[Button] = [views.review_button(a) for a in todo]
    if todo:
        fields.append(Field("To review", ", ".join(f"#{a.number}" for a in todo)
                            + f" (until {show_local(post.review_ends_at, zone)})", inline=False))
    mine = await queries.answer_of(ctx.session, post.id, ctx.person.id)
    ended = post.reviewed_at is not None
    if mine is None:
        text = f"You did not answer daily question #{post.number}."
    elif post.close_claimed_at is None:
        text = (f"Reviews of your answer to daily question #{post.number} start when answers "
                f"close, at {show_local(post.closes_at, zone)}.")
    elif post.reviews_first and todo and not ended:
        text = ("This channel shows you the reviews of your answer after you give yours: "
                "review the answers below first.")
    else:
        reviews = await queries.reviews_of(ctx.session, [mine.id])
        found = final_score([r.scores for r in reviews], post.quorum, ended)
        lines = [f"Your answer #{mine.number}: "
                 + views.score_line(found, len(reviews), post.quorum, ended, criteria)]
        lines += views.review_lines(reviews, criteria)
        text = "\n".join(lines)
        buttons += [
            Button(f"Helpful #{i}", f"daily.helpful:{r.id}")
            for i, r in enumerate(reviews, start=1) if not r.helpful
        ][:MAX_HELPFUL_BUTTONS]
    return Reply(Message(title=f"Daily question #{post.number}: your reviews", text=text,
                         fields=fields, buttons=buttons))
