"""A file a member gave in a modal's file input: checked, then downloaded with the bot token.

A view_submission carries each file of a `file_input` as a Slack file object (`name`, `size`,
`url_private_download`, ...). Downloading it takes the bot token in an `Authorization: Bearer`
header and the `files:read` scope; without them Slack answers 200 with its HTML sign-in page,
so an HTML answer is a failure, never the file. A file the core would refuse anyway (not a text
file, over the packs' 1 MB) is refused from its name and size without downloading it. The token
goes only to Slack's own hosts over HTTPS, or to the host of the configured API URL (a test's
fake Slack, a proxy), and no more than the limit is read whatever the size claimed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.errors import UserError
from bot.core.uploads import MAX_UPLOAD_BYTES, clean_name, refusal, too_big

log = logging.getLogger(__name__)

CHUNK = 64 * 1024


async def download(client: AsyncWebClient, file: dict[str, Any]) -> tuple[bytes, str]:
    """The file's bytes and its name; UserError (a polite refusal) when it cannot be had."""
    name = str(file.get("name") or file.get("title") or "upload")
    try:
        size = int(file.get("size") or 0)
    except (TypeError, ValueError):
        size = 0
    problem = refusal(name, size)
    if problem is not None:
        raise UserError(problem)
    url = str(file.get("url_private_download") or file.get("url_private") or "")
    failed = UserError(
        f"I could not download `{clean_name(name)}` from Slack; please try again. "
        "Nothing was imported."
    )
    if not trusted(url, client.base_url):
        log.warning("not sending the bot token to %r (file %s)", url, file.get("id"))
        raise failed
    headers = {"Authorization": f"Bearer {client.token}"}
    try:
        async with asyncio.timeout(client.timeout):
            if client.session is not None:
                data = await _fetch(client.session, url, headers, name)
            else:
                async with aiohttp.ClientSession() as session:
                    data = await _fetch(session, url, headers, name)
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("downloading Slack file %s failed: %r", file.get("id"), exc)
        raise failed from exc
    if data is None:
        raise failed
    return data, name


async def _fetch(
    session: aiohttp.ClientSession, url: str, headers: dict[str, str], name: str
) -> bytes | None:
    async with session.get(url, headers=headers) as response:
        if response.status != 200 or response.content_type == "text/html":
            # text/html is Slack's sign-in page: the token or the files:read scope is missing.
            log.warning("Slack file download answered %s (%s)", response.status,
                        response.content_type)
            return None
        data = bytearray()
        async for chunk in response.content.iter_chunked(CHUNK):
            data += chunk
            if len(data) > MAX_UPLOAD_BYTES:
                # The size in the payload was wrong: stop reading, refuse like a big file.
                raise UserError(too_big(name))
        return bytes(data)


def trusted(url: str, api_url: str) -> bool:
    """May the bot token go to `url`? Slack's hosts over HTTPS, or the configured API host."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and (host == "slack.com" or host.endswith(".slack.com")):
        return True
    api = urlsplit(api_url)
    return bool(host) and (parts.scheme, parts.netloc.lower()) == (api.scheme, api.netloc.lower())
