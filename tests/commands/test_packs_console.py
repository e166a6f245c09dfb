"""/pack through the console: list, import (form, file), versions, per-channel packs, refusals."""

from __future__ import annotations

from bot.adapters.console.port import STUDY
from bot.core.ids import ChannelRef
from bot.packs.channels import enabled_packs
from bot.packs.loader import load_text
from tests.commands.packs_support import (
    OTHER,
    TEAM_V1,
    TEAM_V2,
    admin,
    command,
    form,
    import_by_form,
    stored,
    text_of,
)
from tests.harness import ConsoleBot
from tests.packs.test_loader_bad_input import BILLION_LAUGHS


async def test_list_shows_every_pack_with_counts_and_this_channels_choice(
    console: ConsoleBot,
) -> None:
    out = await console.say("/pack list", as_="alice")  # any member may look
    assert out[0] == "[only alice] == Question packs =="
    assert "[only alice] **on**  `linear-algebra` v1: Linear algebra, 28 questions (6 easy, " \
        "15 medium, 7 hard)" in out
    assert len([line for line in out if "**on**" in line]) == 12
    assert out[-1].startswith("[only alice] (on/off: used in #study (328 questions on).")


async def test_an_admin_imports_a_pack_through_the_form(console: ConsoleBot) -> None:
    out = await import_by_form(console, TEAM_V1)
    assert out == [
        "[only you] Imported **Team questions** (`team-pack` v1) for this workspace: "
        "3 questions (2 easy, 1 medium); 1 mcq, 1 numeric, 1 short.",
        "[only you] Turn it on in a channel with `/pack enable pack:team-pack`.",
    ]
    assert await stored(console.app.store) == [("team-pack", 1, 3)]
    listed = await console.say("/pack list")
    assert "[only you] off  `team-pack` v1, imported: Team questions, 3 questions (2 easy, " \
        "1 medium)" in listed, "an import changes no channel by itself"
    assert await console.say("/pack enable pack:team-pack") == [
        "[only you] `team-pack` is now on in #study: 3 questions (2 easy, 1 medium) can be "
        "asked here."
    ]
    assert "[only you] **on**  `team-pack` v1, imported: Team questions, 3 questions (2 easy, " \
        "1 medium)" in await console.say("/pack list")
    library = console.app.services.packs
    assert library.question(1, "tp-002") is not None


async def test_the_import_survives_a_restart(console: ConsoleBot) -> None:
    await import_by_form(console, TEAM_V1)
    await console.say("/pack enable pack:team-pack")
    settings, clock = console.app.services.settings, console.app.services.clock
    await console.stop()
    again = await ConsoleBot.start(settings, clock)  # type: ignore[arg-type]
    try:
        out = await again.say("/pack list")
        assert any("**on**  `team-pack` v1, imported" in line for line in out)
    finally:
        await again.stop()


async def test_a_broken_pack_is_refused_with_the_validators_messages(
    console: ConsoleBot,
) -> None:
    broken = TEAM_V1.replace("    tolerance: 0.01\n", "").replace(
        '{text: "0", correct: true}', '{text: "0"}'
    )
    expected = [str(p) for p in load_text(broken, "pasted.yaml").errors]
    assert len(expected) == 2
    out = await import_by_form(console, broken)
    assert out == [
        "[only you] I did not import pasted.yaml: it has 2 problems, and nothing was stored.",
        *(f"[only you] • {line}" for line in expected),
    ]
    assert await stored(console.app.store) == []
    assert "team-pack" not in console.app.services.packs.packs_for(1)


async def test_a_bundled_pack_id_is_refused_and_nothing_is_stored(console: ConsoleBot) -> None:
    text = TEAM_V1.replace("id: team-pack", "id: linear-algebra")
    out = await import_by_form(console, text)
    assert out[0] == "[only you] I did not import pasted.yaml: it has 1 problem, and nothing " \
        "was stored."
    assert out[1] == "[only you] • pasted.yaml:2:3: error: pack id linear-algebra belongs to " \
        "a bundled pack; give your pack another id"
    assert await stored(console.app.store) == []
    bundled = console.app.services.packs.bundled["linear-algebra"]
    assert bundled.pack.title == "Linear algebra" and len(bundled.questions) == 28


async def test_a_bundled_question_id_is_refused(console: ConsoleBot) -> None:
    out = await import_by_form(console, TEAM_V1.replace("tp-003", "la-001"))
    assert "error [la-001]: question id la-001 is already used in pack linear-algebra" in out[1]
    assert await stored(console.app.store) == []


async def test_an_uploaded_file_is_imported_without_a_form(console: ConsoleBot) -> None:
    dispatcher = console.app.dispatcher
    reply = await dispatcher.handle(command("pack import", attachment=TEAM_V1.encode()))
    assert text_of(reply).startswith("Imported **Team questions** (`team-pack` v1)")
    await dispatcher.drain()
    assert await stored(console.app.store) == [("team-pack", 1, 3)]
    assert "team-pack" in console.app.services.packs.packs_for(1)


