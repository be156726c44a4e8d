//! U+0000 in anything a person sends. PostgreSQL's text cannot hold it, so
//! it is removed at the edge on both engines: no route answers 500 for it,
//! and what is stored is the same text without it.
//!
//! The crawl below signs in as each kind of user, follows every link it
//! finds and submits every form on every page it reaches, with NUL in every
//! text field and search box (forms whose action would end the session are
//! left out), plus the public pages a person without an account uses.

use crate::helpers::*;
use candour_domain::role::Role;
use std::collections::{BTreeSet, VecDeque};

/// Typed into every text field: NUL in the middle and at the end.
const WITH_NUL: &str = "Seen at the door\u{0} by night staff\u{0}";
const WITHOUT_NUL: &str = "Seen at the door by night staff";

/// One tag: its name (lower case) and attributes (entities decoded).
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    /// Where the tag ends in the page.
    end: usize,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn decode(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The tags of a page, in order (our own templates: attributes are quoted).
fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(open) = html[at..].find('<').map(|i| at + i) {
        let Some(close) = html[open..].find('>').map(|i| open + i) else {
            break;
        };
        let inner = &html[open + 1..close];
        at = close + 1;
        if inner.starts_with('!') {
            continue;
        }
        let name_end = inner
            .find(|c: char| c.is_whitespace())
            .unwrap_or(inner.len());
        let name = inner[..name_end].to_ascii_lowercase();
        let mut attrs = Vec::new();
        let mut rest = &inner[name_end..];
        loop {
            rest = rest.trim_start();
            let key_end = rest
                .find(|c: char| c == '=' || c.is_whitespace())
                .unwrap_or(rest.len());
            if key_end == 0 {
                break;
            }
            let key = rest[..key_end].to_ascii_lowercase();
            rest = &rest[key_end..];
            if let Some(r) = rest.strip_prefix("=\"") {
                let end = r.find('"').unwrap_or(r.len());
                attrs.push((key, decode(&r[..end])));
                rest = &r[(end + 1).min(r.len())..];
            } else {
                attrs.push((key, String::new()));
            }
        }
        out.push(Tag {
            name,
            attrs,
            end: at,
        });
    }
    out
}

/// A form as a browser would submit it, with NUL typed into its text.
struct Form {
    method: String,
    action: String,
    pairs: Vec<(String, String)>,
}

fn forms(html: &str, page: &str) -> Vec<Form> {
    let all = tags(html);
    let mut out = Vec::new();
    let mut current: Option<Form> = None;
    let mut radios = BTreeSet::new();
    let mut select: Option<(String, Option<String>, Option<String>)> = None;
    for t in &all {
        match t.name.as_str() {
            "form" => {
                radios.clear();
                let multipart = t.attr("enctype") == Some("multipart/form-data");
                current = (!multipart).then(|| Form {
                    method: t.attr("method").unwrap_or("get").to_ascii_lowercase(),
                    action: t
                        .attr("action")
                        .filter(|a| !a.is_empty())
                        .unwrap_or(page)
                        .to_owned(),
                    pairs: Vec::new(),
                });
            }
            "/form" => out.extend(current.take()),
            _ => {}
        }
        let Some(form) = current.as_mut() else {
            continue;
        };
        let name = t.attr("name").unwrap_or_default().to_owned();
        match t.name.as_str() {
            "input" if !name.is_empty() => {
                let value = t.attr("value").unwrap_or_default().to_owned();
                let typed = |v: &str, default: &str| {
                    if v.is_empty() {
                        default.to_owned()
                    } else {
                        v.to_owned()
                    }
                };
                match t.attr("type").unwrap_or("text") {
                    "hidden" => form.pairs.push((name, value)),
                    "checkbox" if t.attr("checked").is_some() => form.pairs.push((name, value)),
                    "radio" if radios.insert(name.clone()) => form.pairs.push((name, value)),
                    "date" => form.pairs.push((name, typed(&value, "2026-11-23"))),
                    "time" => form.pairs.push((name, typed(&value, "08:30"))),
                    "datetime-local" => form.pairs.push((name, typed(&value, "2026-11-23T08:30"))),
                    "number" => form.pairs.push((name, typed(&value, "1"))),
                    "text" | "search" | "email" | "tel" | "url" | "password" => {
                        form.pairs.push((name, format!("{value}{WITH_NUL}")))
                    }
                    _ => {}
                }
            }
            "textarea" if !name.is_empty() => {
                let text_end = html[t.end..].find("</textarea>").unwrap_or(0);
                let typed = decode(&html[t.end..t.end + text_end]);
                form.pairs.push((name, format!("{typed}{WITH_NUL}")));
            }
            "select" if !name.is_empty() => select = Some((name, None, None)),
            "option" => {
                if let Some((_, first, chosen)) = select.as_mut() {
                    let value = t.attr("value").unwrap_or_default().to_owned();
                    if t.attr("selected").is_some() {
                        *chosen = Some(value.clone());
                    }
                    if first.is_none() && !value.is_empty() {
                        *first = Some(value);
                    }
                }
            }
            "/select" => {
                if let Some((name, first, chosen)) = select.take() {
                    form.pairs
                        .push((name, chosen.or(first).unwrap_or_default()));
                }
            }
            // The first named button is the one pressed.
            "button" if !name.is_empty() && !form.pairs.iter().any(|(k, _)| *k == name) => {
                form.pairs
                    .push((name, t.attr("value").unwrap_or_default().to_owned()));
            }
            _ => {}
        }
    }
    out
}

