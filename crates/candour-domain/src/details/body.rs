//! Body map regions: one coded list, front and back, used by the checkbox
//! list (without JavaScript) and by the figure drawn in `web::bodymap`.

/// (code, label) for every region. Codes are stable; labels are what people read.
pub const REGIONS: &[(&str, &str)] = &[
    ("front_head", "Head (front)"),
    ("face", "Face"),
    ("front_neck", "Neck (front)"),
    ("chest", "Chest"),
    ("abdomen", "Abdomen"),
    ("groin", "Groin"),
    ("left_shoulder_front", "Left shoulder (front)"),
    ("right_shoulder_front", "Right shoulder (front)"),
    ("left_upper_arm", "Left upper arm"),
    ("right_upper_arm", "Right upper arm"),
    ("left_elbow", "Left elbow"),
    ("right_elbow", "Right elbow"),
    ("left_forearm", "Left forearm"),
    ("right_forearm", "Right forearm"),
    ("left_wrist_hand", "Left wrist or hand"),
    ("right_wrist_hand", "Right wrist or hand"),
    ("left_hip", "Left hip"),
    ("right_hip", "Right hip"),
    ("left_thigh", "Left thigh"),
    ("right_thigh", "Right thigh"),
    ("left_knee", "Left knee"),
    ("right_knee", "Right knee"),
    ("left_shin", "Left shin"),
    ("right_shin", "Right shin"),
    ("left_ankle_foot", "Left ankle or foot"),
    ("right_ankle_foot", "Right ankle or foot"),
    ("back_head", "Head (back)"),
    ("back_neck", "Neck (back)"),
    ("upper_back", "Upper back"),
    ("lower_back", "Lower back"),
    ("sacrum", "Sacrum (base of the spine)"),
    ("left_buttock", "Left buttock"),
    ("right_buttock", "Right buttock"),
    ("left_shoulder_back", "Left shoulder (back)"),
    ("right_shoulder_back", "Right shoulder (back)"),
    ("left_calf", "Left calf"),
    ("right_calf", "Right calf"),
    ("left_heel", "Left heel"),
    ("right_heel", "Right heel"),
];

/// Whether a region is on the back of the figure.
pub fn is_back(code: &str) -> bool {
    code.starts_with("back_")
        || code.ends_with("_back")
        || matches!(
            code,
            "upper_back"
                | "lower_back"
                | "sacrum"
                | "left_buttock"
                | "right_buttock"
                | "left_calf"
                | "right_calf"
                | "left_heel"
                | "right_heel"
        )
}

/// The label of a region code.
pub fn label(code: &str) -> Option<&'static str> {
    REGIONS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_each_side_has_regions() {
        let mut codes: Vec<&str> = REGIONS.iter().map(|(c, _)| *c).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), REGIONS.len());
        assert!(REGIONS.iter().filter(|(c, _)| is_back(c)).count() >= 10);
        assert!(REGIONS.iter().filter(|(c, _)| !is_back(c)).count() >= 20);
        assert_eq!(label("sacrum"), Some("Sacrum (base of the spine)"));
        assert_eq!(label("tail"), None);
    }
}