async def test_an_uploaded_files_name_names_it_in_messages_and_red_lists(
    console: ConsoleBot,
) -> None:
    dispatcher = console.app.dispatcher
    broken = TEAM_V1.replace("    tolerance: 0.01\n", "")
    reply = await dispatcher.handle(
        command("pack import", attachment=broken.encode(), attachment_name="../team `x`.yml")
    )
    assert text_of(reply).splitlines()[0] == (
        "I did not import team _x_.yml: it has 1 problem, and nothing was stored."
    )
    red = "AUTHOR: Lemon\nWho created Python?:\n- Guido van Rossum\n"
    reply = await dispatcher.handle(
        command("pack import", attachment=red.encode(), attachment_name="Python History.yaml")
    )
    assert text_of(reply).startswith("Imported **Python History** (`python-history` v1)")
    reply = await dispatcher.handle(
        command("pack import", attachment=b"  \n", attachment_name="empty.yaml")
    )
    assert text_of(reply) == "The file `empty.yaml` is empty; nothing was imported."


async def test_a_form_submitted_with_a_file_imports_the_file(console: ConsoleBot) -> None:
    """Where a form takes files (Slack), the file arrives with the submission."""
    dispatcher = console.app.dispatcher
    you = admin("you")
    both = form(TEAM_V1, user=you, attachment=TEAM_V1.encode(), attachment_name="team.yaml")
    assert "not both" in text_of(await dispatcher.handle(both))
    assert await stored(console.app.store) == []
    upload = form("", user=you, attachment=TEAM_V1.encode(), attachment_name="team.yaml")
    assert text_of(await dispatcher.handle(upload)).startswith("Imported **Team questions**")
    await dispatcher.drain()
    assert await stored(console.app.store) == [("team-pack", 1, 3)]


async def test_hostile_uploads_are_refused_and_nothing_is_stored(console: ConsoleBot) -> None:
    dispatcher = console.app.dispatcher
    huge = b"pack: {}\n" + b"#" * (50 * 1024 * 1024)
    cases = {
        huge: f"upload.yaml:1:1: error: the pack is {len(huge):,} bytes; the limit is 1 MB "
              "(1,000,000 bytes)",
        BILLION_LAUGHS.encode(): "upload.yaml:2:8: error: anchors and aliases (*name) are not "
                                 "allowed in packs; write the value out",
        "title: café\n".encode("latin-1"): "upload.yaml:1:11: error: the file is not UTF-8 "
                                           "text (byte 0xe9 at offset 10); save it as UTF-8",
        b"x: " + b"[" * 20 + b"]" * 20: "upload.yaml:1:15: error: the YAML nests more than "
                                            "12 levels deep; a pack needs 5",
    }
    for data, message in cases.items():
        reply = await dispatcher.handle(
            command("pack import", {"name": "upload"}, attachment=data)
        )
        assert text_of(reply).splitlines() == [
            "I did not import upload.yaml: it has 1 problem, and nothing was stored.",
            f"• {message}",
        ]
    assert await stored(console.app.store) == []
    # the bot is unaffected: the next command works as before
    assert "== Question packs ==" in (await console.say("/pack list"))[0]


async def test_a_new_version_replaces_the_old_one_and_keeps_ids(console: ConsoleBot) -> None:
    await import_by_form(console, TEAM_V1)
    out = await import_by_form(console, TEAM_V2)
    assert out[0].startswith("[only you] Imported **Team questions** (`team-pack` v2)")
    assert out[1] == "[only you] It replaces v1: 1 new, 1 removed, 2 kept (what was asked of " \
        "them stays asked)."
    assert await stored(console.app.store) == [("team-pack", 2, 3)]
    library = console.app.services.packs
    question = library.question(1, "tp-001")
    assert question is not None and question.prompt.endswith("What is det(A)?")
    assert library.question(1, "tp-002") is None and library.question(1, "tp-004") is not None
    # an older version, or the same version changed, is refused; the same file changes nothing
    older = await import_by_form(console, TEAM_V1)
    assert older == ["[only you] `team-pack` is already imported at version 2; this file is "
                     "version 1. Raise `version` above 2 to replace it; nothing was changed."]
    changed = TEAM_V2.replace("What is det(A)?", "What is the determinant of A?")
    assert "Raise `version` to 3" in (await import_by_form(console, changed))[0]
    assert await import_by_form(console, TEAM_V2) == [
        "[only you] `team-pack` v2 is already imported with exactly this content; nothing "
        "changed."
    ]
    assert await stored(console.app.store) == [("team-pack", 2, 3)]


