//! Recalls traced forward: everything made from or shipped with a recalled lot, and the
//! unsold stock to pull, by where it is now.

use std::collections::BTreeMap;

use corridor_epcis::{Epc, Event};
use corridor_gs1::Identifier;
use serde::Serialize;

use crate::provenance::Trace;

/// What a recall reaches.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Affected {
    /// The lots whose provenance holds a recalled object (the recalled lot among them).
    pub lots: Vec<String>,
    pub logistic_units: Vec<String>,
    /// How many serialised items.
    pub items: usize,
    pub items_sold: usize,
}

/// Unsold items at one site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StockToPull {
    /// The GLN of the site of their last event with a bizLocation.
    pub site: Option<String>,
    pub items: Vec<String>,
}

/// What a lot, unit or item went into: everything whose provenance holds it, and the unsold
/// items among them by where they are now.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Forward {
    pub affected: Affected,
    pub not_sold_by_last_site: Vec<StockToPull>,
}

/// A recall's forward trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecallTrace {
    /// The recall event.
    pub event: Option<String>,
    /// The GLN of the party that recorded it.
    pub recorder: Option<String>,
    pub recalled: Vec<String>,
    pub affected: Affected,
    pub not_sold_by_last_site: Vec<StockToPull>,
}

impl Trace {
    /// The forward trace of a recall event (one of [`Trace::recall_events`], or one about to
    /// be recorded).
    pub fn recall_trace(&self, recall: &Event) -> RecallTrace {
        let recalled: Vec<&Epc> = recall.listed().collect();
        let Forward {
            affected,
            not_sold_by_last_site,
        } = self.forward(&recalled);
        RecallTrace {
            event: recall.id.clone(),
            recorder: recall
                .recorded_by
                .as_deref()
                .and_then(|r| Epc::read(r).ok())
                .and_then(|e| e.gln())
                .map(|gln| gln.to_string()),
            recalled: recalled.iter().map(|o| o.to_string()).collect(),
            affected,
            not_sold_by_last_site,
        }
    }

    /// What `from` went into (each of them included): the lots, logistic units and items
    /// whose provenance holds one of them, and the unsold items by their last site.
    pub fn forward(&self, from: &[&Epc]) -> Forward {
        let mut affected = std::collections::BTreeSet::new();
        for object in from {
            affected.extend(self.affected_by(object));
        }
        let (mut lots, mut logistic_units) = (Vec::new(), Vec::new());
        let (mut items, mut items_sold) = (0, 0);
        let mut to_pull: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
        for object in &affected {
            match object.gs1() {
                Some(Identifier::Sscc(_)) => logistic_units.push(object.to_string()),
                Some(Identifier::Sgtin { .. }) => {
                    items += 1;
                    if self.sold(object) {
                        items_sold += 1;
                    } else {
                        let site = self.last_site(object).map(|gln| gln.to_string());
                        to_pull.entry(site).or_default().push(object.to_string());
                    }
                }
                _ => lots.push(object.to_string()),
            }
        }
        Forward {
            affected: Affected {
                lots,
                logistic_units,
                items,
                items_sold,
            },
            not_sold_by_last_site: to_pull
                .into_iter()
                .map(|(site, mut items)| {
                    items.sort();
                    StockToPull { site, items }
                })
                .collect(),
        }
    }
}
