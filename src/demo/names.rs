//! Made-up names for demo people and staff, and the words demo reports use.
//! Written for Candour; any likeness to a real person is chance.

/// First names spread over the generations found in care services.
pub const FIRST_NAMES: &[&str] = &[
    "Margaret",
    "Joan",
    "Dorothy",
    "Irene",
    "Edna",
    "Sheila",
    "Brenda",
    "Pauline",
    "Maureen",
    "Valerie",
    "Arthur",
    "Harold",
    "Kenneth",
    "Dennis",
    "Leonard",
    "Stanley",
    "Ronald",
    "Gordon",
    "Derek",
    "Trevor",
    "Patricia",
    "Barbara",
    "Eileen",
    "Winifred",
    "Gladys",
    "Alan",
    "Brian",
    "Keith",
    "Norman",
    "Colin",
    "Amara",
    "Priya",
    "Oluwaseun",
    "Tomasz",
    "Agnieszka",
    "Mohammed",
    "Aisha",
    "Rajesh",
    "Grace",
    "Chloe",
    "Daniel",
    "Sophie",
    "Jordan",
    "Bethany",
    "Liam",
    "Megan",
    "Kieran",
    "Hannah",
    "Jamal",
    "Siobhan",
    "Ewan",
    "Niamh",
    "Owen",
    "Rhiannon",
    "Callum",
    "Zainab",
    "Marek",
    "Ifeoma",
    "Rosa",
    "Deepa",
];

/// Family names common across England.
pub const LAST_NAMES: &[&str] = &[
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Khan",
    "Hughes",
    "Edwards",
    "Turner",
    "Hill",
    "Moore",
    "Cooper",
    "Ward",
    "Morris",
    "Okafor",
    "Nowak",
    "Kowalski",
    "Begum",
    "Ahmed",
    "Singh",
    "Mensah",
    "Byrne",
    "Murphy",
    "Kaur",
    "Barker",
    "Holroyd",
    "Sutcliffe",
    "Greenwood",
    "Ackroyd",
    "Crowther",
    "Haigh",
    "Lumb",
    "Pickles",
    "Rhodes",
];

/// What a fall report says happened, by how it was found.
pub const FALL_TEXT: &[&str] = &[
    "Found sitting on the floor beside the bed. Said they were trying to get to the toilet without calling.",
    "Heard a bang and found them on the bedroom floor between the bed and the chair. No call bell used.",
    "Slipped while transferring from wheelchair to armchair in the lounge. Witnessed by two staff.",
    "Found on the floor of the en-suite. Walking frame was out of reach by the door.",
    "Lost balance walking to the dining room, lowered to the floor by staff. Did not strike head.",
    "Sensor mat alarmed; found kneeling on the floor next to the bed, confused about the time.",
    "Tripped on the edge of the rug in their own hallway during the morning call.",
];

/// What was done after a fall.
pub const FALL_ACTIONS: &[&str] = &[
    "Checked for injury before moving, used the inflatable lifting cushion, started 24-hour observations.",
    "Nurse assessed: no obvious injury. Neurological observations started, family informed.",
    "Called 111 for advice as head was struck; observations every 30 minutes; GP informed next morning.",
    "Checked for injury, helped up with the hoist, walking frame moved within reach, bed lowered.",
];

/// Medication events, keyed to the drug round.
pub const MEDICATION_TEXT: &[&str] = &[
    "Morning dose of {med} not signed for on the MAR; stock count shows it was not given.",
    "{med} given at 11:40 instead of 08:00 because the round ran late after a fall on the unit.",
    "Wrong strength of {med} put into the pot; spotted by the second checker before it was given.",
    "Tablets for another resident put out on the trolley; noticed at the door before giving.",
    "{med} ran out: the repeat prescription had not arrived from the pharmacy.",
    "Controlled drug register count for {med} was one tablet short at handover.",
];

/// Medicines named in demo medication reports.
pub const MEDICINES: &[&str] = &[
    "paracetamol 500 mg",
    "apixaban 2.5 mg",
    "donepezil 10 mg",
    "furosemide 40 mg",
    "metformin 500 mg",
    "levothyroxine 50 micrograms",
    "morphine sulfate oral solution",
    "sertraline 50 mg",
    "amlodipine 5 mg",
];

/// Other categories: (category code, text, immediate action).
pub const OTHER_EVENTS: &[(&str, &str, &str)] = &[
    (
        "behaviour",
        "Became distressed in the lounge after a visitor left, shouting and pushing a table.",
        "Staff gave space, offered a walk in the garden; calm after 20 minutes. ABC chart started.",
    ),
    (
        "pressure_ulcer",
        "Category 2 pressure damage found on the left heel during personal care.",
        "Heel offloaded, district nurse contacted, repositioning chart increased to two-hourly.",
    ),
    (
        "equipment",
        "Hoist battery failed mid-transfer; resident lowered safely using manual lowering.",
        "Hoist taken out of use and labelled, spare hoist used, maintenance called.",
    ),
    (
        "environment",
        "Water on the corridor floor outside the laundry from a leaking washing machine.",
        "Area coned off and dried, laundry door closed, maintenance informed.",
    ),
    (
        "infection",
        "Two residents on the same floor with diarrhoea and vomiting within 24 hours.",
        "Isolated in rooms, enhanced cleaning, GP and health protection team informed.",
    ),
    (
        "choking",
        "Coughed and went red while eating sandwiches; recovered after back blows.",
        "Back blows given, observed, meal changed to soft diet pending SALT review.",
    ),
    (
        "missing_person",
        "Not in their room at the 02:00 check; found in the garden ten minutes later.",
        "Brought inside, warmed, checked for injury, door alarm checked and family told.",
    ),
    (
        "safeguarding",
        "Told a carer that a family member takes money from their purse during visits.",
        "Listened, wrote down their words, told the registered manager; safeguarding concern to be raised.",
    ),
    (
        "staff_injury",
        "Carer scratched on the forearm while supporting a resident who was distressed.",
        "First aid given, incident discussed at handover, support plan to be reviewed.",
    ),
    (
        "data_breach",
        "A care plan printout was left on the dining room table overnight.",
        "Printout removed and shredded, staff reminded at handover.",
    ),
    (
        "self_harm",
        "Found scratching their forearms with a plastic spoon after a phone call.",
        "Wounds cleaned, one-to-one support, mental health team contacted.",
    ),
];

/// Good-practice notes.
pub const GOOD_PRACTICE_TEXT: &[&str] = &[
    "Night carer noticed a change in breathing and called 111 early; hospital said early treatment helped.",
    "New starter spotted a wrong label on a blister pack and stopped the round to check: well done.",
    "Team used the life-story book to settle a distressed resident without medication.",
];
