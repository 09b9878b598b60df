"""Synthetic briefings for benchmarks: actors, places, events, quotes and annotated articles.

Pure functions of a seed and an index (no Django imports): article ``i`` of seed ``s`` is the
same whatever else is generated, so a corpus can grow in steps (1,000, then 10,000, then 100,000)
and come out identical to one generated at once. ``manage.py generate_corpus`` writes what these
functions describe.

The prose is news-like English assembled from phrase lists; every annotated span is recorded at
the moment its words are appended, so offsets are exact by construction.
"""

from __future__ import annotations

import datetime
import random
import re
import uuid
from dataclasses import dataclass, field
from functools import cache

# Every generated slug starts with this and the seed, so it cannot collide with real rows (whose
# slugs come from titles) or with another seed's corpus.
SLUG_PREFIX = "gen"

FIRST_DAY = datetime.date(2014, 1, 1)
LAST_DAY = datetime.date(2025, 12, 31)
# Scheduled articles go live at fixed times in the future so the corpus stays deterministic.
SCHEDULE_FROM = datetime.datetime(2031, 1, 1, 6, 0, tzinfo=datetime.UTC)
CONTEXT = 32

COUNTRIES = [
    "Egypt", "Israel", "Jordan", "Lebanon", "Syria", "Iraq", "Iran", "Saudi Arabia", "Qatar",
    "United Arab Emirates", "Turkey", "Cyprus", "Greece", "Libya", "Tunisia", "Algeria", "Morocco",
    "Sudan", "Ethiopia", "Yemen", "Oman", "Kuwait", "Bahrain", "France", "Germany", "Italy",
    "Spain", "United Kingdom", "United States", "Canada", "Russia", "Ukraine", "China", "Japan",
    "India", "Pakistan", "Afghanistan", "Brazil", "Mexico", "Argentina", "South Africa", "Nigeria",
    "Kenya", "Mali", "Niger", "Chad", "Somalia", "Poland", "Romania", "Hungary", "Norway",
    "Sweden", "Finland", "Belgium", "Netherlands", "Switzerland", "Austria", "Armenia",
    "Azerbaijan", "Georgia",
]  # fmt: skip
COUNTRY_ALIASES = {
    "United States": ["US", "USA", "the United States"],
    "United Kingdom": ["UK", "Britain"],
    "United Arab Emirates": ["UAE", "the Emirates"],
    "Russia": ["the Russian Federation"],
    "Turkey": ["Türkiye"],
    "Saudi Arabia": ["Riyadh"],
}
# (name, country, latitude, longitude): approximate city centres.
CITIES = [
    ("Cairo", "Egypt", 30.04, 31.24), ("Alexandria", "Egypt", 31.2, 29.92),
    ("Jerusalem", "Israel", 31.77, 35.21), ("Tel Aviv", "Israel", 32.09, 34.78),
    ("Haifa", "Israel", 32.79, 34.99), ("Jenin", "Palestinian territories", 32.46, 35.3),
    ("Ramallah", "Palestinian territories", 31.9, 35.2),
    ("Nablus", "Palestinian territories", 32.22, 35.26),
    ("Hebron", "Palestinian territories", 31.53, 35.1),
    ("Gaza City", "Palestinian territories", 31.5, 34.47),
    ("Khan Younis", "Palestinian territories", 31.35, 34.3),
    ("Rafah", "Palestinian territories", 31.3, 34.25), ("Amman", "Jordan", 31.95, 35.93),
    ("Beirut", "Lebanon", 33.89, 35.5), ("Tripoli", "Libya", 32.89, 13.19),
    ("Damascus", "Syria", 33.51, 36.29), ("Aleppo", "Syria", 36.2, 37.16),
    ("Baghdad", "Iraq", 33.31, 44.37), ("Mosul", "Iraq", 36.34, 43.13),
    ("Erbil", "Iraq", 36.19, 44.01), ("Tehran", "Iran", 35.69, 51.39),
    ("Riyadh", "Saudi Arabia", 24.71, 46.68), ("Jeddah", "Saudi Arabia", 21.49, 39.19),
    ("Doha", "Qatar", 25.29, 51.53), ("Abu Dhabi", "United Arab Emirates", 24.45, 54.38),
    ("Dubai", "United Arab Emirates", 25.2, 55.27), ("Ankara", "Turkey", 39.93, 32.86),
    ("Istanbul", "Turkey", 41.01, 28.98), ("Nicosia", "Cyprus", 35.19, 33.38),
    ("Athens", "Greece", 37.98, 23.73), ("Benghazi", "Libya", 32.12, 20.09),
    ("Tunis", "Tunisia", 36.81, 10.18), ("Algiers", "Algeria", 36.75, 3.06),
    ("Rabat", "Morocco", 34.02, -6.84), ("Khartoum", "Sudan", 15.5, 32.56),
    ("Addis Ababa", "Ethiopia", 9.03, 38.74), ("Sanaa", "Yemen", 15.37, 44.19),
    ("Aden", "Yemen", 12.79, 45.02), ("Muscat", "Oman", 23.59, 58.41),
    ("Kuwait City", "Kuwait", 29.38, 47.99), ("Manama", "Bahrain", 26.23, 50.59),
    ("Paris", "France", 48.86, 2.35), ("Marseille", "France", 43.3, 5.37),
    ("Berlin", "Germany", 52.52, 13.4), ("Munich", "Germany", 48.14, 11.58),
    ("Rome", "Italy", 41.9, 12.5), ("Madrid", "Spain", 40.42, -3.7),
    ("London", "United Kingdom", 51.51, -0.13), ("Washington", "United States", 38.9, -77.04),
    ("New York", "United States", 40.71, -74.01), ("Ottawa", "Canada", 45.42, -75.7),
    ("Moscow", "Russia", 55.76, 37.62), ("Kyiv", "Ukraine", 50.45, 30.52),
    ("Kharkiv", "Ukraine", 49.99, 36.23), ("Odesa", "Ukraine", 46.48, 30.72),
    ("Beijing", "China", 39.9, 116.41), ("Tokyo", "Japan", 35.68, 139.69),
    ("New Delhi", "India", 28.61, 77.21), ("Islamabad", "Pakistan", 33.68, 73.05),
    ("Kabul", "Afghanistan", 34.53, 69.17), ("Brasília", "Brazil", -15.79, -47.88),
    ("Mexico City", "Mexico", 19.43, -99.13), ("Buenos Aires", "Argentina", -34.6, -58.38),
    ("Pretoria", "South Africa", -25.75, 28.19), ("Abuja", "Nigeria", 9.08, 7.4),
    ("Nairobi", "Kenya", -1.29, 36.82), ("Bamako", "Mali", 12.64, -8.0),
    ("Niamey", "Niger", 13.51, 2.11), ("N'Djamena", "Chad", 12.13, 15.06),
    ("Mogadishu", "Somalia", 2.05, 45.32), ("Warsaw", "Poland", 52.23, 21.01),
    ("Bucharest", "Romania", 44.43, 26.1), ("Budapest", "Hungary", 47.5, 19.04),
    ("Oslo", "Norway", 59.91, 10.75), ("Stockholm", "Sweden", 59.33, 18.07),
    ("Helsinki", "Finland", 60.17, 24.94), ("Brussels", "Belgium", 50.85, 4.35),
    ("The Hague", "Netherlands", 52.07, 4.3), ("Geneva", "Switzerland", 46.2, 6.14),
    ("Vienna", "Austria", 48.21, 16.37), ("Yerevan", "Armenia", 40.18, 44.51),
    ("Baku", "Azerbaijan", 40.41, 49.87), ("Tbilisi", "Georgia", 41.72, 44.78),
    ("Sharm el-Sheikh", "Egypt", 27.92, 34.33), ("Aqaba", "Jordan", 29.53, 35.01),
    ("Tyre", "Lebanon", 33.27, 35.2), ("Sidon", "Lebanon", 33.56, 35.37),
    ("Basra", "Iraq", 30.51, 47.78), ("Homs", "Syria", 34.73, 36.72),
    ("Idlib", "Syria", 35.93, 36.63), ("Port Sudan", "Sudan", 19.62, 37.22),
    ("Misrata", "Libya", 32.38, 15.09), ("Casablanca", "Morocco", 33.57, -7.59),
    ("Oran", "Algeria", 35.7, -0.63), ("Sfax", "Tunisia", 34.74, 10.76),
]  # fmt: skip

