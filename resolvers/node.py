"""Relay global IDs (`base64("Customer:42")`) and the `Node` interface."""

import base64
import binascii

import strawberry

from resolvers.engine.errors import ClientError


@strawberry.interface(description="An object with a global ID, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(base64.b64encode(f"{type_name}:{pk}".encode()).decode())


def from_global_id(global_id: str) -> tuple[str, int]:
    """(type name, primary key); a malformed ID is a client error."""
    try:
        type_name, _, raw_pk = base64.b64decode(global_id, validate=True).decode().partition(":")
        return type_name, int(raw_pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ClientError(f"`{global_id}` is not a valid ID.", code="INVALID_ID") from None


def pk_of(global_id: str, type_name: str) -> int:
    """The primary key behind an ID that must name a `type_name`."""
    found_type, pk = from_global_id(global_id)
    if found_type != type_name:
        raise ClientError(f"`{global_id}` is not the ID of a {type_name}.", code="INVALID_ID")
    return pk
