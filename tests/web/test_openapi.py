"""The JSON API is described by /api/openapi.json, and Schemathesis finds no disagreement with it."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="session")
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


# One Hypothesis run per operation and generation mode (schemathesis.pytest.from_fixture needs
# pytest internals that pytest 9 removed, so the strategies are driven with @given directly).
# /healthz takes no parameters, so it has no invalid (negative) input.
POSITIVE, NEGATIVE = GenerationMode.POSITIVE, GenerationMode.NEGATIVE
OPERATIONS = [("/api/search", None, POSITIVE), ("/api/search", None, NEGATIVE),
              ("/api/practice/{slug}", None, POSITIVE), ("/api/practice/{slug}", None, NEGATIVE),
              ("/api/practice/{slug}", "real", POSITIVE), ("/api/practice/{slug}", "real", NEGATIVE),
              ("/healthz", None, POSITIVE)]


@pytest.mark.parametrize("path, slug, mode", OPERATIONS, ids=lambda v: str(v))
def test_api_conforms_to_its_description(api_schema, client, path, slug, mode):
    fixed = {}
    if slug == "real":  # most generated slugs are unknown (404): also fuzz the rest of a real practice's request
        fixed = {"path_parameters": {"slug": client.get("/api/search?per_page=1").get_json()["results"][0]["id"]}}
    strategy = api_schema[path]["GET"].as_strategy(generation_mode=mode, **fixed)
    statuses: list[int] = []

    @given(case=strategy)
    @settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        statuses.append(case.call_and_validate(checks=CHECKS).status_code)

    run()
    assert statuses  # the run made requests


def test_description_is_served_and_names_every_operation(client):
    resp = client.get("/api/openapi.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    doc = resp.get_json()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {"/api/search", "/api/practice/{slug}", "/healthz"}
    params = {p["name"] for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert params == {"q", "region", "large_area", "theme", "axis", "objective", "target_group", "period", "lang",
                      "page", "per_page", "sort", "ui"}
    example = doc["paths"]["/api/practice/{slug}"]["get"]["parameters"][0]["example"]
    assert client.get(f"/api/practice/{example}").status_code == 200


@pytest.mark.parametrize("url, component", [
    ("/api/search?q=uravalmennus&region=Pohjois-Karjala&region=Atlantis", "SearchResponse"),
    ("/api/search?q=maahanmuutajat", "SearchResponse"),  # a typo: corrected / suggestion filled in
    ("/api/search?q=nuoret&region=Uusimaa", "SearchResponse"),  # no results: relaxations filled in
    ("/api/practice/nuorten-uravalmennus?lang=sv", "Practice"),
    ("/healthz", "Health"),
])
def test_real_responses_have_exactly_the_described_fields(client, url, component):
    """A clear message when the API and its description drift apart (Schemathesis says the same, verbosely)."""
    doc = client.get("/api/openapi.json").get_json()
    described = doc["components"]["schemas"][component]["properties"]
    actual = client.get(url).get_json()
    assert set(actual) == set(described), "update app/openapi.py to match the API"
    if component == "SearchResponse" and actual["results"]:
        assert set(actual["results"][0]) == set(doc["components"]["schemas"]["Result"]["properties"])
