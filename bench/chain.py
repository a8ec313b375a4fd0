"""Generate a chain-like location dataset and a site folder that builds it (issue 22).

`bench/generate.py` writes descriptions of random words around 60 cities. A real chain's data
looks different, and sitegen's costs follow the data: this module writes what a national
chain exports.

- 1,660 cities over the 50 states and DC (every city has a location from 1,660 rows on; fewer
  rows use fewer of them), named deterministically from syllables ("Cedar Falls",
  "Millbrook"), placed around one to six interior anchor towns of their state, so that the
  coordinates fall inside the state; each city has its state's time zone, a ZIP prefix from
  the state's range and one of the state's real area codes. Locations are spread by a
  Zipf-like weight per city within each state and by the state's population.
- Descriptions written from one shared pool of 21 sentences ("Our friendly team has served
  the {city} community since {year}."): a Markdown heading, 5-7 sentences, and a bullet list
  of the location's services, as a chain's content team or its CMS writes them.
- Categories joined with `|` (the site config maps them with
  `locations.categories_separator: "|"`), standard weeks shared by many locations, holiday
  hours on about a third of them, US phone numbers valid for the numbering plan (555
  exchange), store e-mails, a private manager e-mail column.

The site's config is the example site's `config/base.yaml` and `config/production.yaml`
with the brand, the column mapping and the SEO patterns of this dataset (the example's
coffee brand and its column names are kept; its theme and logo are not, so the build uses
sitegen's default theme). The same count and seed always give byte-identical files.

    python -m bench.chain /tmp/chain-10k --count 10000 --seed 22
    sitegen build --env production --source /tmp/chain-10k --out /tmp/chain-10k-out

`chain_locations` also gives each location's structured week, holidays and phone formats,
which `bench/hugo_compare.py` writes as Hugo front matter.
"""

from __future__ import annotations

import argparse
import csv
import random
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.generate import STREETS

REPO = Path(__file__).resolve().parents[1]
BRAND = "Juniper & Oak Coffee"
DOMAIN = "juniperoak.example"
CITY_COUNT = 1660
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class State:
    code: str
    name: str
    population: float  # millions, 2020 census (rounded): the share of cities and locations
    zone: str
    area_codes: tuple[str, ...]
    zips: tuple[int, int]  # first and last three-digit ZIP prefix
    anchors: tuple[tuple[float, float], ...]  # interior towns the cities are scattered around
    radius: float = 0.35  # degrees of latitude around an anchor


