"""Shopify's published cost rule for a GraphQL Admin API document, computed without the schema.

The rule (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits, "Cost
calculation"; the single-query limit: https://shopify.dev/docs/api/usage/limits):

- a scalar or enum field costs 0, an object 1;
- a connection costs 2 plus ``first`` (or ``last``) times the cost of one of its items;
- a mutation costs 10;
- a single query may request at most ``MAX_QUERY_COST`` (1,000) points; above that Shopify
  refuses it with ``MAX_COST_EXCEEDED`` before running it.

Without the schema the shape of a document says which is which: a field with a sub-selection
is an object, one without is a scalar, one with a ``first``/``last`` argument is a connection
whose item is its ``nodes`` (or ``edges { node }``) selection, or the field's own selection
for a plain list. ``pageInfo``, ``edges`` and ``cursor`` inside a connection are part of its 2.
An interface or union selection (inline fragments) costs the most expensive of its fragments.

``requested_cost`` is what Shopify charges up front (``requestedQueryCost``);
``actual_cost`` counts the items a response really holds (``actualQueryCost``): the bucket is
refunded the difference.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from graphql import parse
from graphql.language import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
)
from graphql.utilities import value_from_ast_untyped

MAX_QUERY_COST = 1000
MUTATION_COST = 10
CONNECTION_COST = 2
OBJECT_COST = 1
_CONNECTION_PARTS = {"pageInfo", "edges", "nodes", "cursor", "__typename"}


class CostError(ValueError):
    """The document does not parse, or names no operation to cost."""


@lru_cache(maxsize=256)
def parse_document(document: str) -> DocumentNode:
    try:
        return parse(document, no_location=True)
    except Exception as exc:  # graphql.GraphQLError: a syntax error
        raise CostError(str(exc)) from None


def operation_of(doc: DocumentNode, name: str | None = None) -> OperationDefinitionNode:
    ops = [d for d in doc.definitions if isinstance(d, OperationDefinitionNode)]
    if name:
        ops = [op for op in ops if op.name and op.name.value == name]
    if len(ops) != 1:
        raise CostError("the document must hold exactly one operation (or name one)")
    return ops[0]


class _Walker:
    def __init__(self, doc: DocumentNode, op: OperationDefinitionNode, variables: dict):
        self.fragments = {
            d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.variables = dict(variables or {})
        for definition in op.variable_definitions or ():
            name = definition.variable.name.value
            if self.variables.get(name) is None and definition.default_value is not None:
                self.variables[name] = value_from_ast_untyped(definition.default_value)

    def argument(self, field: FieldNode, name: str) -> Any:
        for arg in field.arguments or ():
            if arg.name.value == name:
                if isinstance(arg.value, VariableNode):
                    return self.variables.get(arg.value.name.value)
                return value_from_ast_untyped(arg.value, self.variables)
        return None

    def fields(self, selection_set: SelectionSetNode | None) -> tuple[list, list]:
        """(fields, fragment selection sets) directly under a selection set."""
        fields, fragments = [], []
        for sel in (selection_set.selections if selection_set else ()) or ():
            if isinstance(sel, FieldNode):
                fields.append(sel)
            elif isinstance(sel, InlineFragmentNode):
                fragments.append(sel.selection_set)
            elif isinstance(sel, FragmentSpreadNode) and sel.name.value in self.fragments:
                fragments.append(self.fragments[sel.name.value].selection_set)
        return fields, fragments

    # --- the cost of a selection over optional data ------------------------------------------

    def selection(self, selection_set: SelectionSetNode | None, data: Any = None) -> int:
        fields, fragments = self.fields(selection_set)
        total = 0
        for field in fields:
            key = field.alias.value if field.alias else field.name.value
            value = data.get(key) if isinstance(data, dict) else None
            total += self.field(field, value, data is not None)
        if fragments:
            total += max(self.selection(f, data) for f in fragments)
        return total

    def field(self, field: FieldNode, value: Any, actual: bool) -> int:
        if field.selection_set is None:
            return 0  # scalar or enum
        first = self.argument(field, "first")
        last = self.argument(field, "last")
        if first is None and last is None:  # an object (or a list of objects without a size)
            if actual and value is None:
                return 0
            if actual and isinstance(value, list):
                return sum(OBJECT_COST + self.selection(field.selection_set, v) for v in value)
            return OBJECT_COST + self.selection(field.selection_set, value if actual else None)
        size = max(int(first or 0), int(last or 0))
        return CONNECTION_COST + self.connection_items(field.selection_set, size, value, actual)

    def connection_items(self, selection_set, size: int, value: Any, actual: bool) -> int:
        fields, _ = self.fields(selection_set)
        names = {f.name.value for f in fields}
        if not names & {"nodes", "edges"}:  # a plain list with ``first``: items are the fields
            if not actual:
                return size * (OBJECT_COST + self.selection(selection_set))
            items = value if isinstance(value, list) else []
            return sum(OBJECT_COST + self.selection(selection_set, v) for v in items)
        best = 0
        for f in fields:
            if f.name.value == "nodes":
                item_set = f.selection_set
                items = (value or {}).get("nodes") if actual else None
                unwrap = False
            elif f.name.value == "edges":
                inner, _ = self.fields(f.selection_set)
                node = next((n for n in inner if n.name.value == "node"), None)
                if node is None:
                    continue
                item_set = node.selection_set
                items = (value or {}).get("edges") if actual else None
                unwrap = True
            else:
                continue
            if not actual:
                best = max(best, size * (OBJECT_COST + self.selection(item_set)))
                continue
            cost = 0
            for item in items or []:
                node_data = (item or {}).get("node") if unwrap else item
                cost += OBJECT_COST + self.selection(item_set, node_data or {})
            best = max(best, cost)
        return best


def requested_cost(document: str, variables: dict | None = None, name: str | None = None) -> int:
    """``requestedQueryCost`` of the operation (mutations: 10 per top-level mutation field)."""
    doc = parse_document(document)
    op = operation_of(doc, name)
    if op.operation == OperationType.MUTATION:
        fields, _ = _Walker(doc, op, variables or {}).fields(op.selection_set)
        return MUTATION_COST * max(1, len(fields))
    return _Walker(doc, op, variables or {}).selection(op.selection_set)


def actual_cost(
    document: str, variables: dict | None, data: dict | None, name: str | None = None
) -> int:
    """``actualQueryCost``: connections charged for the items returned, not asked for."""
    doc = parse_document(document)
    op = operation_of(doc, name)
    if op.operation == OperationType.MUTATION:
        return requested_cost(document, variables, name)
    return _Walker(doc, op, variables or {}).selection(op.selection_set, data or {})
