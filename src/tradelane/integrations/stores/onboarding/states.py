"""Who may move a store variant's SKU proposal where (``core.states``)."""

from __future__ import annotations

from ..models import ProposalState

# who may move a proposal where (``core.states``); a re-import turns an unmatched or
# proposed row into the other when its data changed; accepted and rejected rows stay
TRANSITIONS = {
    ProposalState.UNMATCHED: {ProposalState.PROPOSED, ProposalState.ACCEPTED},
    ProposalState.PROPOSED: {
        ProposalState.ACCEPTED,
        ProposalState.REJECTED,
        ProposalState.UNMATCHED,
    },  # fmt: skip
    ProposalState.REJECTED: {ProposalState.PROPOSED},
    ProposalState.ACCEPTED: set(),
}
