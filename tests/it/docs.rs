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
        // Options of other programs the page shows (cargo building the binary).
        if flag.is_empty() || ["release", "locked"].contains(&flag.as_str()) {
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

/// `candour serve --help`.
fn serve_help() -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_candour"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_systemd_unit_runs_serve_with_options_it_has_and_is_hardened() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let unit = std::fs::read_to_string(format!("{dir}/deploy/candour.service")).unwrap();
    let help = serve_help();
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("the unit has an ExecStart line");
    let words: Vec<&str> = exec.split_whitespace().collect();
    assert_eq!(words.get(1), Some(&"serve"), "{exec}");
    let flags: Vec<&str> = words
        .iter()
        .filter(|w| w.starts_with("--"))
        .copied()
        .collect();
    assert!(!flags.is_empty(), "{exec}");
    for flag in flags {
        assert!(
            help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
            "the unit passes {flag}, which candour serve does not have"
        );
    }
    // Its own user, a state directory, restart on failure, configuration
    // from a file, secrets from an environment file, and hardening.
    for line in [
        "User=candour",
        "StateDirectory=candour",
        "Restart=on-failure",
        "EnvironmentFile=/etc/candour/candour.env",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
    ] {
        assert!(unit.lines().any(|l| l == line), "the unit lacks {line}");
    }
    assert!(
        exec.contains("--config /etc/candour/candour.toml"),
        "{exec}"
    );
    // Each secret the example environment file names is one serve reads.
    let env = std::fs::read_to_string(format!("{dir}/deploy/candour.env.example")).unwrap();
    let mut named = 0;
    for line in env.lines() {
        let line = line.trim_start_matches('#');
        let Some((name, _)) = line.split_once('=') else {
            continue;
        };
        if !name.starts_with("CANDOUR_") || name.contains(' ') {
            continue;
        }
        named += 1;
        assert!(
            help.contains(&format!("[env: {name}")),
            "candour.env.example names {name}, which candour serve does not read"
        );
    }
    assert!(named >= 3, "the example names the secrets: {named}");
}

/// Two JSON shapes of one name would be one schema in the OpenAPI document
/// (the later silently replacing the earlier), so a client would be told
/// the wrong fields: every shape the API documents has its own name.
#[test]
fn every_documented_json_shape_has_its_own_name() {
    let dir = format!("{}/src/web/api", env!("CARGO_MANIFEST_DIR"));
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !(line.contains("derive(") && line.contains("ToSchema")) {
                continue;
            }
            let Some(name) = lines[i + 1..]
                .iter()
                .find_map(|l| {
                    l.trim()
                        .strip_prefix("pub struct ")
                        .or_else(|| l.trim().strip_prefix("pub enum "))
                })
                .map(|rest| {
                    rest.split([' ', '{', '(', '<'])
                        .next()
                        .unwrap_or("")
                        .to_owned()
                })
            else {
                continue;
            };
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            if let Some(before) = seen.insert(name.clone(), file.clone()) {
                panic!("{name} is a JSON shape in both {before} and {file}");
            }
        }
    }
    assert!(seen.len() > 20, "{seen:?}");
}
