"""The references `bench.py` measures `classify()` against, on the same facts.

`hand_written` is the definition of 協働 and the 早わかり問答 事例1–6 (15 rules)
written straight in Python: what a programmer would write without a
rulebase, sources, open questions or a what-if. `ZEN_DECISION` is the same
rules as one GoRules zen-engine decision table (collect hit policy), for the
optional zen-engine row. Both read a fact that was not given as "does not
hold", like the definite reading of the rules.
"""

from __future__ import annotations

import json
from typing import Any

#: category precedence of the not-協働 rules below (policy.yaml's order)
_RANK = {
    c: n
    for n, c in enumerate(
        (
            "outsourcing",
            "operating_subsidy",
            "volunteer_labour",
            "city_led_request",
            "designated_manager",
            "citizen_only",
            "not_equal",
            "no_shared_purpose",
            "no_role_sharing",
            "single_actor",
        )
    )
}


def hand_written(f: dict[str, Any]) -> tuple[str, str | None]:
    """Verdict and category from the 15 rules, exceptions (事例3, 事例4) included."""
    get = f.get
    actors = get("actors")
    funding = get("funding") or ()
    against: list[str] = []
    in_favour = False
    if (
        get("equal_footing") is True
        and get("shared_purpose") is True
        and get("roles_shared") is True
        and actors is not None
        and len(actors) >= 2
    ):
        in_favour = True
    if get("equal_footing") is False or get("city_supervises") is True:
        against.append("not_equal")
    if get("shared_purpose") is False:
        against.append("no_shared_purpose")
    if get("roles_shared") is False or get("partner_contribution") == "none":
        against.append("no_role_sharing")
    if actors is not None and len(actors) <= 1:
        against.append("single_actor")
    if get("spec_author") == "city" and get("city_supervises") is True:
        against.append("outsourcing")
    if get("activity") == "routine_service" and (
        get("scheme") == "contract" or "contract_fee" in funding
    ):
        against.append("outsourcing")
    if "operating_subsidy" in funding:
        against.append("operating_subsidy")
    if "project_subsidy" in funding and get("benefit") == "public":
        in_favour = True
    city_labour = get("planner") == "city" and get("partner_contribution") == "labour_only"
    if city_labour:
        if get("prior_consultation") is True:
            in_favour = True  # 事例3's exception sets the volunteer-labour rule aside
        else:
            against.append("volunteer_labour")
    request = get("activity") == "facility_management" and get("planner") == "city"
    if request and "none" in funding:
        if get("prior_consultation") is True:
            in_favour = True  # 事例4's exception
        else:
            against.append("city_led_request")
    if get("scheme") == "designated_manager":
        against.append("designated_manager")
    if get("benefit") == "private":
        against.append("citizen_only")
    if against:
        return "not_kyodo", min(against, key=_RANK.__getitem__)
    return ("kyodo" if in_favour else "undetermined"), None


_COLUMNS = {
    "eq": "equal_footing",
    "sp": "shared_purpose",
    "rs": "roles_shared",
    "na": "len(actors ?? [])",
    "ka": "actors != null",
    "cs": "city_supervises",
    "pc": "partner_contribution",
    "sa": "spec_author",
    "ac": "activity",
    "sc": "scheme",
    "fc": "contains(funding ?? [], 'contract_fee')",
    "fo": "contains(funding ?? [], 'operating_subsidy')",
    "fp": "contains(funding ?? [], 'project_subsidy')",
    "fn": "contains(funding ?? [], 'none')",
    "be": "benefit",
    "pl": "planner",
    "pr": "prior_consultation",
}
_ROWS: list[tuple[str, str, dict[str, str]]] = [
    ("definition-met", "kyodo", {"eq": "true", "sp": "true", "rs": "true", "na": ">= 2"}),
    ("definition-a-not-equal", "not_equal", {"eq": "false"}),
    ("definition-a-not-equal", "not_equal", {"cs": "true"}),
    ("definition-i-no-shared-purpose", "no_shared_purpose", {"sp": "false"}),
    ("definition-u-no-role-sharing", "no_role_sharing", {"rs": "false"}),
    ("definition-u-no-role-sharing", "no_role_sharing", {"pc": '"none"'}),
    ("definition-single-actor", "single_actor", {"ka": "true", "na": "<= 1"}),
    ("jirei1-outsourcing", "outsourcing", {"sa": '"city"', "cs": "true"}),
    ("jirei1-routine", "outsourcing", {"ac": '"routine_service"', "sc": '"contract"'}),
    ("jirei1-routine", "outsourcing", {"ac": '"routine_service"', "fc": "true"}),
    ("jirei2-operating-subsidy", "operating_subsidy", {"fo": "true"}),
    ("jirei2-project-subsidy", "kyodo", {"fp": "true", "be": '"public"'}),
    ("jirei3-volunteer-labour", "volunteer_labour", {"pl": '"city"', "pc": '"labour_only"'}),
    (
        "jirei3-prior-consultation",
        "kyodo",
        {"pl": '"city"', "pc": '"labour_only"', "pr": "true"},
    ),
    (
        "jirei4-city-led-request",
        "city_led_request",
        {"ac": '"facility_management"', "pl": '"city"', "fn": "true"},
    ),
    (
        "jirei4-commission",
        "kyodo",
        {"ac": '"facility_management"', "pl": '"city"', "fn": "true", "pr": "true"},
    ),
    ("jirei5-designated-manager", "designated_manager", {"sc": '"designated_manager"'}),
    ("jirei6-benefit-private", "citizen_only", {"be": '"private"'}),
]


def _decision() -> dict[str, Any]:
    table = {
        "hitPolicy": "collect",
        "inputs": [{"id": k, "name": k, "field": v} for k, v in _COLUMNS.items()],
        "outputs": [
            {"id": "rule", "name": "rule", "field": "rule"},
            {"id": "gives", "name": "gives", "field": "gives"},
        ],
        "rules": [
            {
                "_id": f"r{n}",
                **{k: cells.get(k, "") for k in _COLUMNS},
                "rule": json.dumps(rule),
                "gives": json.dumps(gives),
            }
            for n, (rule, gives, cells) in enumerate(_ROWS)
        ],
    }
    at = {"x": 0, "y": 0}
    return {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "facts", "position": at},
            {
                "id": "t",
                "type": "decisionTableNode",
                "name": "rules",
                "position": at,
                "content": table,
            },
            {"id": "out", "type": "outputNode", "name": "fired", "position": at},
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "t", "type": "edge"},
            {"id": "e2", "sourceId": "t", "targetId": "out", "type": "edge"},
        ],
    }


ZEN_DECISION = json.dumps(_decision())


def zen_decision() -> Any | None:
    """The compiled zen-engine decision, or None when zen-engine is not installed."""
    try:
        import zen  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    return zen.ZenEngine().create_decision(ZEN_DECISION)
