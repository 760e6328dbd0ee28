"""The cross-field rules of the client, shared by intake and changes."""

from __future__ import annotations

import pytest

from models.enums import Gender
from service.cases.client_rules import client_rule_errors


@pytest.mark.parametrize("gender", [*Gender, None])
@pytest.mark.parametrize("pregnant", [True, False])
def test_only_a_pregnant_male_client_breaks_a_rule(gender, pregnant) -> None:
    errors = client_rule_errors(gender=gender, pregnant=pregnant)
    if pregnant and gender is Gender.male:
        # What intake has always answered: the pointer and the code.
        assert [(e["pointer"], e["type"]) for e in errors] == [("/client/pregnant", "consistency")]
    else:
        assert errors == []
