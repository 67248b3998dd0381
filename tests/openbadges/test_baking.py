"""Baking and unbaking PNG and SVG badges (OB 3.0 §5.3, OB 2.0 Baking Specification)."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from badges_service.openbadges import baking

CREDENTIAL = '{"id":"https://badges.example.test/credentials/1","name":"Été « accueil » ]]> fin"}'
SVG = ('<?xml version="1.0" encoding="UTF-8"?>\n<!-- badge -->\n<svg xmlns="http://www.w3.org/2000/svg" '
       'viewBox="0 0 10 10" data-x="a>b"><rect width="10" height="10"/></svg>')


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "#12358c").save(out, format="PNG")
    return out.getvalue()


def chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def insert_before_iend(image: bytes, extra: bytes) -> bytes:
    return image[:-12] + extra + image[-12:]


@pytest.mark.parametrize(("keyword", "version"), [("openbadgecredential", "3.0"), ("openbadges", "2.0")])
def test_png_round_trip_through_one_uncompressed_itxt_chunk_before_iend(keyword, version):
    baked = baking.png_bake(png(), keyword=keyword, text=CREDENTIAL)
    assert baked.endswith(chunk(b"IEND", b""))
    itxt = baked[-12 - 12 - len(keyword) - 5 - len(CREDENTIAL.encode()):-12]
    assert itxt[4:8] == b"iTXt" and itxt[8:].startswith(keyword.encode() + b"\0\0\0\0\0")
    assert baking.png_unbake(baked) == baking.Baked(version, CREDENTIAL)
    Image.open(io.BytesIO(baked)).verify()  # still a valid PNG for ordinary readers


def test_baking_again_replaces_the_earlier_credential():
    twice = baking.png_bake(baking.png_bake(png(), keyword="openbadgecredential", text="{}"),
                            keyword="openbadgecredential", text=CREDENTIAL)
    assert twice.count(b"openbadgecredential") == 1
    assert baking.png_unbake(twice).text == CREDENTIAL


def test_a_png_with_two_credentials_is_refused():
    one = chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0{}")
    with pytest.raises(baking.BakingError) as error:
        baking.png_unbake(insert_before_iend(png(), one + one))
    assert error.value.code == "ambiguous_baked_image"


def test_a_compressed_itxt_is_read_with_a_size_cap():
    text = zlib.compress(CREDENTIAL.encode())
    compressed = insert_before_iend(png(), chunk(b"iTXt", b"openbadges\0\1\0\0\0" + text))
    assert baking.png_unbake(compressed).text == CREDENTIAL
    bomb = zlib.compress(b" " * (baking.MAX_TEXT_BYTES + 10))
    with pytest.raises(baking.BakingError) as error:
        baking.png_unbake(insert_before_iend(png(), chunk(b"iTXt", b"openbadges\0\1\0\0\0" + bomb)))
    assert error.value.code == "too_large"


def test_the_ob3_credential_wins_over_an_ob2_assertion_in_the_same_png():
    both = baking.png_bake(baking.png_bake(png(), keyword="openbadges", text="https://x/ob2"),
                           keyword="openbadgecredential", text=CREDENTIAL)
    assert baking.png_unbake(both).version == "3.0"


def test_an_image_without_a_badge_unbakes_to_nothing():
    assert baking.png_unbake(png()) is None
    assert baking.svg_unbake(SVG) is None


@pytest.mark.parametrize("damage", ["crc", "truncated", "no_iend", "not_png"])
def test_damaged_pngs_are_refused(damage):
    image = baking.png_bake(png(), keyword="openbadgecredential", text=CREDENTIAL)
    broken = {"crc": image[:-20] + bytes([image[-20] ^ 1]) + image[-19:], "truncated": image[:-30],
              "no_iend": image[:-12], "not_png": b"GIF89a" + image[8:]}[damage]
    with pytest.raises(baking.BakingError):
        baking.png_unbake(broken)


def test_svg_round_trip_for_3_0_with_cdata_even_when_the_json_contains_the_cdata_end():
    baked = baking.svg_bake(SVG, version="3.0", text=CREDENTIAL)
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert baked.index("<openbadges:credential>") < baked.index("<rect")  # the first child
    assert baked.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!-- badge -->\n<svg ')
    assert baking.svg_unbake(baked) == baking.Baked("3.0", CREDENTIAL)


def test_svg_round_trip_for_2_0_signed_and_hosted():
    signed = baking.svg_bake(SVG, version="2.0", verify="eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
    assert 'xmlns:openbadges="http://openbadges.org"' in signed
    assert baking.svg_unbake(signed) == baking.Baked("2.0", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
    hosted = baking.svg_bake(SVG, version="2.0", verify="https://x/ob2", text='{"id":"https://x/ob2"}')
    assert baking.svg_unbake(hosted).text == '{"id":"https://x/ob2"}'


def test_an_svg_already_carrying_a_badge_is_not_baked_again():
    with pytest.raises(baking.BakingError, match="already"):
        baking.svg_bake(baking.svg_bake(SVG, version="3.0", text="{}"), version="3.0", text="{}")


@pytest.mark.parametrize("hostile", [
    '<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg">&b;</svg>',
    '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg xmlns="http://www.w3.org/2000/svg"/>',
])
def test_svgs_with_a_dtd_or_entities_are_refused_when_unbaking(hostile):
    with pytest.raises(baking.BakingError) as error:
        baking.svg_unbake(hostile)
    assert error.value.code == "unsafe_svg"


def test_oversized_images_are_refused_before_parsing():
    with pytest.raises(baking.BakingError) as error:
        baking.unbake(png() + b"\0" * 100, max_bytes=50)
    assert error.value.code == "too_large"
    with pytest.raises(baking.BakingError):
        baking.unbake(b"%PDF-1.7 not an image")
