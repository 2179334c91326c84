"""RFC 6962 Merkle tree hashing and inclusion proofs (pure functions, no database).

Leaf hash: SHA-256(0x00 ‖ data). Node hash: SHA-256(0x01 ‖ left ‖ right). The split point of a range of
n > 1 leaves is the largest power of two smaller than n (RFC 6962 §2.1). We write our own ~100 lines
rather than use a library: the production log needs the hashes of stored perfect subtrees, which none of
the Python libraries exposes; pymerkle serves as an independent oracle in the tests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """Largest power of two strictly smaller than n (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaves(leaves: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes, iteratively: fold perfect subtrees on a stack (O(n) hashes, O(log n) memory)."""
    if not leaves:
        return EMPTY_ROOT
    builder = TreeBuilder()
    for leaf in leaves:
        builder.append(leaf)
    return builder.root()


class TreeBuilder:
    """Streams leaf hashes in order; ``root()`` is the MTH of all leaves so far at any moment.

    ``on_node(level, index, hash)`` is called for every perfect subtree completed (level ≥ 1).
    """

    def __init__(self, on_node: Callable[[int, int, bytes], None] | None = None) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # (level, hash), levels strictly decreasing
        self._on_node = on_node

    def append(self, leaf: bytes) -> None:
        level, value = 0, leaf
        self.size += 1
        while self._stack and self._stack[-1][0] == level:
            _, left = self._stack.pop()
            value = node_hash(left, value)
            level += 1
            if self._on_node is not None:
                self._on_node(level, (self.size >> level) - 1, value)
        self._stack.append((level, value))

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        value = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            value = node_hash(left, value)
        return value


def subtree_hash(start: int, end: int, perfect: Callable[[int, int], bytes]) -> bytes:
    """MTH of leaves [start, end) where ``perfect(level, index)`` returns stored perfect-subtree hashes.

    Any range that occurs in an RFC 6962 proof is either aligned and perfect or ends at the tree size and
    splits into aligned perfect pieces, so a proof needs O(log² n) lookups at most.
    """
    n = end - start
    if n <= 0:
        raise ValueError("empty range")
    if n & (n - 1) == 0 and start % n == 0:
        level = n.bit_length() - 1
        return perfect(level, start >> level)
    k = split_point(n)
    return node_hash(subtree_hash(start, start + k, perfect), subtree_hash(start + k, end, perfect))


def inclusion_path(index: int, size: int, perfect: Callable[[int, int], bytes]) -> list[bytes]:
    """RFC 6962 §2.1.1 PATH(m, D[n]), audit path from leaf to root, bottom first."""
    if not 0 <= index < size:
        raise ValueError("index out of range")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            path.append(subtree_hash(start + k, end, perfect))
            end = start + k
        else:
            path.append(subtree_hash(start, start + k, perfect))
            start = start + k
    path.reverse()
    return path


def verify_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2 verification of an inclusion proof."""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    value = leaf
    for sibling in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            value = node_hash(sibling, value)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            value = node_hash(value, sibling)
        fn >>= 1
        sn >>= 1
    return sn == 0 and value == root