STATES: tuple[State, ...] = (
    State("AL", "Alabama", 5.0, "America/Chicago", ("205", "251", "256", "334"), (350, 369),
          ((33.52, -86.80), (32.37, -86.30), (34.73, -86.59))),
    State("AK", "Alaska", 0.73, "America/Anchorage", ("907",), (995, 999),
          ((61.20, -149.80), (64.84, -147.72), (61.58, -149.44)), 0.15),
    State("AZ", "Arizona", 7.2, "America/Phoenix", ("480", "520", "602", "623", "928"),
          (850, 865), ((33.45, -112.07), (32.22, -110.97), (35.20, -111.65))),
    State("AR", "Arkansas", 3.0, "America/Chicago", ("479", "501", "870"), (716, 729),
          ((34.75, -92.29), (36.06, -94.00), (35.84, -90.80))),
    State("CA", "California", 39.5, "America/Los_Angeles",
          ("213", "310", "415", "510", "619", "714", "818", "916"), (900, 961),
          ((34.10, -118.10), (37.34, -121.89), (38.58, -121.49), (36.74, -119.79),
           (33.95, -117.40), (32.80, -117.00))),
    State("CO", "Colorado", 5.8, "America/Denver", ("303", "719", "970"), (800, 816),
          ((39.74, -104.99), (38.83, -104.82), (39.06, -108.40))),
    State("CT", "Connecticut", 3.6, "America/New_York", ("203", "860"), (60, 69),
          ((41.76, -72.69), (41.40, -72.90), (41.56, -73.05)), 0.15),
    State("DE", "Delaware", 0.99, "America/New_York", ("302",), (197, 199),
          ((39.70, -75.65), (39.16, -75.55)), 0.08),
    State("DC", "District of Columbia", 0.69, "America/New_York", ("202",), (200, 200),
          ((38.90, -77.03),), 0.03),
    State("FL", "Florida", 21.5, "America/New_York", ("305", "407", "813", "904", "954", "561"),
          (320, 349), ((28.54, -81.38), (28.00, -82.35), (30.30, -81.75), (25.90, -80.30),
                       (29.65, -82.32)), 0.25),
    State("GA", "Georgia", 10.7, "America/New_York", ("404", "678", "706", "912", "229"),
          (300, 319), ((33.75, -84.39), (32.84, -83.63), (32.10, -81.20), (34.25, -84.10))),
    State("HI", "Hawaii", 1.46, "Pacific/Honolulu", ("808",), (967, 968),
          ((21.33, -157.85), (19.71, -155.10), (20.87, -156.46)), 0.03),
    State("ID", "Idaho", 1.84, "America/Boise", ("208", "986"), (832, 838),
          ((43.62, -116.20), (43.49, -112.04), (42.56, -114.46))),
    State("IL", "Illinois", 12.8, "America/Chicago",
          ("312", "773", "217", "309", "618", "630", "847"), (600, 629),
          ((41.85, -87.85), (39.78, -89.65), (40.69, -89.59), (40.12, -88.24))),
    State("IN", "Indiana", 6.8, "America/Indiana/Indianapolis", ("317", "219", "260", "812"),
          (460, 479), ((39.77, -86.16), (41.08, -85.14), (39.17, -86.53))),
    State("IA", "Iowa", 3.19, "America/Chicago", ("515", "319", "563", "712"), (500, 528),
          ((41.59, -93.62), (41.98, -91.67), (42.50, -94.17))),
    State("KS", "Kansas", 2.94, "America/Chicago", ("316", "785", "913", "620"), (660, 679),
          ((37.69, -97.34), (39.05, -95.68), (38.84, -97.61))),
    State("KY", "Kentucky", 4.5, "America/New_York", ("502", "859", "270", "606"), (400, 427),
          ((38.15, -85.60), (38.04, -84.50), (37.00, -86.30))),
    State("LA", "Louisiana", 4.66, "America/Chicago", ("504", "225", "318", "337"), (700, 714),
          ((30.45, -91.10), (32.45, -93.70), (30.22, -92.02), (31.31, -92.45)), 0.25),
    State("ME", "Maine", 1.36, "America/New_York", ("207",), (39, 49),
          ((43.75, -70.40), (44.80, -68.85), (44.31, -69.78)), 0.2),
    State("MD", "Maryland", 6.2, "America/New_York", ("301", "410", "240", "443"), (206, 219),
          ((39.30, -76.65), (39.41, -77.41), (38.37, -75.60)), 0.12),
    State("MA", "Massachusetts", 7.0, "America/New_York", ("617", "508", "413", "978", "781"),
          (10, 27), ((42.35, -71.20), (42.26, -71.80), (42.15, -72.55)), 0.15),
    State("MI", "Michigan", 10.1, "America/Detroit", ("313", "248", "517", "616", "734", "810"),
          (480, 499), ((42.40, -83.25), (42.73, -84.56), (42.96, -85.67), (43.60, -84.25))),
    State("MN", "Minnesota", 5.7, "America/Chicago", ("612", "651", "763", "952", "218", "507"),
          (550, 567), ((44.98, -93.27), (44.02, -92.47), (46.75, -92.30), (45.56, -94.16))),
    State("MS", "Mississippi", 2.96, "America/Chicago", ("601", "662", "228"), (386, 397),
          ((32.30, -90.18), (31.33, -89.29), (34.26, -88.70))),
    State("MO", "Missouri", 6.15, "America/Chicago", ("314", "816", "417", "573", "636"),
          (630, 658), ((38.62, -90.40), (39.05, -94.40), (37.21, -93.29), (38.95, -92.33))),
    State("MT", "Montana", 1.08, "America/Denver", ("406",), (590, 599),
          ((45.78, -108.50), (46.87, -113.99), (46.59, -112.04))),
    State("NE", "Nebraska", 1.96, "America/Chicago", ("402", "308", "531"), (680, 693),
          ((41.25, -96.10), (40.81, -96.70), (40.70, -99.08))),
    State("NV", "Nevada", 3.1, "America/Los_Angeles", ("702", "775"), (889, 898),
          ((36.17, -115.14), (39.53, -119.70), (40.83, -115.76))),
    State("NH", "New Hampshire", 1.38, "America/New_York", ("603",), (30, 38),
          ((43.00, -71.46), (43.21, -71.54), (43.60, -71.60)), 0.15),
    State("NJ", "New Jersey", 9.29, "America/New_York",
          ("201", "609", "732", "856", "908", "973"), (70, 89),
          ((40.76, -74.25), (40.49, -74.45), (39.90, -74.90), (39.95, -74.25)), 0.12),
    State("NM", "New Mexico", 2.12, "America/Denver", ("505", "575"), (870, 884),
          ((35.08, -106.65), (35.69, -105.94), (32.32, -106.76))),
    State("NY", "New York", 20.2, "America/New_York",
          ("212", "718", "518", "585", "716", "315", "607", "914"), (100, 149),
          ((40.73, -73.85), (42.65, -73.80), (43.16, -77.61), (43.05, -76.15),
           (42.89, -78.75), (41.10, -73.80)), 0.2),
    State("NC", "North Carolina", 10.4, "America/New_York",
          ("704", "919", "336", "828", "910", "252"), (270, 289),
          ((35.23, -80.84), (35.78, -78.64), (36.07, -79.79), (35.60, -82.55))),
    State("ND", "North Dakota", 0.78, "America/Chicago", ("701",), (580, 588),
          ((46.88, -97.00), (46.81, -100.78), (48.23, -101.30))),
    State("OH", "Ohio", 11.8, "America/New_York", ("216", "614", "513", "419", "330", "937"),
          (430, 459), ((39.96, -83.00), (41.40, -81.70), (39.20, -84.45), (39.76, -84.19),
                       (41.60, -83.65))),
    State("OK", "Oklahoma", 3.96, "America/Chicago", ("405", "918", "580"), (730, 749),
          ((35.47, -97.52), (36.15, -95.99), (34.60, -98.39))),
    State("OR", "Oregon", 4.24, "America/Los_Angeles", ("503", "541", "971"), (970, 979),
          ((45.45, -122.70), (44.94, -123.04), (44.05, -123.09), (44.06, -121.31))),
    State("PA", "Pennsylvania", 13.0, "America/New_York",
          ("215", "412", "717", "610", "814", "570"), (150, 196),
          ((40.00, -75.25), (40.44, -80.00), (40.27, -76.88), (40.60, -75.49),
           (40.79, -77.86))),
    State("RI", "Rhode Island", 1.1, "America/New_York", ("401",), (28, 29),
          ((41.82, -71.45),), 0.06),
    State("SC", "South Carolina", 5.1, "America/New_York", ("803", "843", "864"), (290, 299),
          ((34.00, -81.03), (34.85, -82.40), (32.90, -80.10))),
    State("SD", "South Dakota", 0.89, "America/Chicago", ("605",), (570, 577),
          ((43.55, -96.85), (44.37, -100.35), (44.31, -98.21))),
    State("TN", "Tennessee", 6.9, "America/Chicago", ("615", "901", "865", "423", "731"),
          (370, 385), ((36.16, -86.78), (35.12, -89.85), (35.96, -83.92), (35.10, -85.30))),
    State("TX", "Texas", 29.1, "America/Chicago",
          ("214", "512", "713", "210", "817", "806", "361"), (750, 799),
          ((29.76, -95.37), (32.78, -96.80), (29.42, -98.49), (30.27, -97.74),
           (33.58, -101.86), (32.75, -97.33))),
    State("UT", "Utah", 3.27, "America/Denver", ("801", "385", "435"), (840, 847),
          ((40.70, -111.90), (40.23, -111.66), (37.10, -113.58))),
    State("VT", "Vermont", 0.64, "America/New_York", ("802",), (50, 59),
          ((44.45, -73.05), (44.26, -72.58), (43.61, -72.97)), 0.12),
    State("VA", "Virginia", 8.6, "America/New_York", ("703", "804", "757", "540", "434"),
          (220, 246), ((37.54, -77.44), (36.75, -76.30), (37.27, -79.94), (38.85, -77.31),
                       (38.03, -78.48)), 0.2),
    State("WA", "Washington", 7.7, "America/Los_Angeles", ("206", "253", "425", "360", "509"),
          (980, 994), ((47.60, -122.20), (47.20, -122.40), (47.66, -117.43), (46.60, -120.51)),
          0.2),
    State("WV", "West Virginia", 1.79, "America/New_York", ("304", "681"), (247, 268),
          ((38.35, -81.63), (39.60, -80.00), (38.40, -82.30)), 0.2),
    State("WI", "Wisconsin", 5.9, "America/Chicago", ("414", "608", "920", "715", "262"),
          (530, 549), ((43.02, -88.10), (43.07, -89.40), (44.45, -88.10), (44.81, -91.50))),
    State("WY", "Wyoming", 0.58, "America/Denver", ("307",), (820, 831),
          ((41.14, -104.82), (42.87, -106.31), (41.31, -105.59), (44.80, -106.96))),
)

