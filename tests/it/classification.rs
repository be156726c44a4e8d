//! Every column the migrations make is classified in
//! migrations/classification.txt (sensitivity, subject access, retention),
//! and nothing is classified that does not exist, on both engines.

use crate::helpers::*;
use candour::store::classification::{Sensitivity, columns};
use std::collections::BTreeSet;

db_test!(
    every_column_is_classified_and_every_classification_is_a_column,
    |engine| {
        let db = TestDb::new(engine).await?;
        let store = db.store().await?;
        let schema: BTreeSet<(String, String)> =
            store.schema_outline().await?.into_iter().collect();
        let classified = columns().map_err(|e| anyhow::anyhow!(e))?;
        let named: BTreeSet<(String, String)> = classified
            .iter()
            .map(|c| (c.table.to_owned(), c.column.to_owned()))
            .collect();
        assert_eq!(
            named.len(),
            classified.len(),
            "a column is classified twice"
        );
        let unclassified: Vec<_> = schema.difference(&named).collect();
        assert!(
            unclassified.is_empty(),
            "classify these in migrations/classification.txt: {unclassified:?}"
        );
        let gone: Vec<_> = named.difference(&schema).collect();
        assert!(gone.is_empty(), "no longer in the schema: {gone:?}");
        // Free text about what happened is health data, and goes to the person it is about.
        for (table, column) in [
            ("incident", "description"),
            ("incident_addendum", "body"),
            ("investigation", "findings"),
            ("audit_values", "changes"),
        ] {
            let c = classified
                .iter()
                .find(|c| c.table == table && c.column == column)
                .unwrap();
            assert_eq!(c.sensitivity, Sensitivity::Health, "{table}.{column}");
            assert!(c.subject_access, "{table}.{column}");
        }
        Ok(())
    }
);
