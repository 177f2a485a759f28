"""A cost limit for GraphQL documents, checked before any resolver runs.

Depth and alias limits do not bound fan-out: ``accounts(limit: 500)`` under ``descendants``
under 30 aliases stays shallow and still asks for millions of objects. Every selected field
costs 1, multiplied by the size of each list it sits in: a ``limit`` argument when it is a
literal, else an assumed size for the list field. A document whose total exceeds the limit
is refused whole, naming the limit.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)

# Lists whose size the document does not fix, with the size assumed for them.
LIST_SIZES = {
    "organisations": 100,
    "subOrganisations": 20,
    "descendants": 100,
    "ancestors": 10,
    "oauthProviders": 50,
    "items": 1,  # sized by the page's `limit`, counted on the paged field itself
}
PAGED_FIELDS = {"accounts", "systems"}
DEFAULT_PAGE = 20
VARIABLE_PAGE = 500  # a limit given by a variable is counted at the largest page allowed


def _page_size(field: FieldNode) -> int:
    for argument in field.arguments or ():
        if argument.name.value == "limit":
            if isinstance(argument.value, IntValueNode):
                return max(1, int(argument.value.value))
            return VARIABLE_PAGE
    return DEFAULT_PAGE


def _multiplier(field: FieldNode) -> int:
    name = field.name.value
    if name in PAGED_FIELDS:
        return _page_size(field)
    return LIST_SIZES.get(name, 1)


def selection_cost(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            inner = selection_cost(selection.selection_set, fragments, seen)
            total += _multiplier(selection) * (1 + inner)
        elif isinstance(selection, InlineFragmentNode):
            total += selection_cost(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                total += selection_cost(fragments[name].selection_set, fragments, seen | {name})
    return total


def cost_limit_rule(max_cost: int) -> type[ValidationRule]:
    class CostLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            fragments = {
                definition.name.value: definition
                for definition in document.definitions
                if isinstance(definition, FragmentDefinitionNode)
            }
            for definition in document.definitions:
                if not isinstance(definition, OperationDefinitionNode):
                    continue
                cost = selection_cost(definition.selection_set, fragments)
                if cost > max_cost:
                    context.report_error(
                        GraphQLError(
                            f"The query's cost {cost} exceeds the maximum cost {max_cost}",
                            nodes=[definition],
                        )
                    )

        def enter(self, *_: Any) -> None:
            return None

    return CostLimit
