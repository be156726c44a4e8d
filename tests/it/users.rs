//! The organisation's accounts for whoever manages users: a count and a
//! link on the home page, and a list a page at a time, searchable by name
//! or email, of their own organisation only.

use crate::helpers::*;
use candour::store::users::{User, insert_user};
use candour_domain::ids::{OrganisationId, UserId};
use candour_domain::role::{Role, Scope};

/// Adds accounts without passwords: (name, email, active).
async fn add_accounts(
    app: &TestApp,
    org: OrganisationId,
    accounts: &[(String, String, bool)],
) -> anyhow::Result<()> {
    let mut tx = app.ctx.store.begin().await?;
    for (name, email, active) in accounts {
        let user = User {
            user_id: UserId(uuid::Uuid::now_v7()),
            organisation_id: org,
            email: email.clone(),
            display_name: name.clone(),
            password_hash: None,
            active: *active,
            last_signed_in_at_ms: None,
            version: None,
        };
        insert_user(&mut tx, &user, start_time().as_millisecond()).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The rows of the users table on a page.
fn rows(html: &str) -> usize {
    html.split("<tbody>")
        .nth(1)
        .and_then(|t| t.split("</tbody>").next())
        .map_or(0, |t| t.matches("<tr>").count())
}

db_test!(
    administrators_see_a_count_of_users_and_page_through_and_search_them,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        // 150 more accounts in A (every seventh disabled), one with LIKE's
        // wildcard in its name, and one in B that A must never see.
        let mut more: Vec<(String, String, bool)> = (1..=150)
            .map(|n| {
                (
                    format!("Zara Test {n:03}"),
                    format!("zara.test{n:03}@a.example"),
                    n % 7 != 0,
                )
            })
            .collect();
        more.push(("Percy 100% Sure".into(), "percy@a.example".into(), true));
        add_accounts(&app, app.world.org, &more).await?;
        add_accounts(
            &app,
            app.world.org_b,
            &[("Zara Other".into(), "zara.other@b.example".into(), true)],
        )
        .await?;
        let total = app.world.users.len() + more.len();
        let disabled = 150 / 7;

        let admin = app.signed_in(app.world.email(Role::Administrator)).await?;
        let home = admin.text("/").await?;
        assert!(
            home.contains(&format!(
                "{total} accounts, {} of them active. <a href=\"/users\">All users</a>",
                total - disabled
            )),
            "{home}"
        );
        assert!(
            !home.contains("zara.test001@a.example"),
            "the home page lists no one"
        );

        let first = admin.get("/users").await?;
        assert_eq!(first.status(), 200);
        let first = first.text().await?;
        assert_ids_unique(&first);
        assert!(
            first.contains(&format!("Showing 1 to 100 of {total}.")),
            "{first}"
        );
        assert_eq!(rows(&first), 100);
        assert!(first.contains("Page 1 of 2."));
        assert!(first.contains("href=\"/users?q=&amp;page=2\" rel=\"next\""));
        assert!(!first.contains("rel=\"prev\""));
        let second = admin.text("/users?page=2").await?;
        assert!(
            second.contains(&format!("Showing 101 to {total} of {total}.")),
            "{second}"
        );
        assert_eq!(rows(&second), total - 100);
        assert!(second.contains("rel=\"prev\"") && !second.contains("rel=\"next\""));
        assert_eq!(
            second.matches("<td>Disabled</td>").count()
                + first.matches("<td>Disabled</td>").count(),
            disabled
        );
        // Past the last page: the last page.
        let past = admin.text("/users?page=999").await?;
        assert!(past.contains(&format!("Showing 101 to {total} of {total}.")));
        // Not B's accounts, on any page or search.
        let zara = admin.text("/users?q=ZARA").await?;
        assert!(
            zara.contains("Showing 1 to 100 of 150 with “ZARA” in the name or email."),
            "{zara}"
        );
        assert!(
            zara.contains("href=\"/users?q=ZARA&amp;page=2\" rel=\"next\""),
            "{zara}"
        );
        // The search goes on in the pager's links, encoded for a URL.
        let spaced = admin.text("/users?q=zara%20test%20%26").await?;
        assert!(
            spaced.contains("No account has “zara test &#38;” in its name or email."),
            "{spaced}"
        );
        let spaced = admin.text("/users?q=zara%20test").await?;
        assert!(
            spaced.contains("href=\"/users?q=zara+test&amp;page=2\" rel=\"next\""),
            "{spaced}"
        );
        let zara2 = admin.text("/users?q=ZARA&page=2").await?;
        assert_eq!(rows(&zara2), 50);
        for page in [&first, &second, &zara, &zara2] {
            assert!(!page.contains("zara.other@b.example"));
        }
        // By email, in any case.
        let one = admin.text("/users?q=Zara.Test007%40").await?;
        assert_eq!(rows(&one), 1);
        assert!(one.contains("Zara Test 007") && one.contains("Disabled"));
        // LIKE's wildcards are searched for as themselves.
        for q in ["100%25", "%25"] {
            let found = admin.text(&format!("/users?q={q}")).await?;
            assert_eq!(rows(&found), 1, "searching {q}: {found}");
        }
        let underscored = app
            .world
            .users
            .iter()
            .filter(|(_, email)| email.contains('_'))
            .count();
        assert!(underscored > 0 && underscored < total);
        let found = admin.text("/users?q=_").await?;
        assert_eq!(rows(&found), underscored, "searching _: {found}");
        let none = admin.text("/users?q=nobody-here").await?;
        assert!(none.contains("No account has “nobody-here” in its name or email."));
        assert_eq!(rows(&none), 0);

        // Not for anyone who manages no one's account.
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        assert_eq!(worker.get("/users").await?.status(), 403);
        assert!(!worker.text("/").await?.contains("user-counts"));
        // A registered manager sees their own services' staff, not the counts of all.
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        assert!(!manager.text("/").await?.contains("user-counts"));
        Ok(())
    }
);

db_test!(
    the_users_list_shows_roles_status_and_last_sign_in_and_downloads_for_the_access_review,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let worker_email = app.world.email(Role::CareWorker);
        let admin = app.signed_in(app.world.email(Role::Administrator)).await?;
        let page = admin.text("/users").await?;
        assert!(page.contains("Care worker, Alder House"), "{page}");
        assert!(
            page.contains("Regional manager, Region One region"),
            "{page}"
        );
        assert!(page.contains("<td>Never</td>"), "not signed in yet: {page}");
        assert!(
            page.contains("23 Nov 2026"),
            "the administrator signed in now: {page}"
        );
        // A formula in a name is kept as typed and never run from the CSV.
        staff_member(
            &app,
            ("formula@a.example", "=HYPERLINK(\"x\")"),
            Role::CareWorker,
            Scope::Service(app.world.service.service_id),
        )
        .await?;
        let worker = app.actor(worker_email).await?;
        candour::actions::leavers::disable_account(
            &app.ctx,
            &app.actor(app.world.email(Role::Administrator)).await?,
            worker.user_id,
            "Left",
        )
        .await
        .map_err(fail)?;
        let disabled = admin.text("/users?status=disabled").await?;
        assert!(
            disabled.contains(worker_email) && !disabled.contains("formula@a.example"),
            "{disabled}"
        );
        let managers = admin.text("/users?role=registered_manager").await?;
        assert!(managers.contains(app.world.email(Role::RegisteredManager)));
        assert!(!managers.contains(worker_email), "{managers}");
        let resp = admin.get("/users.csv?status=active").await?;
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
        let csv = resp.text().await?;
        assert!(
            csv.starts_with("Name,Email,Status,Roles,Second factor,Last sign-in\r\n"),
            "{csv}"
        );
        assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{csv}");
        assert!(!csv.contains(worker_email), "only active accounts: {csv}");
        // Not for anyone who manages no one's account.
        let worker = app
            .signed_in(app.world.email(Role::QualityAssurance))
            .await?;
        assert_eq!(worker.get("/users.csv").await?.status(), 403);
        Ok(())
    }
);

