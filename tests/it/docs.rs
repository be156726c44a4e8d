//! Documents that must match the code.

const BEGIN: &str = "<!-- matrix:begin -->\n";
const END: &str = "<!-- matrix:end -->";

#[test]
fn docs_permissions_md_holds_the_matrix_the_code_enforces() {
    let path = format!("{}/docs/permissions.md", env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(&path).unwrap();
    let (start, end) = (
        doc.find(BEGIN).unwrap() + BEGIN.len(),
        doc.find(END).unwrap(),
    );
    let expected = candour_domain::role::matrix_markdown();
    if std::env::var("UPDATE_DOCS").is_ok() {
        std::fs::write(&path, format!("{}{expected}{}", &doc[..start], &doc[end..])).unwrap();
        return;
    }
    assert_eq!(
        &doc[start..end],
        expected,
        "docs/permissions.md is stale: run UPDATE_DOCS=1 cargo test docs_permissions"
    );
}
