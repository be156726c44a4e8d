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

#[test]
fn docs_deployment_md_names_only_options_that_exist() {
    let path = format!("{}/docs/deployment.md", env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(&path).unwrap();
    let help = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_candour"))
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // The options of `serve` and of the other commands the page shows.
    let serve = [
        help(&["serve", "--help"]),
        help(&["audit", "verify", "--help"]),
        help(&["audit", "checkpoint", "--help"]),
        help(&["backup", "--help"]),
        help(&["restore", "--help"]),
        help(&["subject-access", "--help"]),
    ]
    .concat();
    let mut named = 0;
    for word in doc.split(|c: char| c.is_whitespace() || c == '`' || c == '(' || c == ')') {
        let Some(flag) = word.strip_prefix("--") else {
            continue;
        };
        let flag: String = flag
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '-')
            .collect();
        if flag.is_empty() {
            continue;
        }
        named += 1;
        assert!(
            serve.contains(&format!("--{flag} ")) || serve.contains(&format!("--{flag}\n")),
            "docs/deployment.md names --{flag}, which no command it shows has"
        );
    }
    assert!(named >= 6, "the page names the serve options it relies on");
    for command in [["retention", "review"], ["retention", "destroy"]] {
        assert!(doc.contains(&format!("candour {} {}", command[0], command[1])));
        assert!(help(&[command[0], "--help"]).contains(command[1]));
    }
    assert!(help(&["migrate", "--help"]).contains("Apply database migrations"));
}
