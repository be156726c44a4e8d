//! The value lists the category questions choose from.

use crate::organisation::code_enum;

code_enum! {
    /// Yes, no or not known.
    YesNo { Yes = ("yes", "Yes"), No = ("no", "No"), NotKnown = ("not_known", "Not known") }
}

code_enum! {
    /// How a fall came to light.
    FallSeen { Witnessed = ("witnessed", "Someone saw it happen"), FoundOnFloor = ("found_on_floor", "Found on the floor") }
}

code_enum! {
    /// Footwear at the time of a fall.
    Footwear {
        Shoes = ("shoes", "Shoes"), Slippers = ("slippers", "Slippers"), Socks = ("socks", "Socks only"),
        Barefoot = ("barefoot", "Bare feet"), NotKnown = ("not_known", "Not known"),
    }
}

code_enum! {
    /// Where in the medicines process an error happened (§12.3).
    MedicationStage {
        Prescribing = ("prescribing", "Prescribing"), Transcription = ("transcription", "Transcription"),
        Dispensing = ("dispensing", "Dispensing or supply"), Storage = ("storage", "Receipt or storage"),
        Administration = ("administration", "Giving the medicine"), Monitoring = ("monitoring", "Monitoring"),
        Documentation = ("documentation", "Records (MAR)"), Disposal = ("disposal", "Disposal"),
    }
}

code_enum! {
    /// What went wrong with a medicine (§12.3).
    MedicationError {
        Omission = ("omission", "Dose not given"), WrongDose = ("wrong_dose", "Wrong dose or strength"),
        ExtraDose = ("extra_dose", "Extra or duplicate dose"), WrongTime = ("wrong_time", "Wrong time"),
        WrongMedicine = ("wrong_medicine", "Wrong medicine"), WrongPerson = ("wrong_person", "Wrong person"),
        WrongRoute = ("wrong_route", "Wrong route"), WrongFormulation = ("wrong_formulation", "Wrong formulation"),
        WrongTechnique = ("wrong_technique", "Wrong technique (for example crushed, patch)"),
        KnownAllergy = ("known_allergy", "Known allergy or contraindication"),
        ExpiredOrStored = ("expired_or_badly_stored", "Out of date or stored wrongly"),
        Documentation = ("documentation", "Record error (given not signed, signed not given)"),
        MonitoringOmission = ("monitoring_omission", "Monitoring missed (for example INR, blood sugar)"),
        StockRanOut = ("stock_ran_out", "Stock ran out"), ControlledDrug = ("controlled_drug_discrepancy", "Controlled drug count wrong"),
        Covert = ("covert_without_authorisation", "Given covertly without authorisation"),
        SelfAdministration = ("self_administration", "Self-administration error"),
        AdverseReaction = ("adverse_reaction", "Adverse reaction"), Other = ("other", "Something else"),
    }
}

code_enum! {
    /// Who was asked for clinical advice.
    AdviceSought {
        Gp = ("gp", "GP"), Nhs111 = ("nhs_111", "NHS 111"), Pharmacist = ("pharmacist", "Pharmacist"),
        Nurse = ("nurse", "Nurse on duty"), None = ("none", "No one yet"),
    }
}

code_enum! {
    /// How strong a behaviour was.
    Intensity { Mild = ("mild", "Mild"), Moderate = ("moderate", "Moderate"), Severe = ("severe", "Severe") }
}

code_enum! {
    /// A restrictive intervention used during behaviour or distress.
    Restriction {
        None = ("none", "None"), Physical = ("physical", "Physical restraint or holding"),
        Chemical = ("chemical", "Medicine given to calm (PRN)"), Mechanical = ("mechanical", "Equipment that restricts movement"),
        Seclusion = ("seclusion", "Kept apart from others"),
    }
}

code_enum! {
    /// Pressure ulcer category (NPIAP/EPUAP).
    UlcerCategory {
        One = ("1", "Category 1"), Two = ("2", "Category 2"), Three = ("3", "Category 3"), Four = ("4", "Category 4"),
        Unstageable = ("unstageable", "Unstageable"), DeepTissue = ("deep_tissue", "Suspected deep tissue injury"),
    }
}

code_enum! {
    /// Whether skin damage came with the person or arose in the service.
    UlcerOrigin {
        PresentOnAdmission = ("present_on_admission", "Present when they came to us"),
        AcquiredInService = ("acquired_in_service", "Developed in our care"), NotKnown = ("not_known", "Not known"),
    }
}

