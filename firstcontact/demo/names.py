"""Invented names, addresses and phone numbers for demo people and workers.

Names are drawn at random from lists of common given and family names, so any
resemblance to a real person is chance. The lists include accents, apostrophes
and hyphens, because matching people must cope with them.
"""

import random
import unicodedata
from dataclasses import dataclass


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


@dataclass(frozen=True)
class NameGroup:
    """Given and family names that are commonly found together."""

    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]
    # Family names with a feminine form, such as Polish "Kowalska".
    family_female: tuple[str, ...] = ()


ENGLISH = NameGroup(
    female=_words(
        """Margaret Patricia Susan Christine Jean Barbara Linda Janet Carol
        Elizabeth Mary Sandra Pauline Brenda Joan Valerie Sheila Maureen Kathleen
        Irene Doreen Dorothy Ann Gillian Jennifer Pamela Wendy Shirley Sylvia
        Joyce Eileen Rita Marjorie Beryl Hazel Elaine Lynne Denise Anne-Marie
        Mary-Jane Renée Zoë Chloë Siân Bronwen"""
    ),
    male=_words(
        """John David Michael Peter Robert Brian Alan Keith Anthony Kenneth
        Terence Colin Derek Roy Raymond Geoffrey Dennis Barry Malcolm Graham
        Trevor Stephen Christopher Richard William James Ronald Frank Leslie
        Gordon Roger Nigel Philip Clive Stuart Noël Dafydd"""
    ),
    family=_words(
        """Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright
        Thompson Evans Walker White Roberts Green Hall Wood Jackson Clarke Allen
        Hill Harris Ward Cooper King Turner Baker Moore Barker Bailey Marsh
        Hextall Bradshaw Chamberlain Pickering Smith-Jones Taylor-Wood
        Evans-Clarke Hall-Roberts"""
    ),
)
IRISH = NameGroup(
    female=_words("Bridget Siobhán Máire Niamh Kathleen Eileen Nora"),
    male=_words("Patrick Seán Declan Eamon Michael Brendan Liam"),
    family=_words(
        "O'Neill O'Brien O'Connor O'Sullivan Murphy Kelly Byrne Walsh McCarthy "
        "Doyle D'Arcy"
    ),
)
GUJARATI = NameGroup(
    female=_words(
        "Hansaben Pushpaben Savita Sushila Kantaben Manjula Jayshree Nirmala "
        "Kokilaben Usha"
    ),
    male=_words(
        "Ramesh Jayantilal Mahendra Pravin Dilip Harish Bhupendra Vinod Navin Suresh"
    ),
    family=_words("Patel Mistry Parmar Chauhan Lad Solanki Shah Mehta Joshi Pandya"),
)
PUNJABI = NameGroup(
    female=_words("Harjit Surinder Balbir Jaswinder Gurmeet Manjit"),
    male=_words("Gurdev Sukhdev Harbans Jaspal Ajit Kuldip"),
    family=_words("Gill Sandhu Bains Dhillon Johal Sidhu Singh"),
)
SOUTH_ASIAN_MUSLIM = NameGroup(
    female=_words("Parveen Nasreen Shamim Rashida Zubeda"),
    male=_words("Mohammed Yusuf Abdul Iqbal Ismail"),
    family=_words("Khan Hussain Mohamed Patel Bhayat Desai"),
)
POLISH = NameGroup(
    female=_words("Zofia Krystyna Danuta Halina Bożena Jadwiga"),
    male=_words("Stanisław Józef Tadeusz Zbigniew Andrzej Jerzy"),
    family=_words("Nowak Wójcik Kowalski Wiśniewski Lewandowski"),
    family_female=_words("Nowak Wójcik Kowalska Wiśniewska Lewandowska"),
)
CARIBBEAN = NameGroup(
    female=_words("Hyacinth Gloria Beverley Marcia Pearline"),
    male=_words("Winston Delroy Errol Lloyd Cecil"),
    family=_words("Campbell Francis Henry Grant Thomas Clarke Brown"),
)

CHINESE = NameGroup(
    female=_words("Mei Lai Wai Siu Yuk"),
    male=_words("Kwok Wing Chi Ming Hung"),
    family=_words("Chan Wong Li Cheung Lam Ng"),
)
AFRICAN = NameGroup(
    female=_words("Grace Comfort Abena Ngozi Florence"),
    male=_words("Joseph Samuel Kwame Emmanuel Chinedu"),
    family=_words("Mensah Okafor Adeyemi Mwangi Boateng Osei"),
)
ARAB = NameGroup(
    female=_words("Fatima Amal Samira Layla"),
    male=_words("Ahmed Khalid Omar Hassan"),
    family=_words("Al-Hassan Haddad Mansour Saleh El-Amin"),
)
EUROPEAN = NameGroup(
    female=_words("Giuseppina Maria Ingrid Halyna Renate"),
    male=_words("Giuseppe Antonio Klaus Mykola Dieter"),
    family=_words("Rossi Esposito Müller Schmidt Kovalenko Bianchi"),
)