/// Links to our own pages worth following.
fn links(html: &str) -> Vec<String> {
    tags(html)
        .into_iter()
        .filter(|t| t.name == "a")
        .filter_map(|t| t.attr("href").map(str::to_owned))
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .map(|h| h.split('#').next().unwrap_or_default().to_owned())
        .filter(|h| {
            !h.is_empty()
                && !h.starts_with("/assets")
                && ![".pdf", ".csv", ".zip", ".ics"]
                    .iter()
                    .any(|x| h.contains(x))
        })
        .collect()
}

/// Actions that would end the crawler's own session or credentials, or
/// shut the other crawlers out of pages (requiring a second factor of managers).
fn ends_the_session(action: &str) -> bool {
    [
        "/logout",
        "/account/password",
        "/login",
        "/users/second-factor-policy",
    ]
    .contains(&action)
        || action.ends_with("/revoke")
}

/// Follows links from `start` (at most `pages` pages) and submits each form
/// found (once per action and method) with NUL in its text; every answer
/// must be under 500. Returns how many forms were sent.
async fn crawl(
    c: &Client,
    start: &[String],
    pages: usize,
    sign_in_forms: bool,
) -> anyhow::Result<usize> {
    let mut queue: VecDeque<String> = start.iter().cloned().collect();
    let mut seen: BTreeSet<String> = queue.iter().cloned().collect();
    let mut sent = BTreeSet::new();
    let mut visited = 0;
    while let Some(path) = queue.pop_front() {
        if visited == pages {
            break;
        }
        visited += 1;
        let resp = c.get(&path).await?;
        let status = resp.status().as_u16();
        assert!(status < 500, "GET {path} answered {status}");
        let html = resp.text().await?;
        for link in links(&html) {
            // One of each kind of page: ids and references differ, the page does not.
            let shape: String = link
                .split('/')
                .map(|seg| {
                    if seg.chars().filter(char::is_ascii_digit).count() >= 3 {
                        "#"
                    } else {
                        seg
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            if seen.insert(shape) {
                queue.push_back(link);
            }
        }
        for form in forms(&html, path.split('?').next().unwrap_or(&path)) {
            if (ends_the_session(&form.action) && !sign_in_forms)
                || !sent.insert((form.method.clone(), form.action.clone()))
            {
                continue;
            }
            let resp = if form.method == "post" {
                let pairs: Vec<(&str, &str)> = form
                    .pairs
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                c.post_form(&form.action, &pairs).await?
            } else {
                let query = serde_urlencoded::to_string(&form.pairs)?;
                c.get(&format!("{}?{query}", form.action)).await?
            };
            let status = resp.status().as_u16();
            let body = resp.text().await.unwrap_or_default();
            assert!(
                status < 500,
                "{} {} answered {status} for {:?}: {}",
                form.method,
                form.action,
                form.pairs,
                body.chars().take(300).collect::<String>()
            );
        }
    }
    Ok(sent.len())
}

db_test!(
    nul_in_every_form_and_link_is_removed_and_never_answers_500,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        serious_fall(&app).await?;
        reported_and_triaged(
            &app,
            "2026-11-20T10:00:00Z",
            "Slipped in the lounge",
            ("low", "none"),
            ("2", "3"),
            "local_review",
        )
        .await?;
        let mut forms = 0;
        for role in [
            Role::CareWorker,
            Role::RegisteredManager,
            Role::HeadOfOperations,
            Role::Administrator,
        ] {
            let c = app.signed_in(app.world.email(role)).await?;
            forms += crawl(
                &c,
                &[
                    "/".to_owned(),
                    "/incidents/new?kind=incident&category=fall".to_owned(),
                ],
                120,
                false,
            )
            .await?;
        }
        // The public side: sign-in, case codes, the anonymous report form.
        let public = public_path(&app).await?;
        forms += crawl(
            &app.client(),
            &[
                "/login".to_owned(),
                "/case".to_owned(),
                format!("{public}?kind=near_miss&category=other"),
                format!("{public}%00"),
            ],
            10,
            true,
        )
        .await?;
        eprintln!("{forms} forms sent with NUL");
        assert!(forms >= 60, "only {forms} forms were found to send");
        Ok(())
    }
);

db_test!(nul_is_removed_from_reports_sent_by_form_and_api, |engine| {
    let app = TestApp::spawn(engine).await?;
    let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
    let token = csrf_in(
        &worker
            .text("/incidents/new?kind=near_miss&category=other")
            .await?,
    )
    .unwrap();
    let service = app.world.service.service_id.to_string();
    let resp = worker
        .post_form(
            "/incidents",
            &[
                ("csrf_token", &token),
                ("kind", "near_miss"),
                ("category", "other"),
                ("service_id", &service),
                ("occurred_date", "2026-11-23"),
                ("occurred_time", "08:00"),
                ("description", WITH_NUL),
            ],
        )
        .await?;
    assert_eq!(resp.status(), 303);
    let api = token_for(&app, app.world.email(Role::CareWorker)).await?;
    let resp = api_post(
        &app,
        &api,
        "/api/v1/incidents",
        &serde_json::json!({"kind": "near_miss", "category": "other", "service_id": service,
                "occurred_at": "2026-11-23T08:00:00Z", "description": WITH_NUL,
                "immediate_actions": "Moved\u{0} it"}),
    )
    .await?;
    assert_eq!(resp.status(), 201);
    for reference in ["INC-000001", "INC-000002"] {
        let report: serde_json::Value =
            api_get(&app, &api, &format!("/api/v1/incidents/{reference}"))
                .await?
                .json()
                .await?;
        assert_eq!(report["description"], WITHOUT_NUL, "{reference}");
    }
    // A search with NUL in it reads as the search without it.
    let rm = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
    let resp = api_get(&app, &rm, "/api/v1/incidents?q=door%00").await?;
    assert_eq!(resp.status(), 200);
    let found: serde_json::Value = resp.json().await?;
    assert_eq!(found["items"].as_array().map(Vec::len), Some(2), "{found}");
    // Signing in with NUL in the email is signing in with the email.
    let c = app.client();
    let email = format!("{}\u{0}", app.world.email(Role::SeniorCarer));
    let resp = c.sign_in(&email, PASSWORD).await?;
    assert_eq!(resp.status(), 303, "{}", resp.text().await?);
    Ok(())
});
