"""Showing a handler's `Reply` to the member who acted, after the ack.

- a form: views.open with the interaction's trigger_id, at once (it expires after 3 seconds);
- an edit: chat.update of the pressed message (the response_url for an ephemeral one);
- a private message: the response_url as an ephemeral response, else chat.postEphemeral,
  else a DM (the Home tab has neither);
- a public message: chat.postMessage where the member acted (in the thread, if any).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from slack_sdk.errors import SlackApiError
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters.slack.client import slack_error
from bot.adapters.slack.inbound import Origin
from bot.adapters.slack.outbound import SlackPort
from bot.adapters.slack.render import form_view, home_view, message_payload
from bot.core.ids import ChannelRef, MessageRef, ThreadRef, UserRef, WorkspaceRef
from bot.core.ports import ChannelGone
from bot.core.ui import Form, Message, Reply

log = logging.getLogger(__name__)

TOO_SLOW = "That took too long to open; please try again."
NOT_INVITED = (
    # No backticks: code spans starting with / are rewritten to /studybot commands.
    "Only you can see this: I am not in this channel. Invite me with /invite @StudyBot "
    "to post here."
)


class Responder:
    """Renders replies through the port, the response_url and views.open / views.publish."""

    def __init__(self, port: SlackPort) -> None:
        self.port = port

    async def deliver(self, reply: Reply | None, origin: Origin, workspace: WorkspaceRef) -> None:
        if reply is None:
            return
        if reply.form is not None:
            await self._open_form(reply.form, origin, workspace)
            return
        message = reply.message
        if message is None:
            return
        if reply.edit and origin.channel and origin.message_ts:
            await self._edit(message, origin, workspace)
        elif reply.private:
            await self.private(message, origin, workspace)
        else:
            await self._public(message, origin, workspace)

    async def publish_home(self, user_id: str, reply: Reply | None) -> None:
        message = reply.message if reply is not None else None
        await self.port.client.views_publish(user_id=user_id, view=home_view(message))

    async def private(self, message: Message, origin: Origin, workspace: WorkspaceRef) -> None:
        if origin.response_url and await self._respond(origin.response_url, message):
            return
        if origin.channel:
            user = UserRef(workspace, origin.user_id)
            try:
                await self.port.ephemeral(origin.channel, origin.user_id, message, origin.thread_ts)
                return
            except SlackApiError as exc:
                log.info("ephemeral reply failed (%s); sending a DM", slack_error(exc))
            await self.port.send_dm(user, message)
            return
        await self.port.send_dm(UserRef(workspace, origin.user_id), message)

    async def _public(self, message: Message, origin: Origin, workspace: WorkspaceRef) -> None:
        if not origin.channel:
            await self.port.send_dm(UserRef(workspace, origin.user_id), message)
            return
        channel = ChannelRef(workspace, origin.channel)
        thread = ThreadRef(channel, origin.thread_ts) if origin.thread_ts else None
        try:
            await self.port.post(channel, message, thread=thread)
        except ChannelGone:
            # Slash commands work in channels the bot was never invited to; posting does not.
            await self.private(replace(message, footer=NOT_INVITED), origin, workspace)

    async def _edit(self, message: Message, origin: Origin, workspace: WorkspaceRef) -> None:
        assert origin.channel and origin.message_ts
        if origin.message_ephemeral:
            # An ephemeral message has no ts that chat.update accepts; its response_url can.
            if origin.response_url and await self._respond(
                origin.response_url, message, replace_original=True
            ):
                return
            await self.private(message, origin, workspace)
            return
        channel = ChannelRef(workspace, origin.channel)
        await self.port.update(MessageRef(channel, origin.message_ts), message)

    async def _open_form(self, form: Form, origin: Origin, workspace: WorkspaceRef) -> None:
        if not origin.trigger_id:
            log.warning("form %s returned for an event without a trigger_id", form.form_id)
            return
        try:
            await self.port.client.views_open(
                trigger_id=origin.trigger_id,
                view=form_view(form, origin.for_form(form), uploads=self.port.can_read_files),
            )
        except SlackApiError as exc:
            if slack_error(exc) not in ("expired_trigger_id", "invalid_trigger_id"):
                raise
            log.warning("views.open too late for form %s", form.form_id)
            await self.private(Message(text=TOO_SLOW), origin, workspace)

    async def _respond(
        self, url: str, message: Message, *, replace_original: bool = False
    ) -> bool:
        client = self.port.client
        webhook = AsyncWebhookClient(
            url, session=client.session, retry_handlers=list(client.retry_handlers)
        )
        payload = message_payload(message)
        response = await webhook.send(
            text=payload["text"],
            blocks=payload["blocks"],
            response_type="ephemeral",
            replace_original=replace_original,
        )
        if response.status_code != 200:
            log.warning("response_url answered %s: %s", response.status_code, response.body)
            return False
        return True