# The name groups drawn for each Census 2021 ethnic group, as labelled in the
# ONS tables, with relative weights. A rough match: a name says little about
# ethnic group. Leicestershire's Indian community is mostly Gujarati and
# Punjabi. Groups not listed draw English names.
CENSUS_NAME_GROUPS = {
    "White: English, Welsh, Scottish, Northern Irish or British": ((ENGLISH, 1),),
    "White: Irish": ((IRISH, 1),),
    "White: Gypsy or Irish Traveller": ((IRISH, 1), (ENGLISH, 1)),
    "White: Roma": ((POLISH, 1),),
    "White: Other White": ((POLISH, 1), (EUROPEAN, 1)),
    "Asian, Asian British or Asian Welsh: Indian": ((GUJARATI, 2), (PUNJABI, 1)),
    "Asian, Asian British or Asian Welsh: Pakistani": ((SOUTH_ASIAN_MUSLIM, 1),),
    "Asian, Asian British or Asian Welsh: Bangladeshi": ((SOUTH_ASIAN_MUSLIM, 1),),
    "Asian, Asian British or Asian Welsh: Chinese": ((CHINESE, 1),),
    "Asian, Asian British or Asian Welsh: Other Asian": (
        (GUJARATI, 1),
        (SOUTH_ASIAN_MUSLIM, 1),
    ),
    "Black, Black British, Black Welsh, Caribbean or African: African": ((AFRICAN, 1),),
    "Black, Black British, Black Welsh, Caribbean or African: Caribbean": (
        (CARIBBEAN, 1),
    ),
    "Black, Black British, Black Welsh, Caribbean or African: Other Black": (
        (CARIBBEAN, 1),
        (AFRICAN, 1),
    ),
    "Mixed or Multiple ethnic groups: White and Black Caribbean": (
        (ENGLISH, 1),
        (CARIBBEAN, 1),
    ),
    "Mixed or Multiple ethnic groups: White and Black African": (
        (ENGLISH, 1),
        (AFRICAN, 1),
    ),
    "Other ethnic group: Arab": ((ARAB, 1),),
}

STREETS = (
    "Church Lane", "Main Street", "Station Road", "Park Road", "Mill Lane",
    "High Street", "School Lane", "The Green", "Manor Road", "Victoria Road",
    "Orchard Close", "Forest Road", "Windmill Way", "Brook Street", "Elm Avenue",
    "Meadow Close", "Chapel Street", "Ashby Road", "Leicester Road", "Bosworth Close",
)  # fmt: skip


@dataclass(frozen=True)
class InventedName:
    given_name: str
    family_name: str


def invent_name(rng: random.Random, ethnic_group: str, sex: str) -> InventedName:
    """Draw a name for a person of the Census ethnic group and sex."""
    choices = CENSUS_NAME_GROUPS.get(ethnic_group, ((ENGLISH, 1),))
    groups = [group for group, _ in choices]
    group = rng.choices(groups, weights=[weight for _, weight in choices])[0]
    if sex == "female":
        given = rng.choice(group.female)
        family = rng.choice(group.family_female or group.family)
        if group is PUNJABI and rng.random() < 0.5:
            family = "Kaur"
    else:
        given = rng.choice(group.male)
        family = rng.choice(group.family)
    return InventedName(given, family)


def invent_worker_name(rng: random.Random) -> str:
    name = invent_name(rng, "", rng.choice(("female", "male")))
    return f"{name.given_name} {name.family_name}"


def invent_address(rng: random.Random) -> str:
    return f"{rng.randint(1, 180)} {rng.choice(STREETS)}"


def invent_phone(rng: random.Random) -> str:
    """Return a phone number from the ranges Ofcom reserves for drama.

    No line is ever assigned these numbers: 0116 496 0000 to 0999 is the
    Leicester range, and 07700 900000 to 900999 the mobile range.
    """
    if rng.random() < 0.7:
        return f"0116 496 0{rng.randint(0, 999):03d}"
    return f"07700 900{rng.randint(0, 999):03d}"


def retype_name(rng: random.Random, name: str) -> str:
    """Return the name as another worker might type it on a later visit.

    The product matches "O’Neill" to "O'Neill" and "Zoe" to "Zoë", so a repeat
    visit typed differently still finds the same person.
    """
    choice = rng.random()
    if choice < 0.3 and "'" in name:
        return name.replace("'", "\u2019")
    if choice < 0.5:
        return name.upper()
    if choice < 0.7:
        decomposed = unicodedata.normalize("NFKD", name)
        return "".join(c for c in decomposed if not unicodedata.combining(c))
    return name