FIRST_NAMES = [
    "Ahmed", "Amira", "Omar", "Leila", "Youssef", "Nadia", "Karim", "Samira", "Hassan", "Rania",
    "Khaled", "Mona", "Tariq", "Huda", "Walid", "Salma", "Ibrahim", "Dalia", "Mahmoud", "Yasmin",
    "Avi", "Noa", "Yossi", "Tamar", "Eitan", "Michal", "Daniel", "Shira", "Gideon", "Yael",
    "John", "Mary", "Robert", "Linda", "Michael", "Susan", "David", "Karen", "James", "Emily",
    "Pierre", "Claire", "Jean", "Sophie", "Luc", "Camille", "Hans", "Anna", "Klaus", "Greta",
    "Giulia", "Marco", "Elena", "Luca", "Sergei", "Olga", "Dmitri", "Irina", "Andriy", "Oksana",
    "Mehmet", "Ayse", "Emre", "Zeynep", "Reza", "Maryam", "Ali", "Fatemeh", "Wei", "Li",
    "Hiroshi", "Yuki", "Raj", "Priya", "Imran", "Ayesha", "Carlos", "Lucia", "Joao", "Ana",
    "Thabo", "Naledi", "Chinedu", "Ngozi", "Wanjiru", "Kofi", "Amadou", "Fatoumata", "Abdi",
    "Hodan", "Piotr", "Agnieszka", "Lars", "Ingrid", "Mikko", "Aino", "Pieter", "Sanne",
    "Aram", "Ani", "Elchin", "Leyla", "Giorgi", "Nino", "Nikos", "Eleni", "Faisal", "Noura",
    "Hamad", "Maha", "Saeed", "Aisha", "Mustafa", "Zainab", "Bilal", "Rasha", "Sami", "Lina",
]  # fmt: skip
SURNAMES = [
    "Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Aziz", "Hamdan", "Qasim", "Darwish",
    "Farouk", "al-Masri", "al-Tamimi", "al-Hassan", "al-Najjar", "al-Khatib", "al-Amin",
    "el-Sayed", "el-Gamal", "Abu Saada", "Barghouti", "Cohen", "Levi", "Mizrahi", "Peretz",
    "Friedman", "Katz", "Shapiro", "Ben-Ami", "Avraham", "Golan", "Smith", "Johnson",
    "Williams", "Brown", "Miller", "Davis", "Wilson", "Moore", "Taylor", "Anderson", "Martin",
    "Bernard", "Dubois", "Lefebvre", "Moreau", "Laurent", "Girard", "Schmidt", "Schneider",
    "Fischer", "Weber", "Becker", "Rossi", "Russo", "Ferrari", "Bianchi", "Romano", "Ivanov",
    "Petrov", "Sokolov", "Volkov", "Kovalenko", "Shevchenko", "Bondarenko", "Yilmaz", "Demir",
    "Kaya", "Celik", "Hosseini", "Rahimi", "Karimi", "Moradi", "Zhang", "Wang", "Chen", "Liu",
    "Tanaka", "Suzuki", "Sato", "Sharma", "Patel", "Gupta", "Khan", "Qureshi", "Malik",
    "Rodriguez", "Garcia", "Fernandez", "Silva", "Santos", "Pereira", "Dlamini", "Nkosi",
    "Okafor", "Adeyemi", "Mwangi", "Otieno", "Mensah", "Traore", "Diallo", "Keita", "Warsame",
    "Farah", "Kowalski", "Nowak", "Larsen", "Hansen", "Virtanen", "Jansen", "de Vries",
    "Petrosyan", "Aliyev", "Beridze", "Papadopoulos", "al-Thani", "al-Sabah", "al-Rashid",
    "Bakr", "Suleiman", "Jaber", "Awad", "Sabbagh", "Hijazi", "Kanaan", "Zaher", "Fayad",
    "Obeid", "Rahman", "Hussein", "Ismail", "Yousef", "Shaheen", "Tahan", "Karam", "Nassar",
]  # fmt: skip
POSITIONS = [
    "Foreign Minister", "Prime Minister", "President", "Defence Minister", "Interior Minister",
    "spokesperson for the foreign ministry", "ambassador to the United Nations",
    "army chief of staff", "opposition leader", "mayor", "governor", "special envoy",
    "national security adviser", "finance minister", "health minister", "senior negotiator",
    "human rights researcher", "analyst", "police spokesperson", "government spokesperson",
]  # fmt: skip
ORG_PATTERNS = [
    "{country} Ministry of {domain}", "{country} Red Crescent", "{adj} {orgnoun} for {domain}",
    "{adj} {orgnoun}", "{city} {orgnoun} for {domain}", "International {orgnoun} on {domain}",
    "{country} Central Bank", "{city} University", "{adj} Party of {country}",
]  # fmt: skip
GROUP_PATTERNS = [
    "{adj} {groupnoun}", "{city} {groupnoun}", "{adj} {groupnoun} of {city}",
    "{groupnoun} for {domain}",
]  # fmt: skip
ORG_ADJECTIVES = [
    "National", "Popular", "United", "Independent", "Democratic", "Federal", "Regional",
    "Arab", "Islamic", "European", "African", "Joint", "Supreme", "Higher", "Civil",
]  # fmt: skip
ORG_NOUNS = [
    "Council", "Committee", "Commission", "Agency", "Authority", "Front", "Alliance", "Office",
    "Institute", "Coalition", "Federation", "Movement", "League", "Observatory", "Centre",
]  # fmt: skip
GROUP_NOUNS = [
    "Brigades", "Resistance Committees", "Farmers' Union", "Students' Union", "Lawyers' Guild",
    "Settlers' Council", "Mothers' Association", "Workers' Federation", "Militia", "Battalion",
]  # fmt: skip
DOMAINS = [
    "Foreign Affairs", "Defence", "Human Rights", "Refugees", "Reconstruction", "Water",
    "Energy", "Trade", "Health", "Education", "Migration", "Development", "Security",
    "Peace", "Agriculture", "Justice", "Transport", "Finance", "Culture", "Labour",
]  # fmt: skip

