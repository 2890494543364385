//! The answer a self-service checkout and a shopper's phone need: sell or do not sell, and
//! why, in plain words — from the item's provenance, whether it was sold already, and its
//! best-before date.

use corridor_epcis::{Epc, Event};
use corridor_gs1::Identifier;
use serde::Serialize;

use crate::provenance::{Break, Provenance, Trace};
use crate::registry::Registry;

/// Whether to sell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    Sell,
    DoNotSell,
}

/// One reason not to sell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// `unknown`, `recalled`, `temperature`, `certificate`, `unvouched-step`, `wrong-signer`,
    /// `withdrawn-step`, `document`, `sold`, `expired`; and, from a node that follows
    /// others, `unconfirmed` (whether they recalled what it came from is not known).
    pub code: &'static str,
    /// What it means, for a shopper.
    pub message: String,
}

/// The answer for one code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub decision: Decision,
    /// Empty when the item may be sold.
    pub reasons: Vec<Reason>,
    /// The earliest best-before date of what it was made as, if known.
    #[serde(rename = "bestBefore")]
    pub best_before: Option<String>,
    pub provenance: Option<Provenance>,
}

impl Check {
    /// Adds a reason not to sell, found beyond the events (a recall another node published),
    /// unless it is given already.
    pub fn refuse(&mut self, code: &'static str, message: String) {
        if !self
            .reasons
            .iter()
            .any(|r| r.code == code && r.message == message)
        {
            self.reasons.push(Reason { code, message });
        }
        self.decision = Decision::DoNotSell;
    }
}

impl Trace {
    /// Whether `target` may be sold on `today` (`YYYY-MM-DD`), and why not.
    pub fn check(&self, target: &Epc, registry: &Registry, today: &str) -> Check {
        let Some(provenance) = self.provenance(target, registry) else {
            return Check {
                decision: Decision::DoNotSell,
                reasons: vec![Reason {
                    code: "unknown",
                    message: "No recorded event names this code: where it came from is not known."
                        .into(),
                }],
                best_before: None,
                provenance: None,
            };
        };
        let name_of_site = |site: &Option<String>| -> String {
            site.as_deref()
                .and_then(|gln| gln.parse().ok())
                .and_then(|gln| registry.owner_of(&gln))
                .map_or_else(
                    || site.clone().unwrap_or_else(|| "an unknown place".into()),
                    |p| p.name.clone(),
                )
        };
        let mut reasons: Vec<Reason> = Vec::new();
        let mut add = |code, message: String| {
            if !reasons
                .iter()
                .any(|r: &Reason| r.code == code && r.message == message)
            {
                reasons.push(Reason { code, message });
            }
        };
        for found in &provenance.breaks {
            match found {
                Break::RecalledUpstream { recalled, .. } => add(
                    "recalled",
                    format!("Recalled: {recalled} was recalled by its producer."),
                ),
                Break::TemperatureExcursion {
                    min, max, values, ..
                } => add(
                    "temperature",
                    format!(
                        "Out of its cold chain: it must stay between {min} and {max} °C, and {} °C was read.",
                        values
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
                Break::CertificateProblem {
                    certificate,
                    reason,
                    ..
                } => add(
                    "certificate",
                    format!(
                        "A certificate it depends on ({certificate}) is {}.",
                        reason.replace('-', " ")
                    ),
                ),
                Break::DocumentProblem {
                    document, reason, ..
                } => add(
                    "document",
                    format!(
                        "A document of its journey ({document}) is {}.",
                        reason.replace('-', " ")
                    ),
                ),
                Break::EventRevoked { note, .. } => add(
                    "withdrawn-step",
                    if note.is_empty() {
                        "A step of its journey was withdrawn by the party that recorded it.".into()
                    } else {
                        format!(
                            "A step of its journey was withdrawn by the party that recorded it: {note}"
                        )
                    },
                ),
                Break::MissingHop { from, to, .. } => add(
                    "unvouched-step",
                    match from {
                        Some(_) => format!(
                            "A step of its journey is not vouched for: nothing records how it went from {} to {}.",
                            name_of_site(from),
                            name_of_site(to)
                        ),
                        None => format!(
                            "Where it began is not recorded: it first appears at {}.",
                            name_of_site(to)
                        ),
                    },
                ),
                Break::WrongSigner { biz_step, site, .. } => add(
                    "wrong-signer",
                    format!(
                        "A step ({}) at {} was recorded by a party that may not record it.",
                        biz_step.as_deref().unwrap_or("unnamed"),
                        name_of_site(site)
                    ),
                ),
            }
        }
        let path = self.journey(target);
        if matches!(target.gs1(), Some(Identifier::Sgtin { .. }))
            && let Some(sold) = path
                .iter()
                .find(|e| e.disposition.as_deref() == Some("retail_sold"))
        {
            add(
                "sold",
                format!(
                    "Already sold, at {}.",
                    name_of_site(&sold.site().map(|g| g.to_string()))
                ),
            );
        }
        let best_before = path.iter().filter_map(|e| e.best_before.clone()).min();
        if let Some(date) = best_before.as_deref().filter(|date| *date < today) {
            add("expired", format!("Past its best-before date ({date})."));
        }
        Check {
            decision: if reasons.is_empty() {
                Decision::Sell
            } else {
                Decision::DoNotSell
            },
            reasons,
            best_before,
            provenance: Some(provenance),
        }
    }

    /// The events of `target`'s journey, in time order: its own and its containers' while it
    /// was inside.
    pub fn journey(&self, target: &Epc) -> Vec<&Event> {
        self.path_of(target)
            .into_iter()
            .map(|i| &self.events()[i])
            .collect()
    }
}