FIRST = ("Oak", "Maple", "Cedar", "Pine", "Elm", "Ash", "Birch", "Willow", "Spring", "River",
         "Lake", "Hill", "Stone", "Fair", "Green", "Clear", "Silver", "Gold", "Red", "White",
         "Brook", "Glen", "Rock", "Sand", "Wood", "Fox", "Deer", "Eagle", "Bear", "Mill",
         "Bridge", "North", "South", "East", "West", "Rose", "Sun", "Star", "Haven", "Cliff",
         "Meadow", "Prairie", "Crystal", "Harmony", "Liberty", "Union", "Franklin", "Clinton",
         "Madison", "Jackson", "Monroe", "Marion", "Salem", "Bristol", "Chester", "Dover",
         "Auburn", "Milton", "Ashland", "Lebanon", "Hazel", "Laurel", "Holly", "Walnut",
         "Chestnut", "Poplar", "Cypress", "Magnolia", "Juniper", "Spruce")
LAST = ("ville", "ton", "field", "wood", "dale", "burg", "port", "view", "ford", "brook",
        "land", "mont", "ridge", "haven", "stead", " Springs", " Falls", " Heights", " City",
        " Park", " Grove", " Hills", " Valley", " Creek", " Junction", " Ridge", " Crossing",
        " Point", " Lake", " Bluff", " Mills", " Landing")