SUBJECTS = [
    "Officials", "Diplomats", "The government", "Security forces", "Residents", "Analysts",
    "Aid agencies", "Witnesses", "The army", "Negotiators", "Opposition lawmakers",
    "Hospital staff", "Local authorities", "Regional leaders", "Human rights groups",
    "The foreign ministry", "Protesters", "Mediators", "Western governments", "The cabinet",
    "Medical sources", "Observers", "Police", "Emergency services", "Community leaders",
]  # fmt: skip
VERBS = [
    "warned of", "called for", "discussed", "rejected", "welcomed", "condemned", "announced",
    "pushed for", "questioned", "criticised", "backed", "promised", "debated", "demanded",
    "expected", "feared", "reported", "described", "raised concerns about", "voted on",
    "proposed", "postponed", "approved", "blamed militants for", "pointed to",
]  # fmt: skip
ADJECTIVES = [
    "renewed", "fragile", "economic", "humanitarian", "diplomatic", "urgent", "regional",
    "lasting", "temporary", "security", "political", "unprecedented", "broader", "fresh",
    "limited", "contested", "long-awaited", "controversial", "emergency", "joint", "military",
    "international", "bilateral", "new", "possible", "further", "sweeping", "gradual",
]  # fmt: skip
NOUNS = [
    "talks", "ceasefire", "aid", "sanctions", "negotiations", "reforms", "elections",
    "investigation", "agreement", "restraint", "escalation", "violence", "measures",
    "cooperation", "stability", "pressure", "deal", "truce", "border crossings", "detentions",
    "settlements", "demolitions", "reconstruction", "prisoner exchange", "funding", "inquiry",
    "curfew", "evacuation", "deployment", "withdrawal", "blockade", "mediation", "summit",
    "vote", "budget", "protests", "arrests", "strikes", "fuel shortages", "power cuts",
]  # fmt: skip
MODIFIERS = [
    "after weeks of tension", "amid growing pressure", "for the first time in months",
    "despite international criticism", "ahead of the summit", "before the end of the year",
    "in the coming days", "as the death toll rose", "under strict conditions",
    "following the latest raids", "without giving details", "in a televised address",
    "according to state media", "at a press conference", "in a joint statement",
    "behind closed doors", "on the sidelines of the meeting", "as talks stalled",
    "after a late-night session", "while the crossings remained closed",
    "as prices continued to climb", "in the capital", "near the border",
    "according to local officials", "in a statement on social media",
]  # fmt: skip
# Rarer words that give each article a subject of its own, so searches are selective.
TOPICS = [
    "desalination", "wheat", "olive harvest", "phosphate", "refinery", "pipeline", "harbour",
    "checkpoint", "tunnel", "drone", "hospital", "school", "bakery", "power station",
    "water tower", "refugee camp", "airport", "railway", "bridge", "market", "mosque",
    "church", "synagogue", "university", "stadium", "courthouse", "prison", "embassy",
    "consulate", "parliament", "border fence", "fishing zone", "gas field", "cement plant",
    "textile factory", "grain silo", "solar farm", "sewage plant", "ambulance", "vaccine",
    "cholera", "drought", "flooding", "earthquake", "wildfire", "locusts", "currency",
    "inflation", "bread prices", "fuel subsidies", "remittances", "tourism", "shipping lane",
    "container port", "fishermen", "shepherds", "journalists", "teachers", "doctors",
    "lawyers", "students", "farmers", "truck drivers", "dock workers", "miners", "nurses",
    "archaeologists", "heritage site", "archive", "census", "referendum", "constitution",
    "amnesty", "extradition", "asylum", "visa", "passport", "land registry", "water rights",
    "electricity grid", "internet shutdown", "satellite images", "cyberattack", "landmine",
    "cluster munitions", "chemical weapons", "uranium", "centrifuges", "warship", "submarine",
    "air defence", "artillery", "sniper", "roadblock", "curfew order", "demolition order",
    "eviction", "olive trees", "greenhouses", "orchards", "livestock", "irrigation canal",
]  # fmt: skip
REPORT_VERBS = ["said", "told reporters", "stressed", "added", "insisted", "noted", "warned"]
CUES = ["said", "stressed", "added", "declared", "insisted"]
MEDIA = ["state television", "al-Arabiya", "the BBC", "a local radio station", "reporters"]
PARTIAL_QUOTES = [
    "appalling", "a dangerous escalation", "unacceptable", "a red line", "a historic step",
    "deeply worrying", "a betrayal", "a first step", "collective punishment", "irresponsible",
    "a matter of days", "catastrophic", "outrageous", "a positive signal", "long overdue",
]  # fmt: skip
QUOTE_FORMS = [
    "We will not accept {adj} {noun} {mod}",
    "There can be no {noun} without {noun2}",
    "This is a moment for {noun}, not for {noun2}",
    "Our priority is {adj} {noun} for the people of {city}",
    "Nobody wants {adj} {noun}, but we must be ready",
    "The {topic} must be protected {mod}",
    "We have asked for {adj} {noun} and we are still waiting",
    "What happened in {city} must never happen again",
    "The {noun} will continue until there is {adj} {noun2}",
    "We are working with our partners on {adj} {noun}",
]  # fmt: skip
HEADINGS = [
    "The fear of further escalation", "A long road to {noun}", "Pressure on {city}",
    "Reconnecting with {country}", "What comes next", "The {topic} question",
    "Calls for {noun}", "A divided {orgnoun}", "Reactions in {city}", "Behind the {noun}",
    "The cost of {noun}", "Doubts over {adj} {noun}",
]  # fmt: skip
SOURCES = [
    ("France 24", "AFP"), ("Reuters", ""), ("Associated Press", ""), ("Al Jazeera", ""),
    ("BBC News", ""), ("Le Monde", "AFP"), ("The Guardian", ""), ("Deutsche Welle", "dpa"),
    ("The National", "AFP"), ("Middle East Eye", ""), ("Haaretz", ""), ("Ahram Online", "MENA"),
]  # fmt: skip

