//! The body map as a figure: a front and a back view drawn as SVG, one
//! shape per coded region of `candour_domain::details::body`. On the report
//! form the figure is hidden until `assets/report.js` makes each shape a
//! checkbox that ticks the same coded checkbox the no-script list has; on
//! an incident page it is a picture of the regions marked.

use candour_domain::details::body::{REGIONS, is_back, label};
use std::fmt::Write;

/// One region's shape: (code, x, y, width, height, corner radius) in a
/// 200 × 420 figure (the last 20 hold its caption). Front views show the person's left on the viewer's
/// right; back views show it on the viewer's left.
const SHAPES: &[(&str, u16, u16, u16, u16, u16)] = &[
    ("front_head", 78, 4, 44, 24, 14),
    ("face", 80, 28, 40, 26, 12),
    ("front_neck", 90, 54, 20, 14, 4),
    ("right_shoulder_front", 50, 68, 28, 22, 10),
    ("left_shoulder_front", 122, 68, 28, 22, 10),
    ("chest", 78, 68, 44, 52, 6),
    ("abdomen", 80, 120, 40, 44, 6),
    ("groin", 84, 164, 32, 24, 8),
    ("right_hip", 62, 150, 18, 36, 6),
    ("left_hip", 120, 150, 18, 36, 6),
    ("right_upper_arm", 40, 90, 18, 50, 8),
    ("left_upper_arm", 142, 90, 18, 50, 8),
    ("right_elbow", 38, 140, 18, 16, 8),
    ("left_elbow", 144, 140, 18, 16, 8),
    ("right_forearm", 34, 156, 18, 48, 8),
    ("left_forearm", 148, 156, 18, 48, 8),
    ("right_wrist_hand", 28, 204, 22, 30, 10),
    ("left_wrist_hand", 150, 204, 22, 30, 10),
    ("right_thigh", 66, 190, 32, 80, 10),
    ("left_thigh", 102, 190, 32, 80, 10),
    ("right_knee", 68, 270, 28, 22, 10),
    ("left_knee", 104, 270, 28, 22, 10),
    ("right_shin", 70, 292, 24, 80, 8),
    ("left_shin", 106, 292, 24, 80, 8),
    ("right_ankle_foot", 64, 372, 32, 24, 8),
    ("left_ankle_foot", 104, 372, 32, 24, 8),
    ("back_head", 78, 4, 44, 50, 20),
    ("back_neck", 90, 54, 20, 14, 4),
    ("left_shoulder_back", 50, 68, 28, 22, 10),
    ("right_shoulder_back", 122, 68, 28, 22, 10),
    ("upper_back", 78, 68, 44, 52, 6),
    ("lower_back", 80, 120, 40, 36, 6),
    ("sacrum", 88, 156, 24, 16, 6),
    ("left_buttock", 66, 172, 33, 30, 12),
    ("right_buttock", 101, 172, 33, 30, 12),
    ("left_calf", 70, 292, 24, 80, 8),
    ("right_calf", 106, 292, 24, 80, 8),
    ("left_heel", 70, 372, 24, 22, 8),
    ("right_heel", 106, 372, 24, 22, 8),
];

/// Parts of the back view that are not regions, drawn grey for shape.
const BACK_OUTLINE: &[(u16, u16, u16, u16, u16)] = &[
    (40, 90, 18, 114, 8),
    (142, 90, 18, 114, 8),
    (28, 204, 22, 30, 10),
    (150, 204, 22, 30, 10),
    (66, 202, 32, 90, 10),
    (102, 202, 32, 90, 10),
];

/// How the figure is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// On the report form: each region a checkbox for the script to wire.
    Form,
    /// On an incident page: a picture of the regions marked.
    Picture,
}

/// Both views, front then back, with `marked` regions filled.
pub fn figures(marked: &[String], how: Use) -> String {
    let mut out = String::new();
    for back in [false, true] {
        out.push_str(&figure(back, marked, how));
    }
    out
}

fn figure(back: bool, marked: &[String], how: Use) -> String {
    let side = if back { "Back" } else { "Front" };
    let mut svg = String::new();
    let on_side: Vec<&str> = REGIONS
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| is_back(c) == back)
        .collect();
    match how {
        Use::Form => {
            let _ = write!(
                svg,
                r#"<svg class="body-figure" viewBox="0 0 200 420" role="group" aria-label="{side} of the body: choose each place with an injury, bruise or skin damage" focusable="false">"#
            );
        }
        Use::Picture => {
            let names: Vec<&str> = on_side
                .iter()
                .filter(|c| marked.iter().any(|m| m == *c))
                .filter_map(|c| label(c))
                .collect();
            let described = if names.is_empty() {
                "nothing marked".to_owned()
            } else {
                names.join(", ")
            };
            let _ = write!(
                svg,
                r#"<svg class="body-figure" viewBox="0 0 200 420" role="img" aria-label="{side} of the body: {described}" focusable="false">"#
            );
        }
    }
    if back {
        for (x, y, w, h, r) in BACK_OUTLINE {
            let _ = write!(
                svg,
                r#"<rect class="outline" x="{x}" y="{y}" width="{w}" height="{h}" rx="{r}"/>"#
            );
        }
    }
    for (code, x, y, w, h, r) in SHAPES.iter().filter(|s| on_side.contains(&s.0)) {
        let name = label(code).unwrap_or(code);
        let on = marked.iter().any(|m| m == code);
        let class = if on { "region marked" } else { "region" };
        match how {
            Use::Form => {
                let _ = write!(
                    svg,
                    r#"<rect class="{class}" x="{x}" y="{y}" width="{w}" height="{h}" rx="{r}" data-region="{code}" role="checkbox" aria-checked="{on}" aria-label="{name}" tabindex="0"><title>{name}</title></rect>"#
                );
            }
            Use::Picture => {
                let _ = write!(
                    svg,
                    r#"<rect class="{class}" x="{x}" y="{y}" width="{w}" height="{h}" rx="{r}"/>"#
                );
            }
        }
    }
    let _ = write!(
        svg,
        r#"<text x="100" y="416" text-anchor="middle" aria-hidden="true">{side}</text></svg>"#
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_has_exactly_one_shape_and_no_shape_is_unknown() {
        for (code, _) in REGIONS {
            assert_eq!(SHAPES.iter().filter(|s| s.0 == *code).count(), 1, "{code}");
        }
        for s in SHAPES {
            assert!(label(s.0).is_some(), "{} is not a region", s.0);
            assert!(
                s.1 + s.3 <= 200 && s.2 + s.4 <= 400,
                "{} is off the figure",
                s.0
            );
        }
    }

    #[test]
    fn a_picture_names_what_is_marked_and_fills_it() {
        let svg = figures(&["left_knee".to_owned(), "sacrum".to_owned()], Use::Picture);
        assert!(svg.contains(r#"aria-label="Front of the body: Left knee""#));
        assert!(svg.contains(r#"aria-label="Back of the body: Sacrum (base of the spine)""#));
        assert_eq!(svg.matches("region marked").count(), 2);
        assert!(!svg.contains("role=\"checkbox\""));
    }

    #[test]
    fn on_the_form_each_region_is_a_checkbox_in_its_tick_state() {
        let svg = figures(&["chest".to_owned()], Use::Form);
        assert_eq!(svg.matches("role=\"checkbox\"").count(), REGIONS.len());
        assert!(svg.contains(r#"data-region="chest" role="checkbox" aria-checked="true""#));
        assert!(svg.contains(r#"data-region="face" role="checkbox" aria-checked="false""#));
    }
}
