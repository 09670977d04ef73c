"""Who is acting: the user behind a use case, or the system (scheduler, CLI)."""
from __future__ import annotations

from dataclasses import dataclass

from .roles import ADMIN, AGENCY_ROLES, CENTRAL, EVALUATOR


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    agency_id: int | None
    roles: frozenset[str]
    #: a department evaluator's department and every unit below it (the organisation tree)
    oversees: frozenset[int] = frozenset()

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(user_id=None, username=name, agency_id=None, roles=frozenset({ADMIN}))

    @classmethod
    def from_user(cls, user, oversees: frozenset[int] = frozenset()) -> Actor:
        return cls(user.id, user.username, user.agency_id, frozenset(user.roles), oversees)

    def has(self, role: str) -> bool:
        return role in self.roles

    @property
    def sees_all_agencies(self) -> bool:
        return bool(self.roles & {CENTRAL, ADMIN})

    @property
    def evaluates_units(self) -> bool:
        """A department evaluator (not the central office): sees and scores its subtree only."""
        return EVALUATOR in self.roles and not self.sees_all_agencies

    def can_see_agency(self, agency_id: int | None) -> bool:
        return self.sees_all_agencies or (agency_id is not None and (
            agency_id == self.agency_id or agency_id in self.oversees))

    def can_do(self, role: str, agency_id: int | None) -> bool:
        """May this actor work on a task of ``role`` belonging to ``agency_id``?"""
        if role not in self.roles and ADMIN not in self.roles:
            return False
        if role in AGENCY_ROLES:
            return agency_id is not None and agency_id == self.agency_id
        if role == EVALUATOR:
            return ADMIN in self.roles or (agency_id is not None and agency_id in self.oversees)
        return True


def require(actor: Actor, *roles: str, what: str = "do this") -> None:
    """Refuse (Forbidden) unless the actor has one of ``roles``; administrators always may."""
    from .errors import Forbidden

    if not (set(roles) | {ADMIN}) & actor.roles:
        raise Forbidden(f"only {' or '.join(roles) or 'administrators'} may {what}")