# Event kinds with how the text names them and whether they usually have casualty figures.
EVENT_KINDS = [
    ("meeting", "Meeting", "the meeting in {place}", "the meeting", False, 18),
    ("statement", "Statement", "the statement issued in {place}", "the statement", False, 10),
    ("attack", "Attack", "an attack in {place}", "an attack", True, 14),
    ("military_raid", "Military raid", "a military raid in {place}", "a military raid", True, 12),
    ("airstrike", "Airstrike", "an airstrike on {place}", "an airstrike", True, 10),
    ("rocket_fire", "Rocket fire", "rocket fire from {place}", "rocket fire", True, 6),
    ("killing", "Killing", "the killing in {place}", "the killing", True, 6),
    ("punitive_measure", "Punitive measures", "punitive measures against {place}",
     "punitive measures", False, 5),
    ("agreement", "Agreement", "the agreement signed in {place}", "the agreement", False, 6),
    ("occupation", "Occupation", "the occupation of {place}", "the occupation", False, 3),
    ("blockade", "Blockade", "the blockade of {place}", "the blockade", True, 4),
    ("other", "Incident", "the incident in {place}", "the incident", True, 6),
]  # fmt: skip
ROLES_BY_KIND = {
    "meeting": ["host", "visitor", "participant"],
    "statement": ["speaker"],
    "agreement": ["signatory", "mediator"],
    "attack": ["perpetrator", "target", "victim"],
    "military_raid": ["perpetrator", "target"],
    "airstrike": ["perpetrator", "target", "victim"],
    "rocket_fire": ["perpetrator", "target"],
    "killing": ["perpetrator", "victim"],
}
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
STATUS_WEIGHTS = [
    ("published", 90), ("scheduled", 2), ("draft", 4), ("review", 2), ("unpublished", 2),
]  # fmt: skip
UNPUBLISH_REASONS = [
    "Legal review of the casualty figures.",
    "The agency withdrew the story.",
    "Duplicate of an earlier briefing.",
]