async def test_imports_stay_inside_their_workspace(console: ConsoleBot) -> None:
    await import_by_form(console, TEAM_V1)
    dispatcher = console.app.dispatcher
    elsewhere = ChannelRef(OTHER, "general", "general")
    carol = admin("carol", OTHER)
    listed = text_of(await dispatcher.handle(command("pack list", user=carol, channel=elsewhere)))
    assert "team-pack" not in listed and "linear-algebra" in listed
    refused = await dispatcher.handle(
        command("pack enable", {"pack": "team-pack"}, user=carol, channel=elsewhere)
    )
    assert text_of(refused).startswith("There is no pack `team-pack` here.")
    # the other workspace may import its own pack with the same id and question ids
    reply = await dispatcher.handle(
        command("pack import", user=carol, channel=elsewhere,
                attachment=TEAM_V2.replace("Team questions", "Carol's questions").encode())
    )
    assert "Imported **Carol's questions** (`team-pack` v2)" in text_of(reply)
    await dispatcher.drain()
    library = console.app.services.packs
    assert library.packs_for(1)["team-pack"].pack.title == "Team questions"
    assert library.packs_for(2)["team-pack"].pack.title == "Carol's questions"
    assert sorted(await stored(console.app.store)) == [("team-pack", 1, 3), ("team-pack", 2, 3)]


async def test_only_admins_import_and_switch_packs(console: ConsoleBot) -> None:
    for line in ("/pack import", "/pack enable pack:coding", "/pack disable pack:coding",
                 "/pack remove pack:coding"):
        name = line.split()[1]
        assert await console.say(line, as_="bob") == [
            f"[only bob] Only workspace admins can use `/pack {name}`."
        ]
    bob = admin("bob").__class__(STUDY.workspace, "bob", "bob", is_admin=False)
    reply = await console.app.dispatcher.handle(form(TEAM_V1, user=bob))
    assert text_of(reply) == "Only workspace admins can import packs."
    assert await stored(console.app.store) == []


async def test_a_redelivered_import_is_handled_once(console: ConsoleBot) -> None:
    dispatcher = console.app.dispatcher
    event = command("pack import", attachment=TEAM_V1.encode(), delivery_id="slack:Ev1")
    first = await dispatcher.handle(event)
    second = await dispatcher.handle(event)
    assert first is not None and second is None
    assert await stored(console.app.store) == [("team-pack", 1, 3)]


async def test_switching_packs_per_channel(console: ConsoleBot) -> None:
    assert await console.say("/pack disable pack:coding") == [
        "[only you] `coding` is now off in #study: 28 questions (7 easy, 14 medium, 7 hard) "
        "will not be asked here."
    ]
    assert await console.say("/pack disable pack:coding") == [
        "[only you] `coding` is already off in #study."
    ]
    assert await console.say("/pack enable pack:nope") == [
        "[only you] There is no pack `nope` here. Packs: behavioral, calculus-optimization, "
        "coding, deep-learning, evaluation, linear-algebra, practical-skills, "
        "probability-statistics, questions-to-ask, supervised-learning, system-design, "
        "unsupervised-learning."
    ]
    library = console.app.services.packs
    for pack_id in sorted(library.bundled):
        if pack_id not in ("coding", "evaluation"):
            await console.say(f"/pack disable pack:{pack_id}")
    assert await console.say("/pack disable pack:evaluation") == [
        "[only you] `evaluation` is the last pack on in #study; turn another one on first."
    ]
    await console.say("/pack enable pack:coding")
    async with console.app.store.session() as session:
        from bot.store.tables import Channel

        channel = await session.get(Channel, 1)
        assert channel is not None
        assert enabled_packs(channel, library, channel.workspace_id) == {"coding", "evaluation"}


async def test_remove_an_imported_pack(console: ConsoleBot) -> None:
    await import_by_form(console, TEAM_V1)
    await console.say("/pack enable pack:team-pack")
    assert await console.say("/pack remove pack:team-pack") == [
        "[only you] Removed the imported pack `team-pack`. Questions already asked stay in the "
        "history; no new ones come from it."
    ]
    assert await stored(console.app.store) == []
    assert not any("team-pack" in line for line in await console.say("/pack list"))
    assert await console.say("/pack remove pack:coding") == [
        "[only you] `coding` is a bundled pack; turn it off with `/pack disable pack:coding` "
        "instead."
    ]
    assert await console.say("/pack remove pack:team-pack") == [
        "[only you] This workspace has imported no pack `team-pack`."
    ]


async def test_a_red_trivia_list_takes_its_id_from_the_name(console: ConsoleBot) -> None:
    red = "AUTHOR: Lemon\nWho created Python?:\n- Guido van Rossum\n- Guido\n"
    out = await import_by_form(console, red, name="python-history")
    assert out[0].startswith("[only you] Imported **python-history** (`python-history` v1) "
                             "for this workspace: 1 question (1 medium); 1 short.")
    assert await stored(console.app.store) == [("python-history", 1, 1)]


async def test_an_empty_form_and_a_bad_name(console: ConsoleBot) -> None:
    await console.say("/pack import")
    assert await console.say("   ") == [
        "[only you] The pack is empty: paste the YAML of a pack (see `/help pack import`)."
    ]
    assert await console.say('/pack import name:"bad/name"') == [
        "[only you] `name` takes up to 40 letters, digits, spaces, dots, dashes or underscores."
    ]
