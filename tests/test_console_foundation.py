"""The console end to end: /help, /me through the store, playground moves, bad input."""

from __future__ import annotations

from tests.harness import ConsoleBot


async def test_help_lists_commands_from_their_declarations(console: ConsoleBot) -> None:
    out = await console.say("/help")
    text = "\n".join(out)
    for name in console.app.services.registry.commands:
        assert f"/{name}`" in text
    assert all(line.startswith("[only you]") for line in out)


async def test_help_for_one_command_shows_its_options(console: ConsoleBot) -> None:
    out = "\n".join(await console.say('/help command:"me timezone"'))
    assert "zone:" in out and "IANA" in out


async def test_timezone_is_stored_and_survives_a_restart(console: ConsoleBot) -> None:
    await console.say("/me timezone zone:Asia/Kolkata", as_="alice")
    out = "\n".join(await console.say("/me"))
    assert "Timezone: Asia/Kolkata" in out
    settings, clock = console.app.services.settings, console.app.services.clock
    await console.stop()
    again = await ConsoleBot.start(settings, clock)  # type: ignore[arg-type]
    try:
        out = "\n".join(await again.say("/me", as_="alice"))
        assert "Timezone: Asia/Kolkata" in out
    finally:
        await again.stop()


async def test_unknown_timezone_is_refused_and_nothing_changes(console: ConsoleBot) -> None:
    out = await console.say("/me timezone zone:Mars/Base", as_="bob")
    assert out == [
        "[only bob] `Mars/Base` is not a timezone I know. Use an IANA name such as "
        "Europe/Berlin, America/New_York or Asia/Kolkata."
    ]
    assert "Timezone: UTC (channel default)" in "\n".join(await console.say("/me"))


async def test_bad_options_get_usage(console: ConsoleBot) -> None:
    out = "\n".join(await console.say("/me leaderboard show:maybe"))
    assert "must be one of on, off" in out
    out = "\n".join(await console.say("/me timezone"))
    assert "`zone` is required" in out and "Usage: `/me timezone zone:string`" in out
    out = "\n".join(await console.say("/me leaderboard colour:blue"))
    assert "has no option `colour`" in out
    out = "\n".join(await console.say('/help command:"unclosed'))
    assert "check the quotes" in out


async def test_admin_status_persists_across_runs(console: ConsoleBot) -> None:
    out = await console.say("!as carol --admin")
    assert out == ["[console] you are now carol (admin)"]
    settings, clock = console.app.services.settings, console.app.services.clock
    await console.stop()
    again = await ConsoleBot.start(settings, clock)  # type: ignore[arg-type]
    try:
        assert await again.say("!as carol") == ["[console] you are now carol (admin)"]
        assert await again.say("!as dave") == ["[console] you are now dave"]
    finally:
        await again.stop()


async def test_playground_errors_are_polite(console: ConsoleBot) -> None:
    assert await console.say("!press Nothing") == ["[only you] I see no button labelled `Nothing`."]
    assert "forward" in (await console.say("!time 2020-01-01T00:00"))[0]
    assert "Unknown console command" in (await console.say("!fly"))[0]
    assert "no thread yet" in (await console.say("!thread"))[0]


async def test_time_moves_the_clock(console: ConsoleBot) -> None:
    assert await console.say("!time +25h") == ["[console] the time is now 2026-12-02 09:00 UTC"]
    assert await console.say("!time 2026-12-03T10:30") == [
        "[console] the time is now 2026-12-03 10:30 UTC"
    ]
