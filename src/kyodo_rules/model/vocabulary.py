"""The shared vocabulary: every code a `Case` or a `Result` may carry.

These names are a public contract (other programs, saved answer files and
acceptance cases are written in them), so they live in one place and every
other module derives its code lists from here instead of repeating them.
"""

from __future__ import annotations

from typing import Literal, get_args

Actor = Literal[
    "city", "citizen", "community_org", "civic_group", "business", "university", "cooperative"
]
Party = Literal["city", "partner", "joint"]
SpecAuthor = Literal["city", "partner", "joint", "none"]
Contribution = Literal["labour_only", "expertise", "none"]
Benefit = Literal["public", "mutual", "private"]
Activity = Literal[
    "private_interest",
    "fellowship",
    "promoting_values",
    "community_self_governance",
    "community_revitalisation",
    "issue_discovery",
    "local_event",
    "care_support",
    "safety_disaster_environment",
    "festival",
    "council_participation",
    "plan_making",
    "facility_management",
    "public_comment",
    "survey",
    "permits",
    "administrative_disposition",
    "public_authority",
    "routine_service",
    "awareness",
    "other",
]
Organizer = Literal["partner", "city", "joint", "committee"]
Funding = Literal[
    "none",
    "name_only",
    "cost_share",
    "operating_subsidy",
    "project_subsidy",
    "contract_fee",
    "facilities_or_goods",
]
Scheme = Literal["designated_manager", "contract", "agreement", "none"]
Period = Literal["one_off", "fixed_period", "ongoing"]
Motive = Literal["cost_reduction", "problem_solving", "service_quality", "kyodo_for_its_own_sake"]
Document = Literal["pre_confirmation_sheet", "agreement_document", "review_sheet"]
Stage = Literal["considering", "planning", "implementing", "reviewing"]

#: The languages every text a person reads exists in (`wording/` holds the words).
Lang = Literal["ja", "en"]

Verdict = Literal["kyodo", "not_kyodo", "undetermined"]
Category = Literal[
    "outsourcing",
    "operating_subsidy",
    "volunteer_labour",
    "city_led_request",
    "designated_manager",
    "subcontracting",
    "single_actor",
    "citizen_only",
    "government_only",
    "self_help_suffices",
    "not_equal",
    "no_shared_purpose",
    "no_role_sharing",
]
Zone = Literal[
    "citizen_independent",
    "citizen_led",
    "equal_partnership",
    "government_led",
    "government_independent",
]
Subsidiarity = Literal["self_help", "mutual_help", "public_help"]
FormCode = Literal[
    "information_exchange",
    "policy_participation",
    "co_hosting",
    "endorsement",
    "executive_committee",
    "commission",
    "subsidy",
    "public_property_use",
    "business_cooperation",
]
FlagCode = Literal[
    "cost_cutting_motive",
    "npo_as_free_labour",
    "city_fixed_spec",
    "marunage",
    "kyodo_as_goal",
    "no_responsible_department",
    "subsidy_dependency",
    "secretariat_dependency",
    "subcontractor_treatment",
    "missing_documents",
    "no_evaluation",
    "not_disclosed",
    "not_public_interest",
]

LANGS: tuple[Lang, ...] = get_args(Lang)
ACTORS: tuple[str, ...] = get_args(Actor)
ACTIVITIES: tuple[str, ...] = get_args(Activity)
FUNDINGS: tuple[str, ...] = get_args(Funding)
MOTIVES: tuple[str, ...] = get_args(Motive)
DOCUMENTS: tuple[Document, ...] = get_args(Document)
STAGES: tuple[str, ...] = get_args(Stage)
VERDICTS: tuple[str, ...] = get_args(Verdict)
CATEGORIES: tuple[str, ...] = get_args(Category)
ZONES: tuple[str, ...] = get_args(Zone)
SUBSIDIARITIES: tuple[str, ...] = get_args(Subsidiarity)
FORMS: tuple[str, ...] = get_args(FormCode)
FLAGS: tuple[str, ...] = get_args(FlagCode)

#: For every `Case` field that carries a fact: its kind and its allowed codes.
#: "bool" fields take true/false; "code" fields one code; "codes" fields a set of codes.
#: The order is the interview's declared order (wizard/questions.yaml, checked by a
#: test): it breaks ties between open questions and orders `missing_facts`.
FIELD_KINDS: dict[str, tuple[Literal["bool", "code", "codes"], tuple[object, ...]]] = {
    "self_solvable": ("bool", (True, False)),
    "community_solvable": ("bool", (True, False)),
    "actors": ("codes", ACTORS),
    "several_of_one_kind": ("bool", (True, False)),
    "spec_author": ("code", get_args(SpecAuthor)),
    "city_supervises": ("bool", (True, False)),
    "scheme": ("code", get_args(Scheme)),
    "funding": ("codes", FUNDINGS),
    "benefit": ("code", get_args(Benefit)),
    "planner": ("code", get_args(Party)),
    "prior_consultation": ("bool", (True, False)),
    "partner_contribution": ("code", get_args(Contribution)),
    "equal_footing": ("bool", (True, False)),
    "shared_purpose": ("bool", (True, False)),
    "roles_shared": ("bool", (True, False)),
    "activity": ("code", ACTIVITIES),
    "organizer": ("code", get_args(Organizer)),
    "hands_over_whole_project": ("bool", (True, False)),
    "commissioning_raises_cost": ("bool", (True, False)),
    "period": ("code", get_args(Period)),
    "motives": ("codes", MOTIVES),
    "partner_treated_as_free_labour": ("bool", (True, False)),
    "city_stays_out": ("bool", (True, False)),
    "responsible_department": ("bool", (True, False)),
    "partner_depends_on_subsidy": ("bool", (True, False)),
    "city_runs_partner_secretariat": ("bool", (True, False)),
    "stage": ("code", STAGES),
    "documents": ("codes", DOCUMENTS),
    "evaluation_planned": ("bool", (True, False)),
    "disclosed": ("bool", (True, False)),
}

FACT_FIELDS: tuple[str, ...] = tuple(FIELD_KINDS)


def parse_lang(value: object, field: str = "lang") -> Lang:
    """The one check of a language option, for every door (CLI, API, files, web).

    `field` names where the value came from (`lang`, `answers.json: lang`) so that
    the message points at what to fix.
    """
    for lang in LANGS:
        if value == lang:
            return lang
    from kyodo_rules.model.errors import InputError

    raise InputError(f"{field}: unknown language {value!r}; allowed: {', '.join(LANGS)}")
