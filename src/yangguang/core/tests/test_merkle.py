"""RFC 6962 Merkle hashing and inclusion proofs: known answers, pymerkle as an independent oracle, properties."""

from __future__ import annotations

import hashlib
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymerkle import InmemoryTree
from pymerkle.core import _inclusion_path_layout
from pymerkle.proof import InclusionProof, InvalidProof
from pymerkle.proof import verify_inclusion as pymerkle_verify_inclusion

from yangguang.core import merkle

# The 8-leaf reference tree of Certificate Transparency / transparency-dev/merkle (testonly.LeafInputs).
REFERENCE_LEAVES = [
    bytes.fromhex(""),
    bytes.fromhex("00"),
    bytes.fromhex("10"),
    bytes.fromhex("2021"),
    bytes.fromhex("3031"),
    bytes.fromhex("40414243"),
    bytes.fromhex("5051525354555657"),
    bytes.fromhex("606162636465666768696a6b6c6d6e6f"),
]
# testonly.RootHashes: the root of the tree of the first k+1 reference leaves.
REFERENCE_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# Inclusion proofs in the 8-leaf tree (transparency-dev/merkle testonly / CT merkle_tree_test.cc).
REFERENCE_PROOFS = [
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]


def perfect_of(leaves: list[bytes]):
    """``perfect(level, index)`` over an in-memory list of leaf hashes, computed directly from the definition."""

    def perfect(level: int, index: int) -> bytes:
        return reference_mth(leaves[index << level:(index + 1) << level])

    return perfect


def reference_mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1 MTH, recursive, straight from the text."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return merkle.node_hash(reference_mth(leaves[:k]), reference_mth(leaves[k:]))


def test_empty_root_is_sha256_of_nothing():
    assert merkle.EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert merkle.root_from_leaves([]) == merkle.EMPTY_ROOT


def test_leaf_and_node_hash_domain_separation():
    assert merkle.leaf_hash(b"").hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    assert merkle.node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()


@pytest.mark.parametrize("size", range(1, 9))
def test_reference_tree_roots(size):
    leaves = [merkle.leaf_hash(d) for d in REFERENCE_LEAVES[:size]]
    assert merkle.root_from_leaves(leaves).hex() == REFERENCE_ROOTS[size - 1]
    assert merkle.subtree_hash(0, size, perfect_of(leaves)).hex() == REFERENCE_ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size", "expected"), REFERENCE_PROOFS)
def test_reference_inclusion_proofs(index, size, expected):
    leaves = [merkle.leaf_hash(d) for d in REFERENCE_LEAVES[:size]]
    path = merkle.inclusion_path(index, size, perfect_of(leaves))
    assert [p.hex() for p in path] == expected
    assert merkle.verify_inclusion(index, size, leaves[index], path, bytes.fromhex(REFERENCE_ROOTS[size - 1]))


def test_split_point():
    assert [merkle.split_point(n) for n in range(2, 11)] == [1, 2, 2, 4, 4, 4, 4, 8, 8]


def _pymerkle_tree(data: list[bytes]) -> InmemoryTree:
    tree = InmemoryTree(algorithm="sha256")
    for item in data:
        tree.append_entry(item)
    return tree


@pytest.mark.parametrize("size", [*range(0, 71), 1000])
def test_roots_match_pymerkle(size):
    rng = random.Random(size)  # noqa: S311 (test data)
    data = [rng.randbytes(rng.randrange(0, 40)) for _ in range(size)]
    tree = _pymerkle_tree(data)
    leaves = [merkle.leaf_hash(d) for d in data]
    for i, leaf in enumerate(leaves):
        assert tree.get_leaf(i + 1) == leaf
    expected = tree.get_root() if size else hashlib.sha256(b"").digest()
    assert merkle.root_from_leaves(leaves) == expected
    if size and size <= 70:
        assert reference_mth(leaves) == expected


def _as_pymerkle_proof(index: int, size: int, leaf: bytes, path: list[bytes]) -> InclusionProof:
    rule, _ = _inclusion_path_layout(index + 1, size)
    return InclusionProof("sha256", True, size, index + 1, rule, [leaf, *path])


