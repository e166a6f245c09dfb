"""Streaks told through the console with the fake clock (it starts Tue 1 Dec 2026 08:00 UTC).

Answers are recorded as the daily question records them; `!time` moves the clock and runs what
falls due in order: new activity (milestones), the end of each member's local day (freezes,
broken streaks) and reminders.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from bot.store.tables import PointsEntry
from commands.streaks.tables import StreakNotice, StreakRepair, StreakState
from tests.commands.streaks_support import (
    act,
    join,
    person_id,
    set_channel_settings,
    text,
    workspace_id,
)
from tests.harness import ConsoleBot


async def state(bot: ConsoleBot, name: str) -> StreakState:
    async with bot.app.store.session() as session:
        key = (await workspace_id(bot), await person_id(bot, name))
        found = await session.get(StreakState, key)
        assert found is not None
        return found


async def notices(bot: ConsoleBot, kind: str) -> int:
    async with bot.app.store.session() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(StreakNotice).where(StreakNotice.kind == kind)
            )
            or 0
        )


async def test_a_week_earns_a_milestone_and_a_freeze_that_saves_one_missed_day(
    console: ConsoleBot,
) -> None:
    await join(console, "alice")
    seen: list[str] = []
    for _ in range(7):  # Tue 1 Dec .. Mon 7 Dec
        await act(console, "alice")
        seen += await console.say("!time +1d")
    assert text(seen).count("reached a 7-day streak") == 1
    assert "[#study] 🔥 @alice reached a 7-day streak! Keep it going." in seen

    out = text(await console.say("/streak", as_="alice"))
    assert "Current streak: 7 days, keep it today" in out
    assert "Longest streak: 7 days" in out
    assert "Freezes held: 1 of 2" in out

    # Tue 8 Dec passes without an answer: at midnight the freeze is used and announced.
    out = text(await console.say("!time 2026-12-09T00:00"))
    assert "[#study] ❄️ A streak freeze kept alice's 7-day streak alive (missed Tue 8 Dec; " \
        "no freezes left)." in out
    streak = await state(console, "alice")
    assert (streak.current, streak.freezes) == (7, 0)

    # Wed 9 Dec is missed too, with no freeze left: the streak ends quietly.
    out = text(await console.say("!time 2026-12-10T00:00"))
    assert "freeze" not in out
    out = text(await console.say("/streak", as_="alice"))
    assert "Current streak: 0 days" in out and "Longest streak: 7 days" in out
    assert "Freezes held: 0 of 2" in out

    # Nothing is announced twice, however often the clock moves.
    assert not text(await console.say("!time +3d")).count("streak")
    assert (await notices(console, "milestone"), await notices(console, "freeze_used")) == (1, 1)


async def test_days_end_at_each_members_own_midnight_at_utc_plus_14_and_minus_12(
    console: ConsoleBot,
) -> None:
    await join(console, "kiri", "Pacific/Kiritimati")  # UTC+14
    await join(console, "far", "Etc/GMT+12")  # UTC-12 (the sign is POSIX's)
    # 08:00 UTC is 22:00 on Tue 1 Dec at Kiritimati and 20:00 on Mon 30 Nov at UTC-12.
    assert await act(console, "kiri", zone="Pacific/Kiritimati") == date(2026, 12, 1)
    assert await act(console, "far", zone="Etc/GMT+12") == date(2026, 11, 30)
    await console.say("!time 2026-12-01T10:30")  # 00:30 on Wed 2 Dec at Kiritimati
    assert await act(console, "kiri", zone="Pacific/Kiritimati") == date(2026, 12, 2)
    await console.say("!time 2026-12-01T12:30")  # 00:30 on Tue 1 Dec at UTC-12
    assert await act(console, "far", zone="Etc/GMT+12") == date(2026, 12, 1)

    # One minute before Kiritimati's Thursday ends both are alive; one minute after, only far.
    await console.say("!time 2026-12-03T09:59")
    assert "Current streak: 2 days, keep it today" in text(await console.say("/streak kiri"))
    await console.say("!time 2026-12-03T10:01")
    assert (await state(console, "kiri")).current == 0
    assert (await state(console, "far")).current == 2
    out = text(await console.say("/streak kiri"))
    assert "Current streak: 0 days" in out and "Longest streak: 2 days" in out
    assert "Days are counted in Pacific/Kiritimati" in out
    assert "Current streak: 2 days, keep it today" in text(await console.say("/streak far"))

    # UTC-12's Wednesday ends at 12:00 UTC on Thursday.
    await console.say("!time 2026-12-03T11:59")
    assert (await state(console, "far")).current == 2
    await console.say("!time 2026-12-03T12:01")
    assert (await state(console, "far")).current == 0


async def test_spring_forward_moves_the_reminder_and_the_midnight_by_an_hour(
    console: ConsoleBot,
) -> None:
    await join(console, "ny", "America/New_York")
    await console.say("!time 2027-03-12T17:00")  # Fri 12 Mar 12:00 EST (UTC-5)
    await act(console, "ny", zone="America/New_York")
    out = text(await console.say("/streak remind state:on", as_="ny"))
    assert "3 hours before your day ends (midnight in America/New_York" in out
    assert (await state(console, "ny")).remind_at == datetime(2027, 3, 13, 2, tzinfo=UTC)

    await console.say("!time 2027-03-13T17:00")  # Sat 13 Mar 12:00 EST, answered: no reminder
    await act(console, "ny", zone="America/New_York")
    # Sun 14 Mar is 23 hours long (EDT, UTC-4, from 02:00): 21:00 is 01:00 UTC.
    out = text(await console.say("!time 2027-03-15T00:59"))
    assert "[DM ny]" not in out
    assert (await state(console, "ny")).remind_at == datetime(2027, 3, 15, 1, tzinfo=UTC)
    out = text(await console.say("!time 2027-03-15T01:01"))
    assert out.count("[DM ny]") == 1
    assert "[DM ny] ⏰ Your 2-day streak is at risk: your day ends at midnight " \
        "(America/New_York)." in out
    # 23:30 EDT is still Sunday; the day ends at 04:00 UTC, not 05:00.
    await console.say("!time 2027-03-15T03:30")
    assert await act(console, "ny", zone="America/New_York") == date(2027, 3, 14)
    await console.say("!time 2027-03-15T04:01")
    streak = await state(console, "ny")
    assert streak.current == 3
    assert streak.check_at == datetime(2027, 3, 16, 4, tzinfo=UTC)
    assert streak.remind_at == datetime(2027, 3, 16, 1, tzinfo=UTC)
    assert await notices(console, "freeze_used") == 0
    assert await notices(console, "reminder") == 1


async def test_reminders_only_when_at_risk_once_a_day_and_never_when_off(
    console: ConsoleBot,
) -> None:
    await join(console, "alice")
    await join(console, "bob")
    for name in ("alice", "bob"):
        await act(console, name)
        await console.say("/streak remind on", as_=name)
    await console.say("!time 2026-12-02T08:00")
    await act(console, "alice")  # alice answers on Wednesday, bob does not
    out = text(await console.say("!time 2026-12-02T21:30"))
    assert "[DM alice]" not in out and out.count("[DM bob]") == 1
    assert "[DM bob]" not in text(await console.say("!time 2026-12-02T23:00"))
    await console.say("/streak remind off", as_="alice")
    await console.say("!time 2026-12-03T22:00")  # alice is at risk now, but asked for quiet
    assert await notices(console, "reminder") == 1
    out = text(await console.say("/streak", as_="alice"))
    assert "Reminders: off" in out


async def test_weekday_only_channels_do_not_break_streaks_at_weekends(
    console: ConsoleBot,
) -> None:
    await join(console, "alice")
    await set_channel_settings(console, {"daily": {"days": ["mon", "tue", "wed", "thu", "fri"]}})
    for _ in range(4):  # Tue 1 .. Fri 4 Dec
        await act(console, "alice")
        await console.say("!time +1d")
    assert "(today is a rest day)" in text(await console.say("/streak", as_="alice"))
    await console.say("!time 2026-12-07T08:00")  # Monday, after a quiet weekend
    await act(console, "alice")
    out = text(await console.say("/streak", as_="alice"))
    assert "Current streak: 5 days, today done" in out
    assert await notices(console, "freeze_used") == 0


async def test_without_a_schedule_a_saturday_counts(console: ConsoleBot) -> None:
    await join(console, "alice")
    for _ in range(4):
        await act(console, "alice")
        await console.say("!time +1d")
    assert "Current streak: 4 days, keep it today" in text(await console.say("/streak"
                                                                              " alice"))
    await console.say("!time 2026-12-07T08:00")
    await act(console, "alice")
    out = text(await console.say("/streak alice"))
    assert "Current streak: 1 day, today done" in out and "Longest streak: 4 days" in out


async def test_the_daily_features_weekday_schedule_is_read_too(console: ConsoleBot) -> None:
    if "daily setup" not in console.app.services.registry.commands:
        return  # the daily question feature is not installed in this tree
    out = text(await console.say("/daily setup time:23:30 timezone:UTC days:weekdays"))
    assert "weekdays" in out, out
    await join(console, "alice")
    for _ in range(4):
        await act(console, "alice")
        await console.say("!time +1d")
    await console.say("!time 2026-12-07T08:00")
    await act(console, "alice")
    assert "Current streak: 5 days" in text(await console.say("/streak alice"))


async def test_only_quizzes_of_five_questions_keep_a_day(console: ConsoleBot) -> None:
    await join(console, "alice")
    await act(console, "alice", kind="quiz_answer")
    await act(console, "alice", kind="quiz_finished", size=4)
    assert "Current streak: 0 days" in text(await console.say("/streak", as_="alice"))
    await act(console, "alice", kind="quiz_finished", size=5)
    assert "Current streak: 1 day, today done" in text(await console.say("/streak"))
    # A workspace may ask for more.
    async with console.app.store.session() as session:
        from bot.store.tables import Workspace

        ws = await session.get(Workspace, await workspace_id(console))
        assert ws is not None
        ws.settings = {"streaks": {"min_quiz_questions": 10}}
    assert "Current streak: 0 days" in text(await console.say("/streak"))
    assert "finish a quiz of 10+ questions" in text(await console.say("/streak"))


async def test_an_admin_repairs_a_day_lost_to_an_outage_and_the_ledger_says_who(
    console: ConsoleBot,
) -> None:
    await join(console, "alice")
    for _ in range(2):  # Tue 1 and Wed 2 Dec; the bot was down on Thu 3 Dec
        await act(console, "alice")
        await console.say("!time +1d")
    await console.say("!time 2026-12-04T08:00")
    await act(console, "alice")
    assert "Current streak: 1 day" in text(await console.say("/streak alice"))

    out = await console.say("/streak repair alice 2026-12-03", as_="bob")
    assert out == ["[only bob] Only workspace admins can use `/streak repair`."]
    out = await console.say("/streak repair alice 2026-12-03", as_="you")
    assert out == [
        "[only you] Repaired Thu 3 Dec 2026 for alice (recorded in the ledger as given by "
        "you). Their streak is now 4 days (longest 4 days)."
    ]
    async with console.app.store.session() as session:
        line = await session.scalar(
            select(PointsEntry).where(PointsEntry.reason == "streak_repair")
        )
    assert line is not None
    assert (line.ref, line.points, line.person_id, line.granted_by) == (
        "2026-12-03", 0, await person_id(console, "alice"), await person_id(console, "you")
    )
    assert (await state(console, "alice")).current == 4

    again = text(await console.say("/streak repair alice 2026-12-03"))
    assert "2026-12-03 was already repaired for alice." in again
    assert "already kept 2026-12-02" in text(await console.say("/streak repair alice 2026-12-02"))
    assert "is not over yet" in text(await console.say("/streak repair alice 2026-12-05"))
    assert "is not over yet" in text(await console.say("/streak repair alice 2026-12-04"))
    assert "YYYY-MM-DD" in text(await console.say("/streak repair alice 3/12/2026"))
    assert "I don't know a member `zed`" in text(await console.say("/streak repair zed 2026-12-03"))
    async with console.app.store.session() as session:
        assert await session.scalar(select(func.count()).select_from(StreakRepair)) == 1


async def test_a_redelivered_repair_is_recorded_once(console: ConsoleBot) -> None:
    from bot.adapters.console.port import STUDY, WORKSPACE
    from bot.core.events import CommandInvoked
    from bot.core.ids import UserRef

    await join(console, "alice")
    await act(console, "alice")
    await console.say("!time 2026-12-03T08:00")
    await act(console, "alice")
    event = CommandInvoked(
        delivery_id="slack:Ev1", actor=UserRef(WORKSPACE, "you", "you", is_admin=True),
        channel=STUDY, name="streak repair", args={"member": "alice", "date": "2026-12-02"},
    )
    first = await console.app.dispatcher.handle(event)
    second = await console.app.dispatcher.handle(event)
    assert first is not None and first.message is not None
    assert "Their streak is now 3 days" in first.message.text
    assert second is None
    async with console.app.store.session() as session:
        assert await session.scalar(
            select(func.count()).select_from(PointsEntry).where(
                PointsEntry.reason == "streak_repair")
        ) == 1


async def test_bad_input_gets_a_clear_private_answer(console: ConsoleBot) -> None:
    await join(console, "alice")
    out = await console.say("/streak nobody", as_="alice")
    assert out == [
        "[only alice] I don't know a member `nobody` here yet: members appear once they have "
        "used StudyBot in this workspace."
    ]
    out = await console.say("/streak remind maybe")
    assert out == ["[only alice] `state` must be one of on, off (got `maybe`)."]
    out = await console.say("/me timezone zone:Moon/Crater")
    assert out[0].startswith("[only alice] `Moon/Crater` is not a timezone I know.")
    # Members who left the boards keep their streak to themselves.
    await join(console, "bob")
    await console.say("/me leaderboard show:off", as_="bob")
    out = await console.say("/streak bob", as_="alice")
    assert out == ["[only alice] bob keeps their stats to themselves (they left the boards)."]
    assert "Streak: bob" in text(await console.say("/streak bob", as_="you"))  # an admin
    assert "Streak: bob" in text(await console.say("/streak", as_="bob"))
