"""Prometheus metrics, one registry per App (no module-level state)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """Counters and histograms the dispatcher, scheduler and adapters update."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.events = Counter(
            "studybot_events_total", "Inbound events handled", ["platform", "kind", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "studybot_event_seconds", "Time to handle one inbound event", ["platform", "kind"],
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.posts = Counter(
            "studybot_posts_total", "Messages the bot posted on its own", ["platform"],
            registry=self.registry,
        )
        self.errors = Counter(
            "studybot_errors_total", "Errors by where they happened", ["where"],
            registry=self.registry,
        )
        self.jobs = Counter(
            "studybot_scheduled_runs_total", "Scheduled work run", ["job", "outcome"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
