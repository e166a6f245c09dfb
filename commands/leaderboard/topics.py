"""Topics a board can be filtered by: the plan's topics plus those of the workspace's packs."""

from __future__ import annotations

from bot.core.context import Services
from bot.core.errors import UserError
from bot.packs.schema import TOPICS


def known_topics(services: Services, workspace_id: int | None) -> dict[str, str]:
    """Topic id -> label, for the topics this workspace can earn points in."""
    found = dict(TOPICS)
    for question in services.packs.questions(workspace_id):
        found.setdefault(question.topic, question.topic.replace("_", " ").capitalize())
    return found


def check_topic(services: Services, workspace_id: int, raw: str | None) -> str | None:
    """A known topic id from what a member typed (id or label, any case), or a clear error."""
    if raw is None or not str(raw).strip():
        return None
    topics = known_topics(services, workspace_id)
    wanted = str(raw).strip().lower()
    slug = "_".join(wanted.replace("-", " ").split())
    for topic, label in topics.items():
        if slug == topic or wanted == label.lower():
            return topic
    raise UserError(
        f"I don't know the topic `{raw}`. Topics: {', '.join(sorted(topics))}."
    )


def topic_label(services: Services, workspace_id: int, topic: str) -> str:
    return known_topics(services, workspace_id).get(topic, topic)


async def suggest_topics(services: Services, prefix: str, _workspace: str) -> list[str]:
    prefix = prefix.lower()
    return [t for t in sorted(known_topics(services, None)) if prefix in t]
