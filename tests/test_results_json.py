"""Recommendations as JSON: one envelope from the model, to_json() and the CLI, matching the
published schema, with tidy numbers."""

from __future__ import annotations

import json
import math

import jsonschema
import pytest

import novelty
from novelty.results import PLACES, Recommendations, recommendations_schema

from .conftest import EXAMPLE_PROFILE, FRIDAY_EVENING, ROOT
from .test_cli import ideas

SCHEMA_FILE = ROOT / "docs" / "schema" / "recommendations.json"


@pytest.fixture(scope="module")
def recs() -> Recommendations:
    return novelty.recommend(novelty.load_profile(EXAMPLE_PROFILE), now=FRIDAY_EVENING)


def test_the_model_to_json_and_the_cli_print_the_same_envelope(recs: Recommendations) -> None:
    dumped = json.loads(json.dumps(recs.model_dump(mode="json")))
    assert list(dumped) == ["window", "ideas", "problems", "generated_at"]
    assert json.loads(recs.to_json()) == dumped
    assert json.loads(recs.model_dump_json()) == dumped
    cli = ideas("--json")  # at the same moment, FRIDAY_EVENING
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout) == dumped


def test_real_output_matches_the_published_schema(recs: Recommendations) -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(recs.model_dump(mode="json"), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**recs.model_dump(mode="json"), "ideas": "none"}, schema)


def test_the_published_schema_is_the_generated_one() -> None:
    regenerate = (
        'python -c "import json, novelty.results as r; '
        'print(json.dumps(r.recommendations_schema(), indent=2, ensure_ascii=False))" '
        "> docs/schema/recommendations.json"
    )
    published = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert published == recommendations_schema(), f"out of date; regenerate with: {regenerate}"


def test_published_numbers_are_rounded_without_negative_zero_or_a_second_score(
    recs: Recommendations,
) -> None:
    for idea in recs.model_dump(mode="json")["ideas"]:
        assert "score" not in idea["components"]
        for value in [idea["score"], *idea["components"].values()]:
            assert value == round(value, PLACES)
            assert math.copysign(1.0, value) > 0 or value < 0
    # The Python objects keep their full precision for apps that compute with them.
    assert "score" in recs[0].components


def test_negative_zero_and_float32_noise_are_cleaned(recs: Recommendations) -> None:
    noisy = recs[0].model_copy(
        update={"score": 0.6800000071525574, "components": {"a": -1e-9, "b": 0.123456789}}
    )
    tidy = recs.model_copy(update={"ideas": (noisy,)}).model_dump(mode="json")["ideas"][0]
    assert tidy["score"] == 0.68
    assert tidy["components"] == {"a": 0.0, "b": 0.1235}
    assert str(tidy["components"]["a"]) == "0.0"


def test_a_slice_is_recommendations_and_the_list_behaviour_stays(recs: Recommendations) -> None:
    first_two = recs[0:2]
    assert isinstance(first_two, Recommendations)
    assert [r.rank for r in first_two] == [1, 2]
    assert first_two.window == recs.window
    assert first_two.generated_at == recs.generated_at
    assert len(recs) == 5
    assert recs[-1].rank == 5
    assert recs.index(recs[1]) == 1
    assert [r.rank for r in recs] == [1, 2, 3, 4, 5]
    assert len(recs.to_frame()) == 5
    assert recs.to_ics().startswith(b"BEGIN:VCALENDAR")


def test_the_envelope_validates_back_into_recommendations(recs: Recommendations) -> None:
    again = Recommendations.model_validate_json(recs.to_json())
    assert [r.activity.id for r in again] == [r.activity.id for r in recs]
    assert again.window == recs.window
    with pytest.raises(ValueError, match="ideas"):
        Recommendations.model_validate({**recs.model_dump(mode="json"), "ideas": 3})
