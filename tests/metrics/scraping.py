"""Reading ``/metrics`` as Prometheus does: the text format, parsed by prometheus-client."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(http: httpx.AsyncClient, *, token: str | None = None) -> Samples:
    """Every sample of a scrape, by sample name (``..._total``, ``..._count``) and labels."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """A sample's value; 0 when the series does not exist yet (nothing counted)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def changes(before: Samples, after: Samples, names: set[str]) -> dict[tuple[str, ...], float]:
    """The series of ``names`` that moved between two scrapes, and by how much."""
    moved = {}
    for key, now in after.items():
        name, labels = key
        if name in names and now != before.get(key, 0.0):
            moved[(name, *sorted(f"{k}={v}" for k, v in labels))] = now - before.get(key, 0.0)
    return moved
