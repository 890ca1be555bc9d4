"""Fixed word lists for the synthetic registry: metros, people, streets and clinic names.

Every person and clinic produced from these lists is fictional. Order matters: the generator
draws from these tuples with a seeded RNG, so editing them changes the bundled demo seed
(regenerate it with `python seed_data/generate.py`).
"""

# fmt: off

# USPS codes of the 50 states and DC (territories are left out).
STATES: tuple[str, ...] = (
    "AK", "AL", "AR", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "HI", "IA", "ID", "IL", "IN",
    "KS", "KY", "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MS", "MT", "NC", "ND", "NE", "NH", "NJ",
    "NM", "NV", "NY", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VT", "WA",
    "WI", "WV", "WY",
)

# (name, principal city's state, center lat, center lon, metro population in millions)
METROS: tuple[tuple[str, str, float, float, float], ...] = (
    ("New York", "NY", 40.7128, -74.006, 19.5),
    ("Los Angeles", "CA", 34.0522, -118.2437, 12.8),
    ("Chicago", "IL", 41.8781, -87.6298, 9.3),
    ("Dallas", "TX", 32.7767, -96.797, 7.9),
    ("Houston", "TX", 29.7604, -95.3698, 7.3),
    ("Washington", "DC", 38.9072, -77.0369, 6.3),
    ("Philadelphia", "PA", 39.9526, -75.1652, 6.2),
    ("Atlanta", "GA", 33.749, -84.388, 6.2),
    ("Miami", "FL", 25.7617, -80.1918, 6.1),
    ("Phoenix", "AZ", 33.4484, -112.074, 5.0),
    ("Boston", "MA", 42.3601, -71.0589, 4.9),
    ("San Francisco", "CA", 37.7749, -122.4194, 4.6),
    ("Riverside", "CA", 33.9806, -117.3755, 4.6),
    ("Detroit", "MI", 42.3314, -83.0458, 4.3),
    ("Seattle", "WA", 47.6062, -122.3321, 4.0),
    ("Minneapolis", "MN", 44.9778, -93.265, 3.7),
    ("San Diego", "CA", 32.7157, -117.1611, 3.3),
    ("Tampa", "FL", 27.9506, -82.4572, 3.3),
    ("Denver", "CO", 39.7392, -104.9903, 3.0),
    ("Baltimore", "MD", 39.2904, -76.6122, 2.8),
    ("St. Louis", "MO", 38.627, -90.1994, 2.8),
    ("Orlando", "FL", 28.5383, -81.3792, 2.7),
    ("Charlotte", "NC", 35.2271, -80.8431, 2.7),
    ("San Antonio", "TX", 29.4241, -98.4936, 2.6),
    ("Portland", "OR", 45.5152, -122.6784, 2.5),
    ("Sacramento", "CA", 38.5816, -121.4944, 2.4),
    ("Pittsburgh", "PA", 40.4406, -79.9959, 2.4),
    ("Austin", "TX", 30.2672, -97.7431, 2.4),
    ("Las Vegas", "NV", 36.1699, -115.1398, 2.3),
    ("Cincinnati", "OH", 39.1031, -84.512, 2.3),
    ("Kansas City", "MO", 39.0997, -94.5786, 2.2),
    ("Columbus", "OH", 39.9612, -82.9988, 2.1),
    ("Indianapolis", "IN", 39.7684, -86.1581, 2.1),
    ("Cleveland", "OH", 41.4993, -81.6944, 2.1),
    ("San Jose", "CA", 37.3382, -121.8863, 2.0),
    ("Nashville", "TN", 36.1627, -86.7816, 2.0),
    ("Virginia Beach", "VA", 36.8529, -75.978, 1.8),
    ("Providence", "RI", 41.824, -71.4128, 1.7),
    ("Jacksonville", "FL", 30.3322, -81.6557, 1.6),
    ("Milwaukee", "WI", 43.0389, -87.9065, 1.6),
    ("Raleigh", "NC", 35.7796, -78.6382, 1.4),
    ("Oklahoma City", "OK", 35.4676, -97.5164, 1.4),
    ("Memphis", "TN", 35.1495, -90.049, 1.3),
    ("Richmond", "VA", 37.5407, -77.436, 1.3),
    ("Louisville", "KY", 38.2527, -85.7585, 1.3),
    ("New Orleans", "LA", 29.9511, -90.0715, 1.3),
    ("Salt Lake City", "UT", 40.7608, -111.891, 1.3),
    ("Hartford", "CT", 41.7658, -72.6734, 1.2),
    ("Buffalo", "NY", 42.8864, -78.8784, 1.2),
    ("Birmingham", "AL", 33.5186, -86.8104, 1.1),
    ("Rochester", "NY", 43.1566, -77.6088, 1.1),
    ("Grand Rapids", "MI", 42.9634, -85.6681, 1.1),
    ("Tucson", "AZ", 32.2226, -110.9747, 1.0),
    ("Honolulu", "HI", 21.3069, -157.8583, 1.0),
    ("Tulsa", "OK", 36.154, -95.9928, 1.0),
    ("Fresno", "CA", 36.7378, -119.7871, 1.0),
    ("Omaha", "NE", 41.2565, -95.9345, 1.0),
    ("Albuquerque", "NM", 35.0844, -106.6504, 0.9),
    ("Greenville", "SC", 34.8526, -82.394, 0.9),
    ("Knoxville", "TN", 35.9606, -83.9207, 0.9),
    ("Boise", "ID", 43.615, -116.2023, 0.8),
    ("Charleston", "SC", 32.7765, -79.9311, 0.8),
    ("Little Rock", "AR", 34.7465, -92.2896, 0.75),
    ("Des Moines", "IA", 41.5868, -93.625, 0.7),
    ("Wichita", "KS", 37.6872, -97.3301, 0.65),
    ("Jackson", "MS", 32.2988, -90.1848, 0.6),
    ("Spokane", "WA", 47.6588, -117.426, 0.6),
    ("Portland", "ME", 43.6591, -70.2568, 0.55),
    ("Reno", "NV", 39.5296, -119.8138, 0.5),
    ("Anchorage", "AK", 61.2181, -149.9003, 0.4),
    ("Manchester", "NH", 42.9956, -71.4548, 0.4),
    ("Sioux Falls", "SD", 43.5446, -96.7311, 0.3),
    ("Fargo", "ND", 46.8772, -96.7898, 0.25),
    ("Charleston", "WV", 38.3498, -81.6326, 0.25),
    ("Billings", "MT", 45.7833, -108.5007, 0.2),
    ("Burlington", "VT", 44.4759, -73.2121, 0.2),
    ("Cheyenne", "WY", 41.14, -104.8202, 0.1),
)

