"""The chat port over the Slack Web API: everything the core sends on its own.

Posts are paced per channel and globally (fan-out), carry their marker in message metadata
(`event_type: studybot_post`) so `find_post` can find them after a crash, and upload images
with files_upload_v2 into the same channel or thread right before the message. Slack errors
that mean "this place is gone" become `ChannelGone`; everything else propagates.

A marked post (in a channel or a thread) is never sent blindly twice: slack_sdk would re-send
it after a 5xx or a dropped connection, when Slack may already have kept it. Such a post goes
out with only the rate-limit retry (a 429 means Slack did not post), and after an ambiguous
failure the port looks for its marker where it went, from its claim time on, before sending it
again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.adapters.slack.client import slack_error
from bot.adapters.slack.pacing import Pacer
from bot.adapters.slack.render import marker_of, message_payload, post_metadata
from bot.core.ids import ChannelRef, MessageRef, Platform, ThreadRef, UserRef
from bot.core.markers import marker_time
from bot.core.ports import ChannelGone
from bot.core.ui import Message
from bot.metrics import Metrics

log = logging.getLogger(__name__)

GONE = frozenset(
    {
        "channel_not_found",
        "is_archived",
        "not_in_channel",
        "message_not_found",
        "thread_not_found",
        "cant_update_message",
        "cant_delete_message",
        "user_not_found",
        "user_disabled",
        "cannot_dm_bot",
    }
)
# Ephemeral messages need the member in the channel; otherwise they go by DM.
_NOT_THERE = frozenset({"user_not_in_channel", "channel_not_found", "not_in_channel"})
HISTORY_LIMIT = 15  # non-Marketplace apps get at most 15 messages per conversations.history
AMBIGUOUS_RETRIES = 3  # sends of a marked post after failures that leave open if Slack kept it
# Where find_post starts after an ambiguous failure when the marker carries no claim time:
# enough for a channel (newest first); a thread is listed oldest first, hence `marker_time`.
_ANY_TIME = datetime(1970, 1, 1, tzinfo=UTC)


class SlackPort:
    """ChatPort over AsyncWebClient; `bot_user_id`/`bot_id` come from auth.test at start."""

    platform = Platform.SLACK

    def __init__(
        self, client: AsyncWebClient, pacer: Pacer, metrics: Metrics | None = None
    ) -> None:
        self.client = client
        self.pacer = pacer
        self.metrics = metrics
        self.bot_user_id: str | None = None
        self.bot_id: str | None = None
        self.scopes: frozenset[str] | None = None  # granted at install; None: not known
        self._dm_channels: dict[tuple[str, str], str] = {}
        self._single: tuple[object, AsyncWebClient] | None = None

    @property
    def can_read_files(self) -> bool:
        """Whether forms may offer a file input (Slack requires `files:read` for it)."""
        return self.scopes is None or "files:read" in self.scopes

    # --- ChatPort ---------------------------------------------------------------------------

    async def post(
        self, channel: ChannelRef, message: Message, *, thread: ThreadRef | None = None
    ) -> MessageRef:
        thread_ts = thread.id if thread is not None else None
        if message.image is not None:
            await self._upload(channel.id, thread_ts, message)
        await self.pacer.wait(channel.id)
        payload: dict[str, Any] = dict(
            channel=channel.id,
            thread_ts=thread_ts,
            metadata=post_metadata(message),
            unfurl_links=False,
            unfurl_media=False,
            **message_payload(message, image_note=False),
        )
        if message.marker:
            ts = await self._post_findable(channel, thread, message.marker, payload)
        else:
            ts = str((await _call(self.client.chat_postMessage(**payload)))["ts"])
        if self.metrics is not None:
            self.metrics.posts.labels(self.platform.value).inc()
        return MessageRef(channel, ts, thread)

    async def _post_findable(
        self, channel: ChannelRef, thread: ThreadRef | None, marker: str, payload: dict[str, Any]
    ) -> str:
        """Post once: after a 5xx, a dropped connection or a timeout, look before resending."""
        client = self._single_send_client()
        since = marker_time(marker) or _ANY_TIME
        for attempt in range(AMBIGUOUS_RETRIES + 1):
            try:
                return str((await _call(client.chat_postMessage(**payload)))["ts"])
            except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
                if isinstance(exc, SlackApiError) and exc.response.status_code < 500:
                    raise  # Slack said no: nothing was posted, nothing to look for
                if attempt == AMBIGUOUS_RETRIES:
                    raise
                found = await self.find_post(channel, marker, since, thread=thread)
                if found is not None:
                    log.info("post %s was kept by Slack despite %r; not sending it again",
                             marker, exc)
                    return found.id
        raise AssertionError("unreachable")  # pragma: no cover

    def _single_send_client(self) -> AsyncWebClient:
        """The client with only the rate-limit retry (same token, URL, session, timeout)."""
        client = self.client
        if self._single is None or self._single[0] is not client.session:
            single = AsyncWebClient(
                token=client.token,
                base_url=client.base_url,
                timeout=client.timeout,
                session=client.session,
                logger=client.logger,
                retry_handlers=[
                    h for h in client.retry_handlers
                    if isinstance(h, AsyncRateLimitErrorRetryHandler)
                ],
            )
            self._single = (client.session, single)
        return self._single[1]

    async def open_thread(self, parent: MessageRef, name: str) -> ThreadRef:
        # A Slack thread is the parent message's own reply chain: nothing to create.
        root = parent.thread.id if parent.thread is not None else parent.id
        return ThreadRef(parent.channel, root)

    async def send_dm(self, user: UserRef, message: Message) -> MessageRef:
        channel = await self._open([user], user.workspace.id)
        return await self.post(ChannelRef(user.workspace, channel), message)

    async def open_private_space(
        self, channel: ChannelRef, users: list[UserRef], name: str
    ) -> ThreadRef | ChannelRef:
        # A group DM (mpim) of the members and the bot; Slack gives it no name of its own.
        space = await self._open(users, channel.workspace.id)
        return ChannelRef(channel.workspace, space, name)

    async def send_private(self, channel: ChannelRef, user: UserRef, message: Message) -> None:
        try:
            await self.ephemeral(channel.id, user.id, message)
        except SlackApiError as exc:
            if slack_error(exc) not in _NOT_THERE:
                raise
            log.info("ephemeral to %s in %s failed; sending a DM", user.id, channel.id)
            await self.send_dm(user, message)

    async def update(self, ref: MessageRef, message: Message) -> None:
        await self.pacer.wait(ref.channel.id)
        await _call(
            self.client.chat_update(
                channel=ref.channel.id,
                ts=ref.id,
                metadata=post_metadata(message),
                **message_payload(message),
            )
        )

    async def delete(self, ref: MessageRef) -> None:
        await self.pacer.wait(ref.channel.id)
        try:
            await self.client.chat_delete(channel=ref.channel.id, ts=ref.id)
        except SlackApiError as exc:
            if slack_error(exc) == "message_not_found":
                return  # already gone: deleting is idempotent
            _raise_gone(exc)
            raise

    async def react(self, ref: MessageRef, emoji: str) -> None:
        try:
            await self.client.reactions_add(
                channel=ref.channel.id, timestamp=ref.id, name=emoji.strip(":")
            )
        except SlackApiError as exc:
            if slack_error(exc) == "already_reacted":
                return
            _raise_gone(exc)
            raise

    async def find_post(
        self, channel: ChannelRef, marker: str, since: datetime, *, thread: ThreadRef | None = None
    ) -> MessageRef | None:
        # conversations.history lists top-level messages only; replies need conversations.replies.
        window: dict[str, Any] = dict(
            channel=channel.id,
            oldest=f"{since.timestamp():.6f}",
            inclusive=True,
            include_all_metadata=True,
            limit=HISTORY_LIMIT,
        )
        if thread is None:
            response = await _call(self.client.conversations_history(**window))
        else:
            response = await _call(self.client.conversations_replies(ts=thread.id, **window))
        for posted in response.get("messages") or []:
            if self._is_mine(posted) and marker_of(posted) == marker:
                return MessageRef(channel, str(posted["ts"]), thread)
        return None

    async def find_dm(self, user: UserRef, marker: str, since: datetime) -> MessageRef | None:
        channel = await self._open([user], user.workspace.id)
        return await self.find_post(ChannelRef(user.workspace, channel), marker, since)

    # --- used by the reply renderer too ---------------------------------------------------

    async def ephemeral(
        self, channel_id: str, user_id: str, message: Message, thread_ts: str | None = None
    ) -> None:
        await self.pacer.wait(channel_id)
        await self.client.chat_postEphemeral(
            channel=channel_id, user=user_id, thread_ts=thread_ts, **message_payload(message)
        )

    # --- helpers -------------------------------------------------------------------------------

    def _is_mine(self, posted: dict[str, Any]) -> bool:
        return bool(
            (self.bot_user_id and posted.get("user") == self.bot_user_id)
            or (self.bot_id and posted.get("bot_id") == self.bot_id)
        )

    async def _open(self, users: list[UserRef], team_id: str) -> str:
        ids = sorted({u.id for u in users})
        key = (team_id, ",".join(ids))
        if key not in self._dm_channels:
            response = await _call(self.client.conversations_open(users=ids))
            self._dm_channels[key] = str(response["channel"]["id"])
        return self._dm_channels[key]

    async def _upload(self, channel_id: str, thread_ts: str | None, message: Message) -> None:
        image = message.image
        assert image is not None
        await self.pacer.wait(channel_id)
        await _call(
            self.client.files_upload_v2(
                channel=channel_id,
                thread_ts=thread_ts,
                file=image.data,
                filename=image.filename,
                title=image.alt[:250] or image.filename,
                alt_txt=image.alt[:1000],
            )
        )


async def _call(request: Awaitable[AsyncSlackResponse]) -> AsyncSlackResponse:
    try:
        return await request
    except SlackApiError as exc:
        _raise_gone(exc)
        raise


def _raise_gone(exc: SlackApiError) -> None:
    error = slack_error(exc)
    if error in GONE:
        raise ChannelGone(str(error)) from exc
