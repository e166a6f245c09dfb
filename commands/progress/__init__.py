"""/progress: the 6-week plan (50 questions, 4 mock interviews, 2 projects) and project logs."""

from __future__ import annotations

from datetime import timedelta

from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.ui import Reply
from bot.packs.plan import TARGETS
from bot.store.activity import record_activity
from commands.progress import views
from commands.progress.service import milestone_ref, progress, projects
from commands.progress.tables import ProjectMilestone
from commands.spec import CommandSpec, Feature, Option, OptionType
from commands.streaks import queries as streak_queries
from commands.streaks.schedule import local_day
from commands.streaks.service import evaluate, target_member


async def show(ctx: Context) -> Reply:
    person, name = await target_member(ctx)
    member = await evaluate(ctx.session, ctx.workspace, person, ctx.now)
    today = member.streak.today
    counts = await streak_queries.day_counts(
        ctx.session, ctx.workspace.id, person.id, today - timedelta(weeks=12), today
    )
    seen = await progress(ctx.session, ctx.services, ctx.workspace.id, person.id, member)
    return Reply(views.progress_card(name, seen, member, counts))


async def log(ctx: Context) -> Reply:
    text = " ".join(str(ctx.args["text"]).split())
    if not text:
        raise UserError("Say what you did, e.g. `/progress log \"cleaned the churn data\"`.")
    member = await evaluate(ctx.session, ctx.workspace, ctx.person, ctx.now)
    day = local_day(ctx.now, member.zone)
    name = " ".join(str(ctx.args.get("project") or "").split())
    if not name:
        open_ = [p for p in await projects(ctx.session, ctx.workspace.id, ctx.person.id, day)
                 if not p.done]
        name = open_[-1].name if open_ else "my project"
    done = bool(ctx.args.get("done", False))
    milestone = ProjectMilestone(
        workspace_id=ctx.workspace.id,
        person_id=ctx.person.id,
        project=name,
        text=text,
        done=done,
        at=ctx.now,
        local_day=day,
    )
    ctx.session.add(milestone)
    await ctx.session.flush()
    await record_activity(
        ctx.session,
        workspace_id=ctx.workspace.id,
        person_id=ctx.person.id,
        kind="project_milestone",
        ref=milestone_ref(milestone.id),
        at=ctx.now,
        local_day=day,
    )
    now = await progress(ctx.session, ctx.services, ctx.workspace.id, ctx.person.id, member)
    this = next(p for p in now.projects if p.name == name)
    reply = (
        f"Logged for {name}: {text} ({this.milestones} milestone"
        f"{'s' if this.milestones != 1 else ''} so far)."
    )
    if done:
        reply += (
            f" Project finished: {now.projects_done} of {TARGETS.projects} this plan round."
        )
    return Reply.private_text(reply)


MEMBER = Option("member", "A member (default: you)", type=OptionType.USER)

FEATURE = Feature(
    name="Progress",
    commands=[
        CommandSpec(
            "progress",
            "Your progress on the 6-week plan (or a member's), with a 12-week heatmap.",
            show,
            options=(MEMBER,),
        ),
        CommandSpec(
            "progress log",
            "Log a milestone of an end-to-end project (done:yes when it is finished).",
            log,
            options=(
                Option("text", "What you did", required=True, max_length=300),
                Option("project", "Project name (default: your open project)", max_length=40),
                Option("done", "yes when this finishes the project", type=OptionType.BOOLEAN),
            ),
        ),
    ],
)
