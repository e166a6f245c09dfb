"""Every ChatPort verb on Slack, through the real AsyncWebClient against the fake Web API,
plus the retry handlers (429 with Retry-After, 5xx, dropped connections) and pacing."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image as PILImage
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.adapters.slack.client import RateLimitRetry
from bot.adapters.slack.outbound import SlackPort
from bot.adapters.slack.pacing import Pacer
from bot.clock import FakeClock
from bot.core.ids import ChannelRef, MessageRef, Platform, ThreadRef, UserRef, WorkspaceRef
from bot.core.markers import new_marker
from bot.core.ports import ChannelGone
from bot.core.ui import Image, Message
from tests.adapters.slack_driver import ALICE, BOB, LOUNGE, STUDY, SlackDriver, slack_bot

WS = WorkspaceRef(Platform.SLACK, "T0STUDY")
STUDY_REF = ChannelRef(WS, STUDY)
ALICE_REF = UserRef(WS, ALICE.id)
BOB_REF = UserRef(WS, BOB.id)


@pytest.fixture
async def slack(sqlite_url: str, clock: FakeClock) -> AsyncIterator[SlackDriver]:
    async with slack_bot(sqlite_url, clock) as driver:
        yield driver


@pytest.fixture
def port(slack: SlackDriver) -> SlackPort:
    return slack.adapter.slack_port


def png() -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (4, 3), "white").save(out, format="PNG")
    return out.getvalue()


async def test_post_with_an_image_in_a_thread(slack: SlackDriver, port: SlackPort) -> None:
    parent = await port.post(STUDY_REF, Message(title="Daily question", marker="d-1"))
    thread = await port.open_thread(parent, "answers")
    assert thread == ThreadRef(STUDY_REF, parent.id)
    data = png()
    ref = await port.post(
        STUDY_REF, Message(text="Your streak", image=Image("streak.png", data, "7 days")),
        thread=thread,
    )
    assert ref.thread == thread and ref.channel == STUDY_REF
    kinds = [(s.kind, s.thread_ts) for s in slack.sent]
    assert kinds == [("message", None), ("file", parent.id), ("message", parent.id)]
    assert slack.sent[1].text == "streak.png (7 days)"
    assert next(iter(slack.fake.files.values()))["data"] == data
    methods = [c.method for c in slack.fake.calls][-4:]
    assert methods == [
        "files.getUploadURLExternal", "upload", "files.completeUploadExternal",
        "chat.postMessage",
    ]


async def test_open_thread_makes_no_call_and_keeps_the_root(
    slack: SlackDriver, port: SlackPort
) -> None:
    before = len(slack.fake.calls)
    root = ThreadRef(STUDY_REF, "1.000001")
    reply = MessageRef(STUDY_REF, "1.000002", root)
    assert await port.open_thread(reply, "x") == root
    assert len(slack.fake.calls) == before


async def test_dm_and_private_space(slack: SlackDriver, port: SlackPort) -> None:
    first = await port.send_dm(ALICE_REF, Message(text="hello"))
    again = await port.send_dm(ALICE_REF, Message(text="again"))
    assert first.channel == again.channel and first.channel.id.startswith("D")
    assert len(slack.fake.calls_to("conversations.open")) == 1  # cached
    space = await port.open_private_space(STUDY_REF, [ALICE_REF, BOB_REF], "mock interview")
    assert isinstance(space, ChannelRef) and space.id.startswith("G")
    assert slack.fake.channels[space.id]["members"] == {ALICE.id, BOB.id, "U0BOT"}
    await port.post(space, Message(text="You two are paired"))
    assert [s.channel for s in slack.sent] == [first.channel.id, first.channel.id, space.id]


async def test_send_private_is_ephemeral_or_a_dm(slack: SlackDriver, port: SlackPort) -> None:
    await port.send_private(STUDY_REF, ALICE_REF, Message(text="only you"))
    shown = slack.last()
    assert (shown.kind, shown.channel, shown.user) == ("ephemeral", STUDY, ALICE.id)
    slack.fake.add_user("U0DAVE", "dave")  # not in #study
    await port.send_private(STUDY_REF, UserRef(WS, "U0DAVE"), Message(text="only you"))
    shown = slack.last()
    assert shown.kind == "message" and shown.channel == slack.fake.dm_channel("U0DAVE")


async def test_update_delete_and_react(slack: SlackDriver, port: SlackPort) -> None:
    ref = await port.post(STUDY_REF, Message(text="v1"))
    await port.update(ref, Message(text="v2", marker="m-2"))
    stored = slack.fake.message(STUDY, ref.id)
    assert stored is not None and stored["text"] == "v2"
    assert stored["metadata"]["event_payload"] == {"marker": "m-2"}
    await port.react(ref, ":white_check_mark:")
    await port.react(ref, "white_check_mark")  # already reacted: fine
    assert stored["reactions"] == {"white_check_mark": ["U0BOT"]}
    await port.delete(ref)
    await port.delete(ref)  # already gone: fine
    assert slack.fake.message(STUDY, ref.id) is None
    assert [s.kind for s in slack.sent] == ["message", "update", "reaction", "delete"]


async def test_find_post_by_marker(slack: SlackDriver, port: SlackPort, clock: FakeClock) -> None:
    start = clock.now()
    slack.fake.member_post(STUDY, ALICE.id, "a member talking")
    ref = await port.post(STUDY_REF, Message(text="daily", marker="daily:2026-12-01"))
    await port.post(STUDY_REF, Message(text="other", marker="daily:2026-12-02"))
    found = await port.find_post(STUDY_REF, "daily:2026-12-01", start - timedelta(minutes=5))
    assert found == MessageRef(STUDY_REF, ref.id)
    assert await port.find_post(STUDY_REF, "daily:2026-11-30", start) is None
    assert await port.find_post(STUDY_REF, "daily:2026-12-01", start + timedelta(hours=1)) is None
    call = slack.fake.calls_to("conversations.history")[0]
    assert call.args["include_all_metadata"] == "1" and call.args["limit"] == "15"


async def test_gone_channels_and_messages(slack: SlackDriver, port: SlackPort) -> None:
    with pytest.raises(ChannelGone):
        await port.post(ChannelRef(WS, LOUNGE), Message(text="the bot is not in here"))
    with pytest.raises(ChannelGone):
        await port.update(MessageRef(STUDY_REF, "9.999999"), Message(text="x"))


async def test_rate_limits_server_errors_and_dropped_connections_are_retried(
    slack: SlackDriver, port: SlackPort
) -> None:
    fake = slack.fake
    fake.fail_next("chat.postMessage", 429, times=2, retry_after=0)
    await port.post(STUDY_REF, Message(text="after 429s"))
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 429, 200]

    for status in (500, 502, 503):
        fake.fail_next("chat.update", status)
    ref = MessageRef(STUDY_REF, slack.last("message").ts or "")
    await port.update(ref, Message(text="after 5xx"))
    assert [c.status for c in fake.calls_to("chat.update")] == [500, 502, 503, 200]

    fake.drop_next("reactions.add", times=2)
    await port.react(ref, "tada")
    assert [c.error for c in fake.calls_to("reactions.add")] == ["dropped", "dropped", None]

    fake.fail_next("chat.delete", 504, times=4)
    with pytest.raises(SlackApiError):
        await port.delete(ref)
    assert len(fake.calls_to("chat.delete")) == 4  # the first try and 3 retries


async def test_the_rate_limit_handler_waits_what_slack_asks() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    handler = RateLimitRetry(5, jitter=0.0, max_wait=120.0, sleep=sleep)
    request = HttpRequest(method="POST", url="http://x/api/chat.postMessage", headers={})
    for retry_after in ("7", "600"):
        state = RetryState()
        response = HttpResponse(status_code=429, headers={"Retry-After": [retry_after]})
        assert await handler.can_retry_async(state=state, request=request, response=response)
        await handler.prepare_for_next_attempt_async(state=state, request=request,
                                                     response=response)
        assert state.current_attempt == 1
    assert waits == [7.0, 120.0]


def test_pacer_spaces_posts_per_channel_and_overall() -> None:
    pacer = Pacer(per_key=1.0, overall=0.1)
    waits = [pacer.reserve("C1", 100.0) for _ in range(3)]
    assert waits == [0.0, 1.0, 2.0]
    # Other channels fit between C1's slots, keeping the global spacing.
    assert pacer.reserve("C2", 100.0) == pytest.approx(0.1)
    assert pacer.reserve("C3", 100.0) == pytest.approx(0.2)
    assert pacer.reserve("C2", 100.5) == pytest.approx(0.6)  # C2's own second: 1 s after its first
    assert pacer.reserve("C4", 105.0) == 0.0  # time has moved on: no wait


async def test_a_reply_kept_despite_a_500_in_a_busy_thread_is_found_not_resent(
    slack: SlackDriver, port: SlackPort, clock: FakeClock
) -> None:
    """conversations.replies lists a thread oldest first, 15 at a time: the look after an
    ambiguous failure must start at the reply's claim (its marker's time), not at the
    thread's beginning, or a thread with many replies hides the reply that was kept."""
    root = await port.post(STUDY_REF, Message(text="Daily question #1"))
    for n in range(20):
        slack.fake.member_post(STUDY, ALICE.id, f"answer {n}", root.id)
    clock.advance(timedelta(minutes=5))
    original = slack.fake.m_chat_postMessage
    failed = 0

    def kept_then_500(args: dict[str, Any]) -> dict[str, Any]:
        nonlocal failed
        result = original(args)
        if not failed:
            failed += 1
            raise RuntimeError("kept, then failed")  # aiohttp answers 500
        return result

    slack.fake.m_chat_postMessage = kept_then_500  # type: ignore[method-assign]
    thread = ThreadRef(STUDY_REF, root.id)
    await port.post(STUDY_REF, Message(text="answers are closed", marker=new_marker(clock.now())),
                    thread=thread)
    closes = [m for m in slack.fake.messages[STUDY] if m.get("text") == "answers are closed"]
    assert failed == 1 and len(closes) == 1, closes