PREFIXED = ("Fort", "Mount", "New", "Port", "Lake", "Glen")

SENTENCES = (
    "Our friendly team has served the {city} community since {year}.",
    "You will find us on {street}, a short walk from the center of {city}.",
    "Every drink is made to order with beans roasted within the last two weeks.",
    "Mobile orders wait for you at the pickup counter, so you can skip the line.",
    "Parking is free for customers, and there is a bike rack by the entrance.",
    "Our baristas are happy to recommend a seasonal drink or a fresh pastry.",
    "We open early on weekdays for commuters heading out of {city}.",
    "The store was renovated in {renovated} with more seating and a brighter counter.",
    "Families in {city} know us for our weekend hot chocolate and kids' menu.",
    "Ask about our rewards program: every tenth drink is on us.",
    "Free Wi-Fi and power outlets make this a good place to work for an hour.",
    "Unsold pastries go to a food bank in {state} every evening.",
    "Our {city} store hosts a coffee tasting on the first Saturday of each month.",
    "Whole beans and ground coffee are available to take home.",
    "Offices in {city} can order catering boxes a day ahead.",
    "The drive-thru lane is open whenever the store is.",
    "Every team member completes our barista training before their first shift.",
    "Dogs are welcome on the patio, and we keep a water bowl by the door.",
    "Gift cards are sold at the counter and work at any of our stores in {state}.",
    "Readers of a local paper voted us a favorite coffee stop in {city}.",
    "Oat, almond and soy milk are available at no extra charge.",
)
HEADINGS = ("## Welcome to {brand} in {city}", "## About our {city} store",
            "## Your coffee stop in {city}, {state}")
SERVICES = ("Mobile order and pay", "Drive-thru", "Curbside pickup", "Delivery",
            "Catering boxes", "Whole bean grinding", "Free Wi-Fi", "Outdoor seating",
            "Rewards program", "Gift cards", "Accessible entrance", "Restrooms",
            "Plant-based milks", "Fresh pastries daily", "Coffee tastings")
CATEGORIES = ("Café", "Drive-thru", "Bakery", "Mobile order", "Wi-Fi", "Outdoor seating",
              "Wheelchair access", "Delivery", "Pet friendly", "Catering")
