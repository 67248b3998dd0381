"""The signature header: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">."""

import hashlib
import hmac

import pytest

from pipeline import signatures

SECRET = b"s3cret-de-la-source"
BODY = b'{"eventname":"\\\\core\\\\event\\\\course_completed"}'


def test_the_mac_is_hmac_sha256_of_timestamp_dot_body():
    expected = hmac.new(SECRET, b"1767954600." + BODY, hashlib.sha256).hexdigest()
    assert signatures.sign(SECRET, BODY, timestamp=1767954600) == f"t=1767954600,v1={expected}"


def test_a_signature_matches_only_its_body_time_and_secret():
    t, sigs = signatures.parse(signatures.sign(SECRET, BODY, timestamp=1000))
    assert signatures.matches(SECRET, t, sigs, BODY)
    assert not signatures.matches(SECRET, t, sigs, BODY + b" ")
    assert not signatures.matches(SECRET, t + 1, sigs, BODY)
    assert not signatures.matches(b"another secret", t, sigs, BODY)


def test_any_of_several_v1_values_may_match_during_a_secret_rotation():
    good = signatures.compute(SECRET, 1000, BODY)
    t, sigs = signatures.parse(f"t=1000,v1={'0' * 64},v1={good}")
    assert signatures.matches(SECRET, t, sigs, BODY)


@pytest.mark.parametrize("header", ["", "v1=abc", "t=1000", "t=abc,v1=00", "t=1000;v1=00", "x" * 600])
def test_malformed_headers_are_refused(header):
    with pytest.raises(signatures.MalformedSignature):
        signatures.parse(header)


def test_timestamps_outside_five_minutes_either_way_are_stale():
    signatures.check_fresh(1000, now=1000 + 300)
    signatures.check_fresh(1000, now=1000 - 300)
    with pytest.raises(signatures.StaleSignature):
        signatures.check_fresh(1000, now=1000 + 301)
    with pytest.raises(signatures.StaleSignature):
        signatures.check_fresh(1000, now=1000 - 301)


def test_non_ascii_signature_values_do_not_crash_the_comparison():
    assert not signatures.matches(SECRET, 1000, ["é" * 64], BODY)
