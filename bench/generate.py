"""Generate a synthetic, reproducible location dataset and a site folder that builds it.

Used by the large-site tests (tests/cli/test_locator_scale.py) and handy for benchmarks:

    python -m bench.generate /tmp/big-site --count 10000 --seed 7
    sitegen build --source /tmp/big-site

The same count and seed always give byte-identical files. Locations are spread around real
US and Canadian cities (jittered by a few kilometres), with realistic names, streets, postcodes,
phone numbers, weekly hours, holiday hours, categories and time zones.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

# (city, region, country, lat, lng, time zone, postcode prefix, phone area code)
CITIES = [
    ("New York", "NY", "US", 40.7128, -74.0060, "America/New_York", "100", "212"),
    ("Brooklyn", "NY", "US", 40.6782, -73.9442, "America/New_York", "112", "718"),
    ("Buffalo", "NY", "US", 42.8864, -78.8784, "America/New_York", "142", "716"),
    ("Boston", "MA", "US", 42.3601, -71.0589, "America/New_York", "021", "617"),
    ("Worcester", "MA", "US", 42.2626, -71.8023, "America/New_York", "016", "508"),
    ("Philadelphia", "PA", "US", 39.9526, -75.1652, "America/New_York", "191", "215"),
    ("Pittsburgh", "PA", "US", 40.4406, -79.9959, "America/New_York", "152", "412"),
    ("Washington", "DC", "US", 38.9072, -77.0369, "America/New_York", "200", "202"),
    ("Baltimore", "MD", "US", 39.2904, -76.6122, "America/New_York", "212", "410"),
    ("Atlanta", "GA", "US", 33.7490, -84.3880, "America/New_York", "303", "404"),
    ("Miami", "FL", "US", 25.7617, -80.1918, "America/New_York", "331", "305"),
    ("Orlando", "FL", "US", 28.5384, -81.3789, "America/New_York", "328", "407"),
    ("Charlotte", "NC", "US", 35.2271, -80.8431, "America/New_York", "282", "704"),
    ("Raleigh", "NC", "US", 35.7796, -78.6382, "America/New_York", "276", "919"),
    ("Detroit", "MI", "US", 42.3314, -83.0458, "America/Detroit", "482", "313"),
    ("Columbus", "OH", "US", 39.9612, -82.9988, "America/New_York", "432", "614"),
    ("Cleveland", "OH", "US", 41.4993, -81.6944, "America/New_York", "441", "216"),
    ("Chicago", "IL", "US", 41.8781, -87.6298, "America/Chicago", "606", "312"),
    ("Springfield", "IL", "US", 39.7817, -89.6501, "America/Chicago", "627", "217"),
    ("Minneapolis", "MN", "US", 44.9778, -93.2650, "America/Chicago", "554", "612"),
    ("St. Louis", "MO", "US", 38.6270, -90.1994, "America/Chicago", "631", "314"),
    ("Kansas City", "MO", "US", 39.0997, -94.5786, "America/Chicago", "641", "816"),
    ("Milwaukee", "WI", "US", 43.0389, -87.9065, "America/Chicago", "532", "414"),
    ("Nashville", "TN", "US", 36.1627, -86.7816, "America/Chicago", "372", "615"),
    ("New Orleans", "LA", "US", 29.9511, -90.0715, "America/Chicago", "701", "504"),
    ("Houston", "TX", "US", 29.7604, -95.3698, "America/Chicago", "770", "713"),
    ("Dallas", "TX", "US", 32.7767, -96.7970, "America/Chicago", "752", "214"),
    ("Austin", "TX", "US", 30.2672, -97.7431, "America/Chicago", "787", "512"),
    ("San Antonio", "TX", "US", 29.4241, -98.4936, "America/Chicago", "782", "210"),
    ("Denver", "CO", "US", 39.7392, -104.9903, "America/Denver", "802", "303"),
    ("Boulder", "CO", "US", 40.0150, -105.2705, "America/Denver", "803", "303"),
    ("Salt Lake City", "UT", "US", 40.7608, -111.8910, "America/Denver", "841", "801"),
    ("Phoenix", "AZ", "US", 33.4484, -112.0740, "America/Phoenix", "850", "602"),
    ("Tucson", "AZ", "US", 32.2226, -110.9747, "America/Phoenix", "857", "520"),
    ("Albuquerque", "NM", "US", 35.0844, -106.6504, "America/Denver", "871", "505"),
    ("Las Vegas", "NV", "US", 36.1699, -115.1398, "America/Los_Angeles", "891", "702"),
    ("Los Angeles", "CA", "US", 34.0522, -118.2437, "America/Los_Angeles", "900", "213"),
    ("San Diego", "CA", "US", 32.7157, -117.1611, "America/Los_Angeles", "921", "619"),
    ("San Francisco", "CA", "US", 37.7749, -122.4194, "America/Los_Angeles", "941", "415"),
    ("San José", "CA", "US", 37.3382, -121.8863, "America/Los_Angeles", "951", "408"),
    ("Sacramento", "CA", "US", 38.5816, -121.4944, "America/Los_Angeles", "958", "916"),
    ("Portland", "OR", "US", 45.5152, -122.6784, "America/Los_Angeles", "972", "503"),
    ("Eugene", "OR", "US", 44.0521, -123.0868, "America/Los_Angeles", "974", "541"),
    ("Seattle", "WA", "US", 47.6062, -122.3321, "America/Los_Angeles", "981", "206"),
    ("Spokane", "WA", "US", 47.6588, -117.4260, "America/Los_Angeles", "992", "509"),
    ("Anchorage", "AK", "US", 61.2181, -149.9003, "America/Anchorage", "995", "907"),
    ("Honolulu", "HI", "US", 21.3069, -157.8583, "Pacific/Honolulu", "968", "808"),
    ("Toronto", "ON", "CA", 43.6532, -79.3832, "America/Toronto", "M5V", "416"),
    ("Ottawa", "ON", "CA", 45.4215, -75.6972, "America/Toronto", "K1P", "613"),
    ("Hamilton", "ON", "CA", 43.2557, -79.8711, "America/Toronto", "L8P", "905"),
    ("Montréal", "QC", "CA", 45.5019, -73.5674, "America/Toronto", "H2X", "514"),
    ("Québec", "QC", "CA", 46.8139, -71.2080, "America/Toronto", "G1R", "418"),
    ("Halifax", "NS", "CA", 44.6488, -63.5752, "America/Halifax", "B3H", "902"),
    ("Winnipeg", "MB", "CA", 49.8951, -97.1384, "America/Winnipeg", "R3C", "204"),
    ("Regina", "SK", "CA", 50.4452, -104.6189, "America/Regina", "S4P", "306"),
    ("Calgary", "AB", "CA", 51.0447, -114.0719, "America/Edmonton", "T2P", "403"),
    ("Edmonton", "AB", "CA", 53.5461, -113.4938, "America/Edmonton", "T5J", "780"),
    ("Vancouver", "BC", "CA", 49.2827, -123.1207, "America/Vancouver", "V6B", "604"),
    ("Victoria", "BC", "CA", 48.4284, -123.3656, "America/Vancouver", "V8W", "250"),
]
BRAND = "Juniper & Oak Coffee"
PLACES = ["Downtown", "Old Town", "Riverside", "Harbour", "Market Square", "University",
          "Midtown", "Uptown", "West End", "East Side", "Station", "Park", "Village",
          "Heights", "Arts District", "Waterfront", "Northgate", "Southside", "Lakeside",
          "Main Street", "Chinatown", "Little Italy", "Hillcrest", "Oakwood", "Mill District"]
STREETS = ["Main St", "Oak Ave", "Maple St", "Park Ave", "2nd St", "Elm St", "Cedar Rd",
           "Lake St", "Hill Rd", "Church St", "King St", "Queen St", "Market St", "Broadway",
           "Pine St", "Washington Ave", "River Rd", "College St", "Front St", "Water St"]
CATEGORIES = ["Café", "Roastery", "Bakery", "Wi-Fi", "Outdoor seating", "Drive-thru",
              "Pet friendly", "Wheelchair access", "Kiosk", "Brewing classes"]
HOURS = ["Mon-Fri 7am-6pm; Sat-Sun 8am-5pm",
         "Mo-Fr 06:30-19:00; Sa 07:00-19:00; Su 08:00-17:00",
         "Mon-Sat 7am-8pm; Sun 9am-4pm", "Daily 6am-10pm",
         "Mon-Fri 6am-2pm; Sat 8am-2pm; Sun closed", "Mo-Su 00:00-24:00",
         "Mon-Thu 7am-9pm; Fri-Sat 7am-1am; Sun 8am-6pm"]
HOLIDAYS = ["2026-11-26 closed Thanksgiving Day; 2026-12-25 closed Christmas Day",
            "2026-12-24 07:00-14:00 Christmas Eve; 2026-12-25 closed Christmas Day; "
            "2027-01-01 closed New Year's Day", ""]
COLUMNS = ["id", "name", "street", "city", "region", "postal_code", "country", "lat", "lng",
           "phone", "hours", "special_hours", "timezone", "categories", "image", "description"]

WORDS = (
    "espresso roast single origin morning neighbourhood counter barista pastry oat milk "
    "window seat terrace bicycle rack quiet corner laptop friendly music weekend brunch "
    "cardamom bun sourdough toast pour-over filter batch brew tasting notes cherry chocolate "
    "citrus caramel farmers cooperative harvest washed natural honey process drum roaster "
    "cooling tray delivery van market street station park river library school theatre "
    "gallery bookshop community board local artists seasonal menu cold brew tonic matcha chai "
    "decaf swiss water staff favourite regulars commuters students families dog bowl "
    "wheelchair access step-free entrance changing table free wifi outlets long table "
    "workshop class subscription beans grinder kettle scale recipe card"
).split()


def _description(rng: random.Random, city: str, place: str) -> str:
    """About 150 words of Markdown: two paragraphs, some emphasis and a short list."""
    def sentence(length: int) -> str:
        words = [rng.choice(WORDS) for _ in range(length)]
        return " ".join(words).capitalize() + "."

    first = (f"Our {place} café in {city} " + sentence(10) + " " + sentence(12) + " **"
             + sentence(6)[:-1] + "**. " + sentence(14))
    second = sentence(16) + " *" + sentence(8)[:-1] + "*. " + sentence(18) + " " + sentence(12)
    items = "\n".join(f"- {sentence(rng.randint(3, 6))}" for _ in range(3))
    return f"{first}\n\n{second}\n\n{items}\n\n{sentence(14)}"


def _postcode(rng: random.Random, prefix: str) -> str:
    if prefix[0].isalpha():  # Canadian: A1A 1A1
        letters = "ABCEGHJKLMNPRSTVWXYZ"
        return f"{prefix} {rng.randint(1, 9)}{rng.choice(letters)}{rng.randint(1, 9)}"
    return f"{prefix}{rng.randint(0, 99):02d}"


def generate_rows(count: int, seed: int = 7) -> list[dict[str, str]]:
    """`count` location rows (dicts keyed by COLUMNS); the same seed gives the same rows."""
    rng = random.Random(seed)
    words = random.Random(seed + 1)
    rows = []
    for n in range(count):
        city, region, country, lat, lng, zone, prefix, area = rng.choice(CITIES)
        place = rng.choice(PLACES)
        cats = rng.sample(CATEGORIES, rng.randint(1, 3))
        rows.append({
            "id": f"GEN-{n:05d}",
            "name": f"{BRAND} — {city} {place} {n}",
            "street": f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
            "city": city, "region": region, "postal_code": _postcode(rng, prefix),
            "country": country,
            "lat": f"{lat + rng.uniform(-0.15, 0.15):.6f}",
            "lng": f"{lng + rng.uniform(-0.2, 0.2):.6f}",
            "phone": f"({area}) 555-{rng.randint(100, 9999):04d}",
            "hours": rng.choice(HOURS),
            "special_hours": rng.choice(HOLIDAYS),
            "timezone": zone,
            "categories": ", ".join(cats),
            "image": f"https://images.example.com/stores/gen-{n:05d}.jpg"
            if rng.random() < 0.3 else "",
            "description": _description(words, city, place),
        })
    return rows


BASE_YAML = """\
# Generated by bench/generate.py: {count} synthetic locations (seed {seed}).
base_url: https://www.example.com
site:
  name: {brand}
  description: Synthetic locations for load and size tests.
  unit: km
locations:
  source: locations/locations.csv
  id: id
  phone_region: US
# The rows' photos are on an image host, which a build that is not public loads only once
# it is listed (development, staging: the foreign-origin guard).
audit:
  allowed_origins: ["https://images.example.com"]
"""


def write_site(folder: Path, count: int, seed: int = 7) -> Path:
    """Write a buildable site folder (config/, locations/, content/) with `count` locations."""
    folder = Path(folder)
    (folder / "config").mkdir(parents=True, exist_ok=True)
    (folder / "locations").mkdir(exist_ok=True)
    (folder / "content").mkdir(exist_ok=True)
    (folder / "config" / "base.yaml").write_text(
        BASE_YAML.format(count=count, seed=seed, brand=BRAND), encoding="utf-8")
    (folder / "content" / "index.md").write_text(
        f"---\ntitle: {BRAND}\ndescription: Find a café.\n---\nFind a café near you.\n",
        encoding="utf-8")
    with open(folder / "locations" / "locations.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(generate_rows(count, seed))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write_site(args.folder, args.count, args.seed)
    print(f"wrote {args.count} locations to {args.folder}")


if __name__ == "__main__":
    main()
