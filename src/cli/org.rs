//! `candour org …`: create the organisation and its regions, services and areas.

use super::user::explain;
use super::{DatabaseArg, Resolved, ctx, open_store};
use crate::actions::accounts::pick_organisation;
use crate::actions::organisation::{
    ServiceDraft, add_area, add_region, add_service, create_organisation,
};
use clap::{Args, Subcommand};
use std::process::ExitCode;

/// `candour org …`
#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an organisation (a care group or a single provider).
    Create {
        #[command(flatten)]
        db: DatabaseArg,
        /// Its name.
        #[arg(long)]
        name: String,
    },
    /// Add a region.
    AddRegion {
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        org: OrgArg,
        /// The region's name.
        #[arg(long)]
        name: String,
    },
    /// Add a service (one CQC location).
    AddService(AddServiceArgs),
    /// Add an area (floor, wing, unit, round or house) to a service.
    AddArea {
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        org: OrgArg,
        /// The service's name.
        #[arg(long)]
        service: String,
        /// The area's name.
        #[arg(long)]
        name: String,
        /// floor, wing, unit, round or house.
        #[arg(long)]
        kind: String,
    },
    /// Print the organisation's regions, services and areas.
    Show {
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        org: OrgArg,
    },
}

/// Which organisation, when the database holds several.
#[derive(Debug, Args)]
pub struct OrgArg {
    /// The organisation's name (needed only when there are several).
    #[arg(long)]
    organisation: Option<String>,
}

/// `candour org add-service`
#[derive(Debug, Args)]
pub struct AddServiceArgs {
    #[command(flatten)]
    db: DatabaseArg,
    #[command(flatten)]
    org: OrgArg,
    /// The region's name.
    #[arg(long)]
    region: String,
    /// The service's name.
    #[arg(long)]
    name: String,
    /// care_home, care_home_with_nursing, home_care or supported_living.
    #[arg(long = "type")]
    service_type: String,
    /// CQC location id, like 1-123456789.
    #[arg(long, default_value = "")]
    cqc_location_id: String,
    /// Address.
    #[arg(long)]
    address: String,
    /// Postcode.
    #[arg(long)]
    postcode: String,
    /// england_and_wales (default), scotland or northern_ireland.
    #[arg(long, default_value = "")]
    nation: String,
}

/// Runs an org subcommand.
pub async fn run(cmd: OrgCommand, resolved: &Resolved) -> anyhow::Result<ExitCode> {
    match cmd {
        OrgCommand::Create { db, name } => {
            let store = open_store(&resolved.database_url(&db), resolved).await?;
            let org = create_organisation(&ctx(store.clone()), &name, "cli")
                .await
                .map_err(explain)?;
            println!("Created the organisation {}.", org.name);
            store.close().await;
        }
        OrgCommand::AddRegion { db, org, name } => {
            let store = open_store(&resolved.database_url(&db), resolved).await?;
            let c = ctx(store.clone());
            let id = pick_organisation(&c, org.organisation.as_deref())
                .await
                .map_err(explain)?;
            let r = add_region(&c, id, &name, "cli").await.map_err(explain)?;
            println!("Added the region {}.", r.name);
            store.close().await;
        }
        OrgCommand::AddService(a) => {
            let store = open_store(&resolved.database_url(&a.db), resolved).await?;
            let c = ctx(store.clone());
            let id = pick_organisation(&c, a.org.organisation.as_deref())
                .await
                .map_err(explain)?;
            let draft = ServiceDraft {
                region: a.region,
                name: a.name,
                service_type: a.service_type,
                cqc_location_id: a.cqc_location_id,
                address: a.address,
                postcode: a.postcode,
                nation: a.nation,
            };
            let s = add_service(&c, id, &draft, "cli").await.map_err(explain)?;
            println!("Added the service {} ({}).", s.name, s.service_type.label());
            store.close().await;
        }
        OrgCommand::AddArea {
            db,
            org,
            service,
            name,
            kind,
        } => {
            let store = open_store(&resolved.database_url(&db), resolved).await?;
            let c = ctx(store.clone());
            let id = pick_organisation(&c, org.organisation.as_deref())
                .await
                .map_err(explain)?;
            let a = add_area(&c, id, &service, &name, &kind, "cli")
                .await
                .map_err(explain)?;
            println!("Added the {} {}.", a.kind.label().to_lowercase(), a.name);
            store.close().await;
        }
        OrgCommand::Show { db, org } => {
            let store = open_store(&resolved.database_url(&db), resolved).await?;
            let c = ctx(store.clone());
            let id = pick_organisation(&c, org.organisation.as_deref())
                .await
                .map_err(explain)?;
            println!("{}", store.organisation(id).await?.name);
            let services = store.services(id).await?;
            for r in store.regions(id).await? {
                println!("  Region: {}", r.name);
                for s in services.iter().filter(|s| s.region_id == r.region_id) {
                    let cqc = s.cqc_location_id.as_deref().unwrap_or("no CQC id");
                    println!(
                        "    Service: {} ({}, {cqc})",
                        s.name,
                        s.service_type.label()
                    );
                    for a in store.areas(id, s.service_id).await? {
                        println!("      {}: {}", a.kind.label(), a.name);
                    }
                }
            }
            store.close().await;
        }
    }
    Ok(ExitCode::SUCCESS)
}