PLACES = ("Downtown", "Old Town", "Riverside", "Market Square", "University", "Midtown",
          "Uptown", "West End", "East Side", "Station", "Village", "Heights", "Waterfront",
          "Northgate", "Southside", "Mall", "Plaza", "Crossroads", "Airport", "Medical Center")


@dataclass(frozen=True)
class Week:
    """A standard week: (opens, closes) as 'HH:MM' per day from Monday, None when closed."""
    days: tuple[tuple[str, str] | None, ...]
    text: str  # as a chain's export writes it; the pool mixes 12-hour and OpenStreetMap styles


WEEKS: tuple[tuple[Week, int], ...] = (  # (week, weight)
    (Week((("06:00", "21:00"),) * 5 + (("07:00", "21:00"),) * 2,
          "Mon-Fri 6am-9pm; Sat-Sun 7am-9pm"), 30),
    (Week((("06:30", "20:00"),) * 6 + (("08:00", "18:00"),),
          "Mo-Sa 06:30-20:00; Su 08:00-18:00"), 20),
    (Week((("05:30", "22:00"),) * 7, "Daily 5:30am-10pm"), 15),
    (Week((("06:00", "19:00"),) * 5 + (("07:00", "17:00"), None),
          "Mon-Fri 6am-7pm; Sat 7am-5pm; Sun closed"), 10),
    (Week((("00:00", "24:00"),) * 7, "Mo-Su 00:00-24:00"), 5),
    (Week((("06:00", "21:00"),) * 4 + (("06:00", "23:00"),) * 2 + (("07:00", "20:00"),),
          "Mon-Thu 6am-9pm; Fri-Sat 6am-11pm; Sun 7am-8pm"), 10),
    (Week((("07:00", "15:00"),) * 5 + (None, None), "Mo-Fr 07:00-15:00; Sa-Su closed"), 5),
    (Week((("09:00", "21:00"),) * 6 + (("11:00", "18:00"),),
          "Mon-Sat 9am-9pm; Sun 11am-6pm"), 5),
)


@dataclass(frozen=True)
class Holiday:
    date: str
    hours: tuple[str, str] | None  # None: closed
    label: str


HOLIDAY_SETS: tuple[tuple[Holiday, ...], ...] = (
    (Holiday("2026-11-26", None, "Thanksgiving Day"),
     Holiday("2026-12-24", ("06:00", "14:00"), "Christmas Eve"),
     Holiday("2026-12-25", None, "Christmas Day"),
     Holiday("2027-01-01", ("08:00", "16:00"), "New Year's Day")),
    (Holiday("2026-11-26", None, "Thanksgiving Day"),
     Holiday("2026-12-25", None, "Christmas Day")),
    (Holiday("2026-12-24", ("07:00", "15:00"), "Christmas Eve"),
     Holiday("2026-12-31", ("07:00", "18:00"), "New Year's Eve"),
     Holiday("2027-01-01", None, "New Year's Day")),
)
HOLIDAY_SHARE = 0.35


@dataclass(frozen=True)
class City:
    name: str
    state: State
    lat: float
    lng: float
    zip_prefix: int
    area_code: str
    weight: float


@dataclass(frozen=True)
class ChainLocation:
    """One row of the dataset with the structured values a Hugo site needs as front matter."""
    id: str
    name: str
    street: str
    city: City
    postal_code: str
    lat: float
    lng: float
    phone: str  # national format, as in the row: "(212) 555-0142"
    email: str
    week: Week
    holidays: tuple[Holiday, ...]
    categories: tuple[str, ...]
    neighbourhood: str
    image: str
    description: str

    @property
    def phone_e164(self) -> str:
        return "+1" + "".join(char for char in self.phone if char.isdigit())


COLUMNS = ["store_code", "Store Name", "Address", "City", "State", "Zip", "Country", "Latitude",
           "Longitude", "Phone", "Email", "Hours", "Holiday Hours", "Timezone", "Categories",
           "Neighbourhood", "Description", "Image", "Manager Email"]