@pytest.mark.parametrize("size", [1, 2, 3, 7, 8, 13, 64, 70])
def test_our_proofs_verify_with_pymerkle_verifier(size):
    rng = random.Random(1000 + size)  # noqa: S311 (test data)
    data = [rng.randbytes(8) for _ in range(size)]
    tree = _pymerkle_tree(data)
    root = tree.get_root()
    leaves = [merkle.leaf_hash(d) for d in data]
    for index in range(size):
        path = merkle.inclusion_path(index, size, perfect_of(leaves))
        # pymerkle's own proof has the same siblings (its path starts with the leaf itself).
        assert tree.prove_inclusion(index + 1).path == [leaves[index], *path]
        pymerkle_verify_inclusion(leaves[index], root, _as_pymerkle_proof(index, size, leaves[index], path),
                                  index=index + 1, size=size)
        if path:
            bad = [path[0][:-1] + bytes([path[0][-1] ^ 1]), *path[1:]]
            with pytest.raises(InvalidProof):
                pymerkle_verify_inclusion(leaves[index], root, _as_pymerkle_proof(index, size, leaves[index], bad))


def _flip(value: bytes) -> bytes:
    return bytes([value[0] ^ 0x80]) + value[1:]


def proof_shape(index: int, size: int) -> tuple[bool, ...]:
    """From RFC 6962 §2.1.1 PATH(m, D[n]): for each sibling, bottom first, whether it sits on the left."""
    if size <= 1:
        return ()
    k = merkle.split_point(size)
    if index < k:
        return (*proof_shape(index, k), False)
    return (*proof_shape(index - k, size - k), True)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=140), st.randoms(use_true_random=False))
def test_every_inclusion_proof_verifies_and_any_change_breaks_it(n, rnd):
    # Distinct leaves (a leaf equal to its sibling would make left/right indistinguishable).
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big") + rnd.randbytes(4)) for i in range(n)]
    root = merkle.root_from_leaves(leaves)
    perfect = perfect_of(leaves)
    for i in range(n):
        path = merkle.inclusion_path(i, n, perfect)
        assert len(path) == len(proof_shape(i, n))
        assert merkle.verify_inclusion(i, n, leaves[i], path, root)
        assert not merkle.verify_inclusion(i, n, _flip(leaves[i]), path, root)
        assert not merkle.verify_inclusion(i, n, leaves[i], path, _flip(root))
        for j in range(len(path)):
            changed = list(path)
            changed[j] = _flip(changed[j])
            assert not merkle.verify_inclusion(i, n, leaves[i], changed, root)
        if path:
            assert not merkle.verify_inclusion(i, n, leaves[i], path[:-1], root)
        assert not merkle.verify_inclusion(i, n, leaves[i], [*path, root], root)
        for other in {i - 1, i + 1, rnd.randrange(n + 2), n, -1} - {i}:
            assert not merkle.verify_inclusion(other, n, leaves[i], path, root)
        # Another size gives the same computation only when the proof has the same shape (e.g. leaf 0 in
        # trees of 3 and 4); the verifier then compares with the signed root *for the claimed size*.
        for other_size in {n - 1, n + 1, n + 2, 2 * n, rnd.randrange(1, 3 * n + 2)} - {n}:
            same_shape = i < other_size and proof_shape(i, other_size) == proof_shape(i, n)
            assert merkle.verify_inclusion(i, other_size, leaves[i], path, root) == same_shape


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=300))
def test_tree_builder_nodes_are_the_perfect_subtrees(n):
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(n)]
    nodes: dict[tuple[int, int], bytes] = {}
    builder = merkle.TreeBuilder(on_node=lambda lv, ix, h: nodes.__setitem__((lv, ix), h))
    for k, leaf in enumerate(leaves, start=1):
        builder.append(leaf)
        if k in (1, 2, 3, 5, 8, n):
            assert builder.root() == reference_mth(leaves[:k])
    expected = {(lv, ix) for lv in range(1, max(n, 1).bit_length()) for ix in range(n >> lv)}
    assert set(nodes) == expected
    for (lv, ix), value in nodes.items():
        assert value == reference_mth(leaves[ix << lv:(ix + 1) << lv])


def test_inclusion_path_rejects_out_of_range():
    with pytest.raises(ValueError):
        merkle.inclusion_path(3, 3, lambda lv, ix: b"")
    with pytest.raises(ValueError):
        merkle.subtree_hash(2, 2, lambda lv, ix: b"")
