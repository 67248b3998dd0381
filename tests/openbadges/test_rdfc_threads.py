"""Canonicalisation shares caches across calls; threads of one web server must all get the right answer."""

from concurrent.futures import ThreadPoolExecutor

from badges_service.openbadges.rdfc import canonicalize
from tests.openbadges.samples import sample_credential


def test_concurrent_canonicalisations_agree():
    documents = [sample_credential(credential_id=f"https://badges.example.test/credentials/{i}") for i in range(40)]
    expected = [canonicalize(d) for d in documents]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(canonicalize, documents * 5))
    assert results == expected * 5