def _city_counts(total: int) -> list[int]:
    """Cities per state: by population (largest remainder), DC one, every state at least 4."""
    counts = [1 if state.code == "DC" else 4 for state in STATES]
    spare = total - sum(counts)
    weight = sum(state.population for state in STATES if state.code != "DC")
    shares = [0.0 if state.code == "DC" else spare * state.population / weight
              for state in STATES]
    extra = [int(share) for share in shares]
    order = sorted(range(len(STATES)), key=lambda i: extra[i] - shares[i])
    for index in order[:spare - sum(extra)]:
        extra[index] += 1
    return [count + more for count, more in zip(counts, extra, strict=True)]


def _city_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        if rng.random() < 0.15:
            name = f"{rng.choice(PREFIXED)} {rng.choice(FIRST)}"
        else:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            name = first + (last if last.startswith(" ") or not first.endswith(last[0])
                            else last[1:])
        if name not in taken:
            taken.add(name)
            return name


def make_cities(seed: int, total: int = CITY_COUNT) -> list[City]:
    """`total` cities over the 50 states and DC; within a state the first is the largest."""
    rng = random.Random(seed)
    cities = []
    for state, count in zip(STATES, _city_counts(total), strict=True):
        taken: set[str] = set()
        zipf = [1 / (rank + 1) ** 0.9 for rank in range(count)]
        for rank in range(count):
            name = "Washington" if state.code == "DC" else _city_name(rng, taken)
            lat, lng = state.anchors[rank % len(state.anchors)]
            distance = state.radius * rng.random() ** 0.5
            bearing = rng.uniform(-1, 1), rng.uniform(-1, 1)
            norm = max(abs(bearing[0]), abs(bearing[1]), 1e-9)
            cities.append(City(
                name=name, state=state,
                lat=round(lat + distance * bearing[0] / norm, 4),
                lng=round(lng + distance * bearing[1] / norm * 1.3, 4),
                zip_prefix=rng.randint(*state.zips),
                area_code=rng.choice(state.area_codes),
                weight=state.population * zipf[rank] / sum(zipf)))
    return cities


def pool_sentences(rng: random.Random, city: str, state: str, street: str) -> list[str]:
    """5-7 sentences of the shared pool in random order, the location's city, state and
    street and a random opening and renovation year filled in: the templated text a chain's
    locations share (the tests of the near-duplicate audit describe their sites with it)."""
    values = {"city": city, "state": state, "street": street,
              "year": rng.randint(1994, 2024), "renovated": rng.randint(2015, 2025)}
    return [text.format(**values) for text in rng.sample(SENTENCES, rng.randint(5, 7))]


def _description(rng: random.Random, city: City, street: str) -> str:
    """A heading, 5-7 pool sentences in two paragraphs, and a bullet list of services."""
    values = {"city": city.name, "state": city.state.name, "brand": BRAND}
    sentences = pool_sentences(rng, city.name, city.state.name, street)
    split = len(sentences) // 2
    services = "\n".join(f"- {item}" for item in rng.sample(SERVICES, rng.randint(3, 6)))
    return (rng.choice(HEADINGS).format(**values) + "\n\n" + " ".join(sentences[:split])
            + "\n\n" + " ".join(sentences[split:]) + "\n\n### Services at this store\n\n"
            + services)


def _assign_cities(rng: random.Random, cities: list[City], count: int) -> list[City]:
    """Each location's city: one in every city first when there are enough rows, then by weight."""
    first = list(cities) if count >= len(cities) else []
    rng.shuffle(first)
    rest = rng.choices(cities, weights=[city.weight for city in cities], k=count - len(first))
    return first + rest


