"""A bill line's audit: open, then accepted, disputed or written off; a dispute ends accepted
(at their charge or an agreed amount) or written off."""

from .models import LineStatus as S

LINE_TRANSITIONS = {
    S.OPEN: {S.ACCEPTED, S.DISPUTED, S.WRITTEN_OFF},
    S.DISPUTED: {S.ACCEPTED, S.WRITTEN_OFF},
    S.ACCEPTED: set(),
    S.WRITTEN_OFF: set(),
}