db_test!(
    an_hr_system_lists_and_changes_accounts_through_the_api_on_their_version,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let admin = token_for(&app, app.world.email(Role::Administrator)).await?;
        let listed: serde_json::Value = api_get(&app, &admin, "/api/v1/users?status=active")
            .await?
            .json()
            .await?;
        let items = listed["items"].as_array().cloned().unwrap_or_default();
        assert!(items.len() >= 6, "{listed}");
        let ids: Vec<&str> = items.iter().filter_map(|u| u["user_id"].as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!(ids, sorted, "in id order, for a cursor");
        assert!(listed["next_cursor"].is_null());
        assert_eq!(
            api_get(&app, &admin, "/api/v1/users?status=gone")
                .await?
                .status(),
            400
        );

        let worker = app.actor(app.world.email(Role::CareWorker)).await?;
        let path = format!("/api/v1/users/{}", worker.user_id);
        let read = api_get(&app, &admin, &path).await?;
        let etag = read
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let send = |body: serde_json::Value, tag: Option<String>| {
            let (path, admin) = (path.clone(), admin.clone());
            let base = app.base.clone();
            async move {
                let mut req = reqwest::Client::new()
                    .patch(format!("{base}{path}"))
                    .bearer_auth(admin)
                    .json(&body);
                if let Some(t) = tag {
                    req = req.header("if-match", t);
                }
                req.send().await
            }
        };
        assert_eq!(
            send(serde_json::json!({"display_name": "Cara Worker"}), None)
                .await?
                .status(),
            428
        );
        app.clock.advance(1);
        let renamed = send(
            serde_json::json!({"display_name": "Cara Worker"}),
            Some(etag.clone()),
        )
        .await?;
        assert_eq!(renamed.status(), 200);
        let renamed: serde_json::Value = renamed.json().await?;
        assert_eq!(renamed["name"], "Cara Worker");
        // On the old version: refused, nothing overwritten.
        let stale = send(
            serde_json::json!({"active": false, "reason": "Left"}),
            Some(etag),
        )
        .await?;
        assert_eq!(stale.status(), 412);
        let tag = format!("\"{}\"", renamed["version"]);
        let no_reason = send(serde_json::json!({"active": false}), Some(tag.clone())).await?;
        assert_eq!(no_reason.status(), 422);
        app.clock.advance(1);
        let disabled = send(
            serde_json::json!({"active": false, "reason": "Left on 4 Dec 2026"}),
            Some(tag),
        )
        .await?;
        assert_eq!(disabled.status(), 200);
        let disabled: serde_json::Value = disabled.json().await?;
        assert_eq!(disabled["status"], "disabled");
        let events = app
            .ctx
            .store
            .audit_for_record(app.world.org, "user", &worker.user_id.to_string())
            .await?;
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert!(
            actions.contains(&"user.renamed") && actions.contains(&"user.disabled"),
            "{actions:?}"
        );
        // A registered manager lists only their own services' staff.
        let manager = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
        let theirs: serde_json::Value = api_get(&app, &manager, "/api/v1/users")
            .await?
            .json()
            .await?;
        let emails: Vec<&str> = theirs["items"]
            .as_array()
            .map(|a| a.iter().filter_map(|u| u["email"].as_str()).collect())
            .unwrap_or_default();
        assert!(
            !emails.contains(&app.world.email(Role::Administrator)),
            "{emails:?}"
        );
        assert!(
            emails.contains(&app.world.email(Role::SeniorCarer)),
            "{emails:?}"
        );
        let worker_token = token_for(&app, app.world.email(Role::SeniorCarer)).await?;
        assert_eq!(
            api_get(&app, &worker_token, "/api/v1/users")
                .await?
                .status(),
            403
        );
        Ok(())
    }
);