def chain_locations(count: int, seed: int = 22) -> list[ChainLocation]:
    """`count` chain-like locations; the same count and seed give the same locations."""
    rng = random.Random(seed)
    cities = make_cities(seed)
    weeks = [week for week, _ in WEEKS]
    week_weights = [weight for _, weight in WEEKS]
    names: set[tuple[str, str]] = set()
    locations = []
    for n, city in enumerate(_assign_cities(rng, cities, count)):
        street_name = rng.choice(STREETS)
        street = f"{rng.randint(1, 9999)} {street_name}"
        place = rng.choice(PLACES) if rng.random() < 0.5 else street_name
        name = base = f"{BRAND} {city.name} {place}"
        suffix = 2
        while (city.state.code, name) in names:  # unique within the city: one URL each
            name, suffix = f"{base} {suffix}", suffix + 1
        names.add((city.state.code, name))
        locations.append(ChainLocation(
            id=f"JO-{n:06d}", name=name, street=street, city=city,
            postal_code=f"{city.zip_prefix:03d}{rng.randint(0, 99):02d}",
            lat=round(city.lat + rng.uniform(-0.03, 0.03), 6),
            lng=round(city.lng + rng.uniform(-0.04, 0.04), 6),
            phone=f"({city.area_code}) 555-{rng.randint(100, 9999):04d}",
            email=f"store{n:06d}@{DOMAIN}" if rng.random() < 0.6 else "",
            week=rng.choices(weeks, weights=week_weights)[0],
            holidays=rng.choice(HOLIDAY_SETS) if rng.random() < HOLIDAY_SHARE else (),
            categories=tuple(["Café", *rng.sample(CATEGORIES[1:], rng.randint(0, 3))]),
            neighbourhood=rng.choice(PLACES) if rng.random() < 0.3 else "",
            image=f"https://images.{DOMAIN}/stores/{n:06d}.jpg" if rng.random() < 0.3 else "",
            description=_description(rng, city, street),
        ))
    return locations


def holiday_text(holidays: tuple[Holiday, ...]) -> str:
    return "; ".join(f"{day.date} {'-'.join(day.hours) if day.hours else 'closed'} {day.label}"
                     for day in holidays)


def csv_row(location: ChainLocation) -> dict[str, str]:
    return {
        "store_code": location.id, "Store Name": location.name, "Address": location.street,
        "City": location.city.name, "State": location.city.state.code,
        "Zip": location.postal_code, "Country": "US", "Latitude": f"{location.lat:.6f}",
        "Longitude": f"{location.lng:.6f}", "Phone": location.phone, "Email": location.email,
        "Hours": location.week.text, "Holiday Hours": holiday_text(location.holidays),
        "Timezone": location.city.state.zone, "Categories": "|".join(location.categories),
        "Neighbourhood": location.neighbourhood, "Description": location.description,
        "Image": location.image, "Manager Email": f"manager.{location.id.lower()}@{DOMAIN}",
    }


def site_config() -> dict[str, object]:
    """The example site's base config with this dataset's brand, columns and separator."""
    config = yaml.safe_load((REPO / "config" / "base.yaml").read_text(encoding="utf-8"))
    config.pop("theme", None)
    config["site"].pop("logo", None)
    config["site"]["description"] = "Coffee roasted in small batches, in 1,660 US cities."
    config["locations"]["fields"].pop("booking_url", None)  # the chain has no booking links
    config["locations"]["categories_separator"] = "|"
    config["seo"] = {
        "location_title": "{name}, {street}, {city} | Coffee in {city}",
        "location_description": "Visit {name} at {street}, {city}: opening hours, "
                                "directions, phone, services and nearby stores.",
    }
    return config


def write_site(folder: Path, count: int, seed: int = 22,
               locations: list[ChainLocation] | None = None) -> Path:
    """Write a buildable site folder (config/, locations/, content/) with `count` locations
    (or the given ones, made by `chain_locations(count, seed)`)."""
    folder = Path(folder)
    for part in ("config", "locations", "content"):
        (folder / part).mkdir(parents=True, exist_ok=True)
    header = f"# Generated by bench/chain.py: {count} chain-like locations (seed {seed}).\n"
    (folder / "config" / "base.yaml").write_text(
        header + yaml.safe_dump(site_config(), sort_keys=False, allow_unicode=True),
        encoding="utf-8")
    production = REPO / "config" / "production.yaml"
    (folder / "config" / "production.yaml").write_bytes(production.read_bytes())
    favicon = REPO / "content" / "favicon.svg"
    (folder / "content" / "favicon.svg").write_bytes(favicon.read_bytes())
    (folder / "content" / "index.md").write_text(
        f"---\ntitle: {BRAND}\ndescription: Find a café near you.\n---\n"
        "Find one of our cafés near you.\n", encoding="utf-8")
    with open(folder / "locations" / "locations.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(csv_row(location)
                         for location in locations or chain_locations(count, seed))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=22)
    args = parser.parse_args()
    write_site(args.folder, args.count, args.seed)
    print(f"wrote {args.count} chain-like locations to {args.folder}")


if __name__ == "__main__":
    main()