_SLUG_STRIP = re.compile(r"[^\w\s-]")
_SLUG_DASH = re.compile(r"[-\s]+")


def slugify(text: str) -> str:
    """ASCII-ish slug like Django's, kept here so the module needs no Django."""
    import unicodedata

    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _SLUG_DASH.sub("-", _SLUG_STRIP.sub("", text.lower())).strip("-_")


def prefix(seed: int) -> str:
    """The slug prefix of everything generated with ``seed``."""
    return f"{SLUG_PREFIX}-{seed}-"


def rng_for(seed: int, *parts: object) -> random.Random:
    # String seeds are hashed with SHA-512 by random.seed: stable across runs and platforms.
    return random.Random(":".join(map(str, (seed, *parts))))


def make_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


# -- actors and places ------------------------------------------------------------------------


@dataclass(frozen=True)
class ActorSpec:
    index: int
    name: str
    slug: str
    kind: str
    role: str
    aliases: tuple[str, ...]
    # What the text calls the actor after the first mention.
    short: str
    description: str
    wikidata_id: str


@dataclass(frozen=True)
class PlaceSpec:
    index: int
    name: str
    slug: str
    country: str
    latitude: float
    longitude: float


def places(seed: int) -> list[PlaceSpec]:
    return [
        PlaceSpec(i, name, f"{prefix(seed)}{slugify(name)}", country, lat, lon)
        for i, (name, country, lat, lon) in enumerate(CITIES)
    ]


def _acronym(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[0].isupper() and w not in {"The"})


@cache
def _person_order(seed: int) -> list[int]:
    order = list(range(len(FIRST_NAMES) * len(SURNAMES)))
    random.Random(f"{seed}:people").shuffle(order)
    return order


def _surname_variants(surname: str) -> list[str]:
    """Spellings of an Arabic surname's article the way different agencies write it."""
    for article in ("al-", "el-"):
        if surname.startswith(article):
            bare = surname[len(article) :]
            other = "El-" if article == "al-" else "al-"
            return [bare, other + bare]
    return []