FEMALE_FIRST: tuple[str, ...] = (
    "Abigail", "Adaeze", "Aisha", "Alejandra", "Amara", "Amina", "Ana", "Anjali", "Beatriz",
    "Camila", "Carmen", "Catherine", "Chloe", "Claire", "Daniela", "Deborah", "Elena", "Emily",
    "Esperanza", "Fatima", "Grace", "Hana", "Hannah", "Ingrid", "Isabel", "Jasmine", "Jennifer",
    "Ji-woo", "Julia", "Kalani", "Katherine", "Keisha", "Laila", "Lakshmi", "Laura", "Leah",
    "Lucia", "Mai", "Margaret", "Maria", "Maya", "Mei", "Michelle", "Nadia", "Naomi", "Natalia",
    "Nicole", "Olivia", "Priya", "Rachel", "Rebecca", "Rosa", "Sarah", "Sofia", "Svetlana",
    "Tamika", "Thuy", "Valentina", "Yasmin", "Yuki", "Zainab", "Zoe",
)

MALE_FIRST: tuple[str, ...] = (
    "Aaron", "Adrian", "Ahmed", "Alejandro", "Andre", "Arjun", "Benjamin", "Carlos", "Chen",
    "Christopher", "Daniel", "David", "Diego", "Dmitri", "Elijah", "Emmanuel", "Ethan", "Farid",
    "Gabriel", "Hassan", "Hiroshi", "Isaac", "James", "Javier", "Jerome", "Jin", "Jonathan", "Jose",
    "Joseph", "Kenji", "Kwame", "Luis", "Malik", "Marcus", "Mateo", "Michael", "Minh", "Mohammed",
    "Nathan", "Nikolai", "Omar", "Patrick", "Rafael", "Rahul", "Ricardo", "Robert", "Samuel",
    "Sanjay", "Sergei", "Thomas", "Tuan", "Victor", "William", "Xavier", "Yusuf",
)

NEUTRAL_FIRST: tuple[str, ...] = (
    "Alex", "Avery", "Casey", "Jamie", "Jordan", "Kai", "Morgan", "Quinn", "Reese", "Riley",
    "Rowan", "Sam", "Skyler", "Taylor",
)

LAST_NAMES: tuple[str, ...] = (
    "Abbott", "Adeyemi", "Aguilar", "Ahmed", "Alvarez", "Anderson", "Baker", "Banerjee", "Bennett",
    "Brooks", "Campbell", "Castillo", "Chang", "Chavez", "Chen", "Cohen", "Collins", "Cruz", "Das",
    "Delgado", "Diaz", "Dubois", "Edwards", "Ellis", "Evans", "Fernandez", "Fischer", "Flores",
    "Foster", "Garcia", "Goldberg", "Gomez", "Gonzalez", "Gupta", "Haddad", "Hall", "Harris",
    "Hayes", "Hernandez", "Hoang", "Huang", "Hughes", "Ibrahim", "Ito", "Jackson", "Jensen",
    "Johnson", "Kaur", "Khan", "Kim", "Kowalski", "Kumar", "Le", "Lee", "Levy", "Lin", "Lopez",
    "Mahmoud", "Martin", "Martinez", "Mendoza", "Mitchell", "Moreno", "Morris", "Murphy",
    "Nakamura", "Nguyen", "Novak", "Obi", "Okafor", "Olsen", "Ortiz", "Owens", "Park", "Patel",
    "Perez", "Petrov", "Pham", "Price", "Quinn", "Ramirez", "Reddy", "Reyes", "Rivera", "Robinson",
    "Rodriguez", "Romero", "Rossi", "Russo", "Saleh", "Sanchez", "Santos", "Schmidt", "Shah",
    "Singh", "Sokolov", "Sullivan", "Suzuki", "Tanaka", "Taylor", "Thompson", "Torres", "Tran",
    "Turner", "Vargas", "Vasquez", "Volkov", "Walker", "Wang", "Washington", "Weiss", "Williams",
    "Wong", "Wright", "Wu", "Yamamoto", "Yang", "Young", "Zhang", "Zhou",
)

