"""The figure codes, as names: `F.GRIDS_VISIT_RATE` is "grids.visit_rate", the key path of the
figure in metrics.summary() (dots between levels) and the code a target names.

Every module that speaks of a figure says it by these names: its definition
(metric_definitions.FIGURES), its label (`figure.<code>` in dashboard/i18n/labels.toml), the
codes a target may name (contract.METRIC_CODES), the key figures (kpis.KPIS). The values are
plain strings (DuckDB parameters, dict keys and JSON see no difference). Standard library only.
"""

from __future__ import annotations


class F:
    """Figure codes. A code holding `{kind}` stands for one figure per training kind,
    `{code}` for one per border-defence indicator (metric_definitions.expand())."""

    BRANCHES_TOTAL = "branches.total"
    BRANCHES_COMPLIANT = "branches.compliant"
    BRANCHES_COMPLIANCE_RATE = "branches.compliance_rate"
    BRANCHES_MODEL = "branches.model"
    BRANCHES_LINK_COVERAGE_RATE = "branches.link_coverage_rate"

    GRIDS_TOTAL = "grids.total"
    GRIDS_STAFFED = "grids.staffed"
    GRIDS_STAFFED_RATE = "grids.staffed_rate"
    GRIDS_HOUSEHOLDS = "grids.households"
    GRIDS_HOUSEHOLDS_VISITED = "grids.households_visited"
    GRIDS_VISIT_RATE = "grids.visit_rate"
    GRIDS_REPORTING_RATE = "grids.reporting_rate"

    MEMBERS_REPORTED = "members.reported"
    MEMBERS_ASSIGNED = "members.assigned"
    MEMBERS_HOUSEHOLDS_LINKED = "members.households_linked"

    CHECKPOINTS_TOTAL = "checkpoints.total"
    CHECKPOINTS_SLOTS = "checkpoints.slots"
    CHECKPOINTS_STAFFED_SLOTS = "checkpoints.staffed_slots"
    CHECKPOINTS_COVERAGE_RATE = "checkpoints.coverage_rate"
    CHECKPOINTS_STAFF_HOURS = "checkpoints.staff_hours"
    CHECKPOINTS_PARTY_SHARE = "checkpoints.party_share"
    CHECKPOINTS_PERSONS_CHECKED = "checkpoints.persons_checked"

    TRAINING_SESSIONS = "training.sessions"
    TRAINING_ATTENDEES = "training.attendees"
    TRAINING_DISTINCT_MEMBERS = "training.distinct_members"
    TRAINING_KIND_SESSIONS = "training.{kind}.sessions"
    TRAINING_KIND_ATTENDEES = "training.{kind}.attendees"

    INDICATOR = "indicators.{code}"


def label_key(code: str) -> str:
    """The label of figure `code` in dashboard/i18n/labels.toml: `figure.<code>`."""
    return f"figure.{code}"
