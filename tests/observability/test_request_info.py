"""Request ids the service makes: random version-4 UUIDs as hex, never repeated, not
even by a forked worker that inherited the parent's pool of random bytes."""

from __future__ import annotations

import os
import uuid

from service.observability.request_info import accept_request_id


def test_a_fresh_id_is_a_version_4_uuid_in_hex() -> None:
    ids = [accept_request_id(None) for _ in range(1000)]  # crosses a refill of the pool
    for made in ids:
        parsed = uuid.UUID(hex=made)
        assert (parsed.hex, parsed.version, parsed.variant) == (made, 4, uuid.RFC_4122)
    assert len(set(ids)) == len(ids)


def test_a_safe_caller_id_is_echoed_and_an_unsafe_one_replaced() -> None:
    assert accept_request_id("req-42.a_b") == "req-42.a_b"
    replaced = accept_request_id("two words\n")
    assert uuid.UUID(hex=replaced).version == 4


def test_a_forked_child_does_not_repeat_its_parents_ids() -> None:
    accept_request_id(None)  # the parent's pool is filled
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.write(write_end, accept_request_id(None).encode())
        os._exit(0)
    os.close(write_end)
    os.waitpid(child, 0)
    with os.fdopen(read_end) as pipe:
        from_child = pipe.read()
    assert from_child != accept_request_id(None)
