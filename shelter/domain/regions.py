"""Where a country lies: ISO 3166-1 alpha-2 codes grouped into the UN M49
geographic regions of ``vocabulary.REGION``, then into continents.

The anonymised export (``shelter.services.anonymised_export``) climbs this
ladder when a nationality, or the country where a person was exploited, is
too rare to be released on its own: the country, then its region, then its
continent, then "unknown".

The regions are the M49 sub-regions, with Sub-Saharan Africa split into its
four intermediate regions (most residents come from there, so the finer
split keeps the figures useful), and Europe, the Americas and Oceania each
kept whole (few residents come from them). Antarctica belongs to no M49
region: it is "unknown", as is an empty or unrecognised code.
"""

from __future__ import annotations

from shelter.domain.vocabulary import REGION

UNKNOWN = "unknown"

# The M49 groups, region by region. Every current ISO 3166-1 code but AQ.
_MEMBERS: dict[str, str] = {
    # 015 Northern Africa
    "north_africa": "DZ EG EH LY MA SD TN",
    # 011 Western Africa
    "west_africa": "BF BJ CI CV GH GM GN GW LR ML MR NE NG SH SL SN TG",
    # 017 Middle Africa
    "central_africa": "AO CD CF CG CM GA GQ ST TD",
    # 014 Eastern Africa
    "east_africa": "BI DJ ER ET IO KE KM MG MU MW MZ RE RW SC SO SS TF TZ UG YT ZM ZW",
    # 018 Southern Africa
    "southern_africa": "BW LS NA SZ ZA",
    # 145 Western Asia
    "western_asia": "AE AM AZ BH CY GE IL IQ JO KW LB OM PS QA SA SY TR YE",
    # 034 Southern Asia
    "south_asia": "AF BD BT IN IR LK MV NP PK",
    # 035 South-eastern Asia
    "south_east_asia": "BN ID KH LA MM MY PH SG TH TL VN",
    # 030 Eastern Asia
    "east_asia": "CN HK JP KP KR MN MO TW",
    # 143 Central Asia
    "central_asia": "KG KZ TJ TM UZ",
    # 150 Europe
    "europe": ("AD AL AT AX BA BE BG BY CH CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU LV MC "
               "MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA"),
    # 019 Americas
    "americas": ("AG AI AR AW BB BL BM BO BQ BR BS BV BZ CA CL CO CR CU CW DM DO EC FK GD GF GL GP GS GT GY HN HT "
                 "JM KN KY LC MF MQ MS MX NI PA PE PM PR PY SR SV SX TC TT US UY VC VE VG VI"),
    # 009 Oceania
    "oceania": "AS AU CC CK CX FJ FM GU HM KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF WS",
}

REGION_OF_COUNTRY: dict[str, str] = {code: region for region, codes in _MEMBERS.items() for code in codes.split()}

# The step above a region.
CONTINENT_OF_REGION: dict[str, str] = {
    "north_africa": "africa", "west_africa": "africa", "central_africa": "africa", "east_africa": "africa",
    "southern_africa": "africa", "western_asia": "asia", "south_asia": "asia", "south_east_asia": "asia",
    "east_asia": "asia", "central_asia": "asia", "europe": "europe", "americas": "americas", "oceania": "oceania",
    UNKNOWN: UNKNOWN,
}
CONTINENTS = ("africa", "asia", "europe", "americas", "oceania", UNKNOWN)

assert set(_MEMBERS) | {UNKNOWN} == set(REGION.codes), "every region of vocabulary.REGION, and only those"


def region_of(country: str | None) -> str:
    """The ``vocabulary.REGION`` code of an ISO 3166-1 alpha-2 code; "unknown"
    for an empty or unrecognised code (and for Antarctica)."""
    return REGION_OF_COUNTRY.get((country or "").strip().upper(), UNKNOWN)


def continent_of(country: str | None) -> str:
    """The continent of an ISO 3166-1 alpha-2 code (one of ``CONTINENTS``)."""
    return CONTINENT_OF_REGION[region_of(country)]
