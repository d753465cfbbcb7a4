"""Synthetic demo identities: determinism, scripts, codes, mix, and a
cross-check with shelter.names (the Latin and Arabic forms must link)."""

from __future__ import annotations

import dataclasses
import math
import random
import re
from collections import Counter

import pytest

from shelter.demo_names import COUNTRIES, POOLS, DemoPerson, generate_people, generate_person
from shelter.names import latin_key, similarity

ARABIC = re.compile(r"[\u0600-\u06FF]")
ARABIC_ONLY = re.compile(r"^[\u0621-\u064A\u0671-\u06D3 ]+$")
DRAWS = 10_000


@pytest.fixture(scope="module")
def people() -> list[DemoPerson]:
    return generate_people(random.Random(20240611), DRAWS)


def test_same_seed_same_people():
    a = generate_people(random.Random(5), 200)
    b = generate_people(random.Random(5), 200)
    c = generate_people(random.Random(6), 200)
    assert a == b
    assert a != c


def test_person_is_frozen():
    person = generate_person(random.Random(1))
    with pytest.raises(dataclasses.FrozenInstanceError):
        person.family_name = "X"  # type: ignore[misc]


def test_codes_have_valid_format(people):
    for p in people:
        assert re.fullmatch(r"[A-Z]{2}", p.nationality)
        assert p.nationality in COUNTRIES
        assert p.sex in ("F", "M")
        assert p.languages, p
        assert len(set(p.languages)) == len(p.languages)
        for code in p.languages:
            assert re.fullmatch(r"[a-z]{2,3}", code), code
    for code, country in COUNTRIES.items():
        assert country.code == code and re.fullmatch(r"[A-Z]{2}", code)


def test_expected_languages_appear():
    rng = random.Random(11)

    def langs(nat):
        return Counter(lang for p in generate_people(rng, 400, nationality=nat) for lang in p.languages)

    assert {"en", "pcm", "bin", "ig", "yo"} <= set(langs("NG"))
    assert {"fr", "dyu"} <= set(langs("CI"))
    assert {"fr", "en"} <= set(langs("CM"))
    assert {"fr", "ff", "sus"} <= set(langs("GN"))
    assert {"fr", "wo"} <= set(langs("SN"))
    assert {"fr", "ln"} <= set(langs("CD"))
    assert {"fr", "bm"} <= set(langs("ML"))
    assert {"en", "kri"} <= set(langs("SL"))
    assert {"ar"} <= set(langs("SY"))
    assert {"tl", "en"} <= set(langs("PH"))
    assert {"bn"} <= set(langs("BD"))
    assert {"ary", "fr", "tzm", "shi"} <= set(langs("MA"))
    assert {"en", "ak"} <= set(langs("GH"))
    assert {"ti"} <= set(langs("ER"))


def test_scripts(people):
    for p in people:
        for latin in (p.given_names, p.family_name):
            assert latin.strip() == latin and latin
            assert not ARABIC.search(latin), p
        if p.arabic_script_origin:
            assert p.full_name_ar is not None, p
        if p.given_names_ar is not None:
            assert p.family_name_ar is not None
            assert ARABIC_ONLY.match(p.given_names_ar), p
            assert ARABIC_ONLY.match(p.family_name_ar), p
    # foreigners get an Arabic transcription most of the time, not always
    foreign = [p for p in people if not p.arabic_script_origin]
    share = sum(p.full_name_ar is not None for p in foreign) / len(foreign)
    assert 0.6 < share < 0.95


def test_country_mix_follows_the_weights(people):
    total = sum(c.weight for c in COUNTRIES.values())
    seen = Counter(p.nationality for p in people)
    for code, country in COUNTRIES.items():
        expected = DRAWS * country.weight / total
        sd = math.sqrt(DRAWS * (country.weight / total) * (1 - country.weight / total))
        assert abs(seen[code] - expected) <= 4 * sd + 1, (code, seen[code], expected)
    assert seen.most_common(1)[0][0] == "MA"


def test_sex_and_nationality_arguments():
    rng = random.Random(2)
    for p in generate_people(rng, 200, sex="F", nationality="NG"):
        assert p.sex == "F" and p.nationality == "NG" and p.pool.startswith("ng_")
    men = generate_people(rng, 200, sex="M", nationality="ph")
    assert all(p.sex == "M" and p.nationality == "PH" for p in men)
    with pytest.raises(ValueError):
        generate_person(rng, nationality="XX")
    with pytest.raises(ValueError):
        generate_person(rng, sex="X")


def test_sex_share_follows_country(people):
    def female_share(code):
        group = [p for p in people if p.nationality == code]
        return sum(p.sex == "F" for p in group) / len(group)

    assert female_share("NG") > 0.75
    assert female_share("PH") > 0.75
    assert female_share("BD") < 0.35


REGIONS = {
    "Maghreb": ("ma_arab", "ma_amazigh"),
    "Levant": ("sy",),
    "Anglophone West Africa": ("ng_edo", "ng_igbo", "ng_yoruba", "gh", "sl"),
    "Francophone West Africa": ("ci", "gn", "sn", "ml"),
    "Central Africa": ("cm", "cd"),
    "Philippines": ("ph",),
    "Bangladesh": ("bd",),
}


@pytest.mark.parametrize("region", sorted(REGIONS))
def test_enough_names_per_region(region):
    pools = [POOLS[k] for k in REGIONS[region]]
    for part in ("female", "male", "family"):
        names = {latin for pool in pools for latin, _ in getattr(pool, part)}
        assert len(names) >= 40, (region, part, len(names))


def test_pool_entries_are_well_formed():
    assert len(POOLS["er"].female) >= 25 and len(POOLS["er"].male) >= 25
    for pool in POOLS.values():
        for part in (pool.female, pool.male, pool.family):
            latins = [latin for latin, _ in part]
            assert len(latins) == len(set(latins)), pool.key
            for latin, arabic in part:
                assert latin and not ARABIC.search(latin)
                assert ARABIC_ONLY.match(arabic), (pool.key, latin, arabic)
    for country in COUNTRIES.values():
        assert all(key in POOLS for key, _ in country.pools)


def test_children_and_adults_share_the_name_pools():
    # Age is the caller's business: the generator takes none and every name
    # comes from the pools (no invented strings).
    rng = random.Random(9)
    for p in generate_people(rng, 500):
        pool = POOLS[p.pool]
        names = {latin for latin, _ in pool.female + pool.male}
        assert all(part in names or part in {w for n in names for w in n.split()} for part in p.given_names.split())
        assert p.family_name in {latin for latin, _ in pool.family}


def test_latin_key_links_latin_and_arabic_forms(people):
    # Cross-check of both modules: for persons whose names come from an
    # Arabic-script country, the Latin and Arabic forms share one latin_key.
    arabic_origin = [p for p in people if p.arabic_script_origin]
    assert len(arabic_origin) > 1000
    linked = sum(latin_key(p.full_name) == latin_key(p.full_name_ar) for p in arabic_origin)
    assert linked / len(arabic_origin) >= 0.80


def test_similarity_links_all_transcribed_forms(people):
    with_arabic = [p for p in people if p.full_name_ar is not None]
    close = sum(
        similarity([p.given_names, p.family_name], [p.given_names_ar, p.family_name_ar]) >= 0.85
        for p in with_arabic
    )
    assert close / len(with_arabic) >= 0.85