code_enum! {
    /// The ten types of abuse and neglect in the Care and Support Statutory Guidance (§4.2).
    AbuseType {
        Physical = ("physical", "Physical"), Domestic = ("domestic", "Domestic"), Sexual = ("sexual", "Sexual"),
        Psychological = ("psychological", "Psychological or emotional"), Financial = ("financial", "Financial or material"),
        ModernSlavery = ("modern_slavery", "Modern slavery"), Discriminatory = ("discriminatory", "Discriminatory"),
        Organisational = ("organisational", "Organisational"), Neglect = ("neglect", "Neglect or acts of omission"),
        SelfNeglect = ("self_neglect", "Self-neglect"),
    }
}

code_enum! {
    /// Who is alleged to have caused harm.
    AllegedBy {
        Staff = ("staff", "A member of staff"), AnotherResident = ("another_resident", "Another person using the service"),
        Family = ("family", "Family or friend"), Unknown = ("unknown", "Not known"), Other = ("other", "Someone else"),
    }
}

code_enum! {
    /// What sort of equipment was involved (LFPSE device problems, §5.4).
    EquipmentKind {
        Hoist = ("hoist", "Hoist or sling"), Bed = ("bed", "Bed or bed rails"),
        PressureRelief = ("pressure_relief", "Pressure-relieving mattress or cushion"),
        Wheelchair = ("wheelchair", "Wheelchair"), WalkingAid = ("walking_aid", "Walking aid"),
        CallSystem = ("call_system", "Call bell or sensor"),
        MedicalDevice = ("medical_device", "Medical device (for example oxygen, syringe driver)"),
        Other = ("other", "Something else"),
    }
}

code_enum! {
    /// What was wrong with the equipment.
    EquipmentProblem {
        Faulty = ("faulty", "Broken or faulty"), UsedWrongly = ("used_wrongly", "Used wrongly"),
        NotAvailable = ("not_available", "Not available when needed"), NoPower = ("no_power", "No charge or power"),
        Overdue = ("overdue_check", "Overdue a check or service"), Other = ("other", "Something else"),
    }
}

code_enum! {
    /// A hazard in the building or grounds.
    Hazard {
        WetFloor = ("wet_floor", "Wet or slippery floor"), Trip = ("trip", "Trip hazard"),
        Lighting = ("lighting", "Poor lighting"), HotWater = ("hot_water", "Hot water or hot surfaces"),
        Temperature = ("temperature", "Too hot or too cold"), Security = ("security", "Doors, windows or security"),
        Fire = ("fire_safety", "Fire safety"), Utilities = ("utilities", "Power, water or gas failure"),
        Damage = ("building_damage", "Damage to the building"), Other = ("other", "Something else"),
    }
}

code_enum! {
    /// What sort of infection.
    InfectionKind {
        Respiratory = ("respiratory", "Chest or breathing (for example flu, COVID-19)"),
        Gastro = ("diarrhoea_vomiting", "Diarrhoea or vomiting"), Skin = ("skin_wound", "Skin or wound"),
        Urinary = ("urinary", "Urinary"), Other = ("other", "Something else or not known"),
    }
}

code_enum! {
    /// What someone choked on.
    ChokedOn {
        Food = ("food", "Food"), Drink = ("drink", "Drink"), Medicine = ("medicine", "A medicine"),
        Object = ("object", "An object"), NotKnown = ("not_known", "Not known"),
    }
}

code_enum! {
    /// First aid given for choking.
    ChokingAid {
        Cough = ("encouraged_to_cough", "Encouraged to cough"), BackBlows = ("back_blows", "Back blows"),
        Thrusts = ("abdominal_thrusts", "Abdominal thrusts"), Suction = ("suction", "Suction"),
    }
}

code_enum! {
    /// Whether a death was expected.
    DeathExpected {
        Expected = ("expected", "Expected (for example at the end of life)"),
        Unexpected = ("unexpected", "Unexpected"), NotKnown = ("not_known", "Not known"),
    }
}

code_enum! {
    /// Where a person died.
    DeathPlace {
        Service = ("in_the_service", "In the service (or their home, for home care)"),
        Hospital = ("hospital", "In hospital"), Elsewhere = ("elsewhere", "Somewhere else"),
    }
}

code_enum! {
    /// Yes or no, when "not known" is not a possible answer.
    Found { Yes = ("yes", "Yes"), No = ("no", "No, still missing") }
}