# Extra languages a provider may speak besides English: (ISO 639-1 code, probability).
EXTRA_LANGUAGES: tuple[tuple[str, float], ...] = (
    ("zh", 0.035), ("vi", 0.025), ("ko", 0.02), ("ru", 0.02), ("ar", 0.02), ("tl", 0.02),
    ("fr", 0.025), ("pt", 0.02), ("hi", 0.025),
)

STREETS: tuple[str, ...] = (
    "Oak", "Maple", "Cedar", "Pine", "Elm", "Main", "Park", "Washington", "Lake", "Hill", "Walnut",
    "Spring", "Highland", "Church", "Market", "Center", "Union", "River", "Franklin", "Jefferson",
    "Lincoln", "Madison", "Broad", "Grove", "Sunset", "Meadow", "Ridge", "Willow", "Harbor",
    "College", "Magnolia", "Chestnut", "Laurel", "Front", "Commerce", "Medical Center",
    "Professional", "Wellness", "Bay", "Valley",
)

STREET_SUFFIXES: tuple[str, ...] = (
    "St", "Ave", "Blvd", "Dr", "Rd", "Way", "Pkwy", "Ln", "Ct", "Pl",
)

SUITES: tuple[str, ...] = (
    "Suite 100", "Suite 101", "Suite 110", "Suite 120", "Suite 150", "Suite 200", "Suite 210",
    "Suite 220", "Suite 250", "Suite 300", "Suite 310", "Suite 350", "Suite 400", "Suite 410",
    "Suite 500", "Suite 600", "Suite 1200", "Unit B", "Unit 4", "Floor 2", "Floor 3",
)

CLINIC_PREFIXES: tuple[str, ...] = (
    "Harbor", "Summit", "Cedar", "Lumen", "Northstar", "Clearwater", "Bright Path", "Evergreen",
    "Horizon", "Keystone", "Lighthouse", "Meridian", "New Dawn", "Oakwood", "Pinnacle", "Riverbend",
    "Sage", "Serenity", "Silverline", "Stillwater", "Sunrise", "Tidewater", "Trailhead",
    "True North", "Willowbrook", "Aspen", "Bluebird", "Compass", "Crossroads", "Daybreak",
    "Elm Street", "Fairhaven", "Foothills", "Greenleaf", "Haven", "Juniper", "Lakeside", "Magnolia",
    "Mosaic", "Open Door", "Pathways", "Prairie", "Redwood", "Restore", "Ridgeview", "Second Wind",
    "Skyline", "Solace", "Steady Ground", "Tranquil", "Unity", "Vista", "Waypoint", "Wellspring",
    "Westbrook", "Wildflower", "Anchor", "Beacon", "Catalyst", "Emerald",
)

CLINIC_SUFFIXES: tuple[str, ...] = (
    "Ketamine & Psychiatry", "Ketamine Clinic", "Ketamine Center", "Infusion Center",
    "Behavioral Health", "Mind & Wellness", "Psychiatric Associates", "Ketamine Therapy",
    "Mental Health Partners", "Integrative Psychiatry", "Infusion & Wellness", "Neuropsychiatry",
    "Ketamine Institute", "Trauma & Recovery Center", "Mood Clinic",
)

# Independent odds of each optional attribute (vocab values, in vocab order; tests check them).
MODALITY_ODDS: dict[str, float] = {
    "iv_infusion": 0.8, "im_injection": 0.3, "intranasal_esketamine": 0.3, "oral_sublingual": 0.12,
    "ketamine_assisted_psychotherapy": 0.3,
}

EXTRA_CONDITION_ODDS: dict[str, float] = {
    "anxiety": 0.5, "ocd": 0.12, "suicidal_ideation": 0.3, "chronic_pain": 0.3,
}

PROGRAM_ODDS: dict[str, float] = {
    "veterans": 0.18, "first_responders": 0.14, "lgbtq_affirming": 0.1, "sliding_scale": 0.08,
}

PAYER_ODDS: dict[str, float] = {
    "aetna": 0.35, "bcbs": 0.4, "cigna": 0.3, "united": 0.3, "medicare": 0.25, "medicaid": 0.1,
    "tricare": 0.08, "va_community_care": 0.1, "self_pay": 0.88, "humana": 0.1, "kaiser": 0.2,
}

VETERAN_PAYER_ODDS: dict[str, float] = {
    "tricare": 0.5, "va_community_care": 0.7,
}