@cache
def actor(seed: int, index: int) -> ActorSpec:
    """Actor ``index`` of the seed: every 40th a country (while they last), else mostly people."""
    rng = rng_for(seed, "actor", index)
    if index % 40 == 0 and index // 40 < len(COUNTRIES):
        name = COUNTRIES[index // 40]
        kind, role, aliases, short = "country", "", list(COUNTRY_ALIASES.get(name, [])), name
        description = f"{name}, a state."
    else:
        roll = rng.random()
        if roll < 0.76:
            kind = "person"
            order = _person_order(seed)
            combo = order[index % len(order)]
            first = FIRST_NAMES[combo // len(SURNAMES)]
            surname = SURNAMES[combo % len(SURNAMES)]
            middle = f" {chr(65 + (index // len(order)) % 26)}." if index >= len(order) else ""
            name = f"{first}{middle} {surname}"
            surname_cap = surname[0].upper() + surname[1:]
            aliases = [surname_cap, *_surname_variants(surname)]
            if rng.random() < 0.3:
                aliases.append(f"{first[0]}. {surname_cap}")
            short = surname_cap
            role = f"{rng.choice(POSITIONS)} of {rng.choice(COUNTRIES)}"
            description = f"{role[0].upper()}{role[1:]}."
        else:
            kind = "organization" if roll < 0.95 else "group"
            patterns = ORG_PATTERNS if kind == "organization" else GROUP_PATTERNS
            name = rng.choice(patterns).format(
                country=rng.choice(COUNTRIES),
                city=rng.choice(CITIES)[0],
                domain=rng.choice(DOMAINS),
                adj=rng.choice(ORG_ADJECTIVES),
                orgnoun=rng.choice(ORG_NOUNS),
                groupnoun=rng.choice(GROUP_NOUNS),
            )
            acronym = _acronym(name)
            aliases = [acronym] if len(acronym) >= 3 else []
            short = acronym if aliases else name
            role = ""
            description = f"{'An organisation' if kind == 'organization' else 'A group'}."
    wikidata = f"Q{rng.randint(1000, 99_999_999)}" if rng.random() < 0.3 else ""
    slug = f"{prefix(seed)}{slugify(name)[:60].strip('-')}-{index}"
    return ActorSpec(index, name, slug, kind, role, tuple(aliases), short, description, wikidata)


# -- events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventSpec:
    article: int
    number: int
    slug: str
    title: str
    kind: str
    date: datetime.date | None
    precision: str
    date_text: str
    place: int | None
    fatalities: int | None
    injured: int | None
    description: str
    participants: tuple[tuple[int, str], ...]
    # How the text refers to it.
    phrase: str


def event_slug(seed: int, article_index: int, number: int) -> str:
    return f"{prefix(seed)}e{article_index}-{number}"


def pick_actor(rng: random.Random, actors: int) -> int:
    """A few actors are in the news all the time, most rarely: a steep power law on the index."""
    return min(int(actors * rng.random() ** 2.5), actors - 1)


def dateline(seed: int, index: int) -> datetime.date:
    span = (LAST_DAY - FIRST_DAY).days
    return FIRST_DAY + datetime.timedelta(days=rng_for(seed, "dateline", index).randrange(span))


def cast(seed: int, index: int, actors: int) -> tuple[list[int], list[int]]:
    """The actors (by index) and places an article is about: its cast is what it keeps naming."""
    rng = rng_for(seed, "cast", index)
    people: list[int] = []
    while len(people) < min(rng.randint(5, 10), actors):
        pick = pick_actor(rng, actors)
        if pick not in people:
            people.append(pick)
    where = rng.sample(range(len(CITIES)), rng.randint(2, 4))
    return people, where


def _event_date(rng: random.Random, day: datetime.date) -> tuple[datetime.date | None, str, str]:
    roll = rng.random()
    if roll < 0.6:
        back = rng.randint(0, 6)
        date = day - datetime.timedelta(days=back)
        if back == 0:
            return date, "day", "on " + WEEKDAYS[date.weekday()]
        if back == 1:
            return date, "day", "the day before"
        if rng.random() < 0.5:
            return (
                date,
                "day",
                f"on {WEEKDAYS[date.weekday()]}, {MONTHS[date.month - 1]} {date.day}",
            )
        return date, "day", "on " + WEEKDAYS[date.weekday()]
    if roll < 0.78:
        month = (day.replace(day=1) - datetime.timedelta(days=rng.randint(0, 300))).replace(day=1)
        return month, "month", f"in {MONTHS[month.month - 1]} {month.year}"
    if roll < 0.9:
        year = day.year - rng.randint(1, 40)
        return datetime.date(year, 1, 1), "year", f"in {year}"
    return None, "", ""


def events(seed: int, index: int, actors: int) -> list[EventSpec]:
    """The events article ``index`` reports first (others may refer to them later)."""
    rng = rng_for(seed, "events", index)
    people, where = cast(seed, index, actors)
    day = dateline(seed, index)
    kinds = list(EVENT_KINDS)
    weights = [k[5] for k in EVENT_KINDS]
    found = []
    for number in range(rng.randint(1, 3)):
        kind, label, with_place, without_place, casualties, _ = rng.choices(kinds, weights)[0]
        place = rng.choice(where) if rng.random() < 0.9 else None
        place_name = CITIES[place][0] if place is not None else ""
        date, precision, date_text = _event_date(rng, day)
        fatalities = injured = None
        if casualties:
            if rng.random() < 0.8:
                fatalities = rng.choice([0, 1, 1, 2, 3, 4, 6, 10, 12, 25])
            if rng.random() < 0.6:
                injured = rng.choice([0, 2, 5, 8, 15, 30, 60])
        elif rng.random() < 0.1:
            fatalities = injured = 0
        roles = ROLES_BY_KIND.get(kind, ["participant"])
        participants = {rng.choice(people): rng.choice(roles) for _ in range(rng.randint(1, 3))}
        title = f"{label} in {place_name}" if place_name else label
        if date_text:
            title += f", {date:%B %Y}" if precision != "year" else f", {date.year}"
        phrase = with_place.format(place=place_name) if place_name else without_place
        found.append(
            EventSpec(
                article=index,
                number=number,
                slug=event_slug(seed, index, number),
                title=title,
                kind=kind,
                date=date,
                precision=precision,
                date_text=date_text,
                place=place,
                fatalities=fatalities,
                injured=injured,
                description=f"{title}, as reported by the wires.",
                participants=tuple(sorted(participants.items())),
                phrase=phrase,
            )
        )
    return found


# -- articles ---------------------------------------------------------------------------------


@dataclass
class QuoteSpec:
    number: int
    uid: uuid.UUID
    text: str
    speaker: int | None
    cue: str
    addressee: int | None
    kind: str
    said_on: datetime.date | None
    # (article index, event number) of the event it is about, if any.
    event: tuple[int, int] | None


@dataclass
class MentionSpec:
    uid: uuid.UUID
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str
    # "actor" / "place": index; "event": (article index, number); "quote": quote number.
    kind: str
    target: object


@dataclass
class ArticleSpec:
    index: int
    title: str
    slug: str
    standfirst: str
    body: str
    source: str
    source_url: str
    agency: str
    language: str
    translated_from: str
    dateline: datetime.date
    status: str
    publish_at: datetime.datetime | None
    published_at: datetime.datetime | None
    unpublished_reason: str
    events: list[EventSpec]
    quotes: list[QuoteSpec] = field(default_factory=list)
    mentions: list[MentionSpec] = field(default_factory=list)


class _Writer:
    """Appends text and records the span of every annotated piece as it goes."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.spans: list[tuple[int, int, str, object]] = []
        self.words = 0

    def text(self, text: str) -> None:
        self.parts.append(text)
        self.pos += len(text)
        self.words += text.count(" ") + text.count("\n\n")

    def mark(self, text: str, kind: str, target: object) -> None:
        self.spans.append((self.pos, self.pos + len(text), kind, target))
        self.text(text)


class _Article:
    """The generation of one article's body: cast, wording and annotations."""

    def __init__(self, seed: int, index: int, actors: int):
        self.seed, self.index, self.actors = seed, index, actors
        self.rng = rng_for(seed, "article", index)
        self.people, self.where = cast(seed, index, actors)
        self.day = dateline(seed, index)
        self.own_events = events(seed, index, actors)
        self.shared_events = self._earlier_events()
        self.topic = self.rng.choice(TOPICS)
        self.named: set[int] = set()
        self.quotes: list[QuoteSpec] = []
        self.w = _Writer()

    def _earlier_events(self) -> list[EventSpec]:
        # About a third of articles follow up on an event an article of the days before reported.
        if self.index == 0 or self.rng.random() > 0.35:
            return []
        earlier = self.index - self.rng.randint(1, min(self.index, 30))
        return [self.rng.choice(events(self.seed, earlier, self.actors))]

    # -- wording

    def clause(self) -> str:
        r = self.rng
        text = f"{r.choice(SUBJECTS)} {r.choice(VERBS)} {r.choice(ADJECTIVES)} {r.choice(NOUNS)}"
        roll = r.random()
        if roll < 0.5:
            text += " " + r.choice(MODIFIERS)
        elif roll < 0.7:
            text += f" over the {self.topic}"
        return text

    def lower_clause(self) -> str:
        clause = self.clause()
        return clause[0].lower() + clause[1:]

    def quote_words(self) -> tuple[str, str]:
        r = self.rng
        if r.random() < 0.25:
            return r.choice(PARTIAL_QUOTES), "partial"
        text = r.choice(QUOTE_FORMS).format(
            adj=r.choice(ADJECTIVES),
            noun=r.choice(NOUNS),
            noun2=r.choice(NOUNS),
            mod=r.choice(MODIFIERS),
            city=CITIES[r.choice(self.where)][0],
            topic=self.topic,
        )
        return text, "direct"

    def name_actor(self, index: int, *, start_of_sentence: bool = False) -> None:
        spec = actor(self.seed, index)
        w = self.w
        if index not in self.named:
            # The first mention gives the full name, sometimes with the role before it.
            self.named.add(index)
            if start_of_sentence and spec.kind == "person" and self.rng.random() < 0.5:
                w.text(spec.role[0].upper() + spec.role[1:] + " ")
            w.mark(spec.name, "actor", index)
            return
        name = self.rng.choice([spec.short, *spec.aliases])
        if start_of_sentence and name[0].islower():
            name = spec.short
        w.mark(name, "actor", index)

    def someone(self, kinds: tuple[str, ...] = ()) -> int:
        choices = self.people
        if kinds:
            fitting = [p for p in choices if actor(self.seed, p).kind in kinds]
            choices = fitting or choices
        return self.rng.choice(choices)

    # -- sentences

    def statement(self) -> None:
        self.name_actor(self.someone(), start_of_sentence=True)
        self.w.text(f" {self.rng.choice(REPORT_VERBS)} that {self.lower_clause()}.")

    def quotation(self) -> None:
        r, w = self.rng, self.w
        words, kind = self.quote_words()
        speaker = self.someone(("person",)) if r.random() < 0.9 else None
        addressee = None
        number = len(self.quotes)
        about = None
        if r.random() < 0.3 and self.own_events:
            about = (self.index, r.choice(self.own_events).number)
        if kind == "partial":
            w.text("The move was “")
            w.mark(words, "quote", number)
            w.text("”, according to ")
        else:
            w.text("“")
            w.mark(words, "quote", number)
            w.text(",” ")
        cue = r.choice(CUES)
        if speaker is None:
            w.text("a statement from the ministry read." if kind != "partial" else "officials.")
            cue = "according to" if kind == "partial" else "read"
        elif kind == "partial":
            self.name_actor(speaker)
            w.text(".")
            cue = "according to"
        elif r.random() < 0.5:
            # “…,” said Haddad.
            w.text(f"{cue} ")
            self.name_actor(speaker)
            w.text(".")
        else:
            # “…,” Haddad told al-Arabiya.
            self.name_actor(speaker)
            if r.random() < 0.3:
                cue = "told"
                w.text(f" told {r.choice(MEDIA)}.")
            else:
                w.text(f" {cue}.")
        if speaker is not None and r.random() < 0.15:
            addressee = self.someone(("organization",))
            if addressee != speaker:
                w.text(" The remarks were addressed to the ")
                self.name_actor(addressee)
                w.text(".")
            else:
                addressee = None
        self.quotes.append(
            QuoteSpec(
                number=number,
                uid=make_uuid(r),
                text=words,
                speaker=speaker,
                cue=cue,
                addressee=addressee,
                kind=kind,
                said_on=self.day if r.random() < 0.6 else None,
                event=about,
            )
        )

    def event_sentence(self, event: EventSpec, *, again: bool = False) -> None:
        r, w = self.rng, self.w
        phrase = event.phrase[0].upper() + event.phrase[1:]
        w.mark(phrase, "event", (event.article, event.number))
        if again:
            w.text(
                f" {r.choice(['drew condemnation', 'was discussed', 'was raised again'])}"
                f" {r.choice(MODIFIERS)}."
            )
            return
        if event.date_text:
            w.text(f" {event.date_text}")
        if event.fatalities is not None and event.fatalities > 0:
            w.text(f" killed {event.fatalities} people")
            if event.injured:
                w.text(f" and wounded {event.injured}")
            w.text(
                ", "
                + r.choice(
                    ["according to medical sources", "officials said", "the health ministry said"]
                )
                + "."
            )
        elif event.injured:
            w.text(f" wounded {event.injured} people, {r.choice(MODIFIERS)}.")
        else:
            w.text(f" came {r.choice(MODIFIERS)}, and {self.lower_clause()}.")

    def place_sentence(self) -> None:
        place = self.rng.choice(self.where)
        self.w.text("In ")
        self.w.mark(CITIES[place][0], "place", place)
        self.w.text(f", {self.lower_clause()}.")

    def meeting_sentence(self) -> None:
        a = self.someone()
        b = self.someone()
        self.name_actor(a, start_of_sentence=True)
        if a == b:
            self.w.text(f" {self.rng.choice(VERBS)} the {self.topic} {self.rng.choice(MODIFIERS)}.")
            return
        self.w.text(" met ")
        self.name_actor(b)
        self.w.text(f" {self.rng.choice(MODIFIERS)} to discuss the {self.topic}.")

    def filler(self) -> None:
        clause = self.clause()
        self.w.text(clause + ".")

    def heading(self) -> str:
        r = self.rng
        return r.choice(HEADINGS).format(
            noun=r.choice(NOUNS),
            adj=r.choice(ADJECTIVES),
            city=CITIES[r.choice(self.where)][0],
            country=r.choice(COUNTRIES),
            topic=self.topic,
            orgnoun=r.choice(ORG_NOUNS).lower(),
        )

    def body(self, target_words: int) -> None:
        r, w = self.rng, self.w
        pending = [*self.own_events, *self.shared_events]
        sentences = (
            (self.statement, 9),
            (self.quotation, 4),
            (self.place_sentence, 3),
            (self.meeting_sentence, 3),
            (self.filler, 81),
        )
        kinds = [s[0] for s in sentences]
        weights = [s[1] for s in sentences]
        paragraphs = 0
        while w.words < target_words or pending or not self.quotes:
            if paragraphs:
                w.text("\n\n")
                if paragraphs >= 3 and r.random() < 0.15:
                    w.text("## " + self.heading() + "\n\n")
            for n in range(r.randint(2, 4)):
                near_end = w.words >= target_words - 120
                if n and w.words >= target_words and not pending and self.quotes:
                    break
                if n:
                    w.text(" ")
                # Near the end, events still unreported are reported, and every article quotes.
                if pending and (r.random() < 0.3 or near_end):
                    self.event_sentence(pending.pop(0))
                elif near_end and not self.quotes:
                    self.quotation()
                elif r.random() < 0.02:
                    self.event_sentence(
                        r.choice([*self.own_events, *self.shared_events]), again=True
                    )
                else:
                    r.choices(kinds, weights)[0]()
            paragraphs += 1

    def build(self) -> ArticleSpec:
        r = self.rng
        lead = actor(self.seed, self.people[0])
        place = CITIES[self.where[0]][0]
        title = (
            f"{lead.name} {r.choice(VERBS)} {r.choice(ADJECTIVES)} {r.choice(NOUNS)} "
            f"as {self.topic} dispute grows in {place}"
        )
        standfirst = f"{self.clause()} in {place}."
        self.body(r.randint(400, 1460))
        body = "".join(self.w.parts)
        mentions = [
            MentionSpec(
                uid=make_uuid(r),
                start=start,
                end=end,
                exact=body[start:end],
                prefix=body[max(0, start - CONTEXT) : start],
                suffix=body[end : end + CONTEXT],
                kind=kind,
                target=target,
            )
            for start, end, kind, target in self.w.spans
        ]
        source, agency = r.choice(SOURCES)
        translated = r.choice(["fr", "ar", "he", "de"]) if r.random() < 0.2 else ""
        status, publish_at, published_at, reason = self.status()
        slug = f"{prefix(self.seed)}{self.index}-{slugify(title)[:60].rstrip('-')}"
        return ArticleSpec(
            index=self.index,
            title=title,
            slug=slug,
            standfirst=standfirst,
            body=body,
            source=source,
            source_url=f"https://news.example.org/{self.day:%Y/%m}/{slug}",
            agency=agency,
            language="en",
            translated_from=translated,
            dateline=self.day,
            status=status,
            publish_at=publish_at,
            published_at=published_at,
            unpublished_reason=reason,
            events=self.own_events,
            quotes=self.quotes,
            mentions=mentions,
        )

    def status(self) -> tuple[str, datetime.datetime | None, datetime.datetime | None, str]:
        r = self.rng
        statuses = [s for s, _ in STATUS_WEIGHTS]
        weights = [w for _, w in STATUS_WEIGHTS]
        status = r.choices(statuses, weights)[0]
        went_out = datetime.datetime.combine(
            self.day, datetime.time(r.randint(5, 22), r.randint(0, 59)), tzinfo=datetime.UTC
        ) + datetime.timedelta(hours=r.randint(0, 36))
        if status == "published":
            return "published", went_out, went_out, ""
        if status == "scheduled":
            when = SCHEDULE_FROM + datetime.timedelta(minutes=self.index)
            return "published", when, when, ""
        if status == "unpublished":
            return "unpublished", went_out, went_out, r.choice(UNPUBLISH_REASONS)
        return status, None, None, ""


def article(seed: int, index: int, actors: int) -> ArticleSpec:
    """Article ``index`` of the seed, its own events, quotes and mentions (all accepted)."""
    return _Article(seed, index, actors).build()
