//! `corridor trace provenance`: an item's, lot's or logistic unit's origins and breaks, from
//! the events the store records and its reference data.

use std::io::Write;

use anyhow::{Result, anyhow};
use corridor_epcis::{Epc, Event, Prefixes};
use corridor_trace::{Break, Provenance, Trace, Verdict};
use serde_json::{Value, json};

use crate::exit::{Exit, Refused};
use crate::home::Home;

#[derive(clap::Args)]
pub struct ProvenanceArgs {
    /// Items, lots or logistic units: GS1 Digital Link URIs (any domain) or EPC URNs.
    #[arg(required = true, value_name = "TARGET")]
    targets: Vec<String>,
    /// One JSON object a line, in the shape of a target of the traceability corpus's
    /// expected.json: {dl, urn, type, unit, gtin, verdict, origins, breaks}; a target no event
    /// names is {"input", "verdict": "unknown"}.
    #[arg(long)]
    json: bool,
    /// How documents events link to (certificates, bills of lading kept with `corridor trace
    /// reference import`) are verified, as `corridor verify` does.
    #[command(flatten)]
    world: crate::verify::WorldArgs,
}

pub fn run(home: &Home, args: &ProvenanceArgs) -> Result<Exit> {
    let targets: Vec<Epc> = args
        .targets
        .iter()
        .map(|text| {
            Epc::read(text)
                .map_err(|e| Refused(format!("{text}: not a GS1 identifier: {e}")).into())
        })
        .collect::<Result<_>>()?;
    let store = home.store()?;
    let registry = super::reference::registry(&store)?;
    let mut trace = load(&store)?;
    // The outside world is reached only for the documents events link to, if any are kept.
    if store
        .reference(corridor_ledger::ReferenceKind::Documents)?
        .is_some()
    {
        let world = args.world.connect(&corridor_net::FetchPolicy::Anywhere)?;
        let verifier = corridor_verify::Verifier::new(
            world.providers(corridor_net::QuestionBudget::unlimited()),
        );
        trace.set_linked(corridor_server::linked_documents(
            &store,
            &verifier,
            args.world.offline,
        )?);
    }
    let mut out = std::io::stdout().lock();
    let mut all_clean = true;
    for (text, target) in args.targets.iter().zip(&targets) {
        let found = trace.provenance(target, &registry);
        all_clean &= found.as_ref().is_some_and(|p| p.verdict == Verdict::Clean);
        match (found, args.json) {
            (Some(provenance), true) => writeln!(out, "{}", serde_json::to_string(&provenance)?)?,
            (None, true) => writeln!(out, "{}", json!({"input": text, "verdict": "unknown"}))?,
            (Some(provenance), false) => write_report(&mut out, &provenance)?,
            (None, false) => writeln!(out, "{text}\n  unknown: no recorded event names it\n")?,
        }
    }
    Ok(if all_clean {
        Exit::Success
    } else {
        Exit::Negative
    })
}

/// Every event the store records, indexed for walking.
pub fn load(store: &corridor_ledger::Store) -> Result<Trace> {
    let mut events = Vec::new();
    store.each_recorded_event(0, |recorded| -> Result<()> {
        let id = &recorded.id;
        let value: Value = serde_json::from_str(&recorded.event)
            .map_err(|e| anyhow!("the store's event {id}: {e}"))?;
        let mut event = Event::read(&value, &Prefixes::default())
            .map_err(|e| anyhow!("the store's event {id}: {e}"))?;
        event.signed_by = recorded.signer;
        events.push(event);
        Ok(())
    })?;
    let mut trace = Trace::new(events);
    trace.set_withdrawn(store.revoked_events()?);
    Ok(trace)
}

fn write_report(out: &mut impl Write, p: &Provenance) -> Result<()> {
    let verdict = match p.verdict {
        Verdict::Clean => "clean: every step is vouched for".to_owned(),
        Verdict::Broken => format!("broken: {} break(s)", p.breaks.len()),
    };
    writeln!(out, "{} ({})", p.dl, p.unit)?;
    if let Some(urn) = &p.urn {
        writeln!(out, "  {urn}")?;
    }
    writeln!(out, "  {verdict}")?;
    writeln!(out, "  origins:")?;
    for origin in &p.origins {
        let at = match (&origin.site, &origin.party) {
            (Some(site), Some(party)) => format!("at site {site} of party {party}"),
            (Some(site), None) => format!("at site {site}"),
            _ => "no event creates it: origin unknown".to_owned(),
        };
        writeln!(out, "    {}  {at}", origin.id)?;
    }
    if !p.breaks.is_empty() {
        writeln!(out, "  breaks:")?;
    }
    for found in &p.breaks {
        writeln!(out, "    {}", describe(found))?;
    }
    writeln!(out)?;
    Ok(())
}

/// A break in plain words, with the events involved.
fn describe(found: &Break) -> String {
    let or_unknown = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".into());
    match found {
        Break::MissingHop { events, from, to } => match from {
            None => format!(
                "missing hop: the first event at {} does not create it ({})",
                or_unknown(to),
                events.join(", ")
            ),
            Some(from) => format!(
                "missing hop: from {from} to {} with no shipment linking them ({})",
                or_unknown(to),
                events.join(", ")
            ),
        },
        Break::WrongSigner {
            events,
            recorder,
            site,
            biz_step,
            reasons,
        } => format!(
            "wrong signer: {} recorded {} at {} ({}) — {}",
            or_unknown(recorder),
            or_unknown(biz_step),
            or_unknown(site),
            reasons.join(", "),
            events.join(", ")
        ),
        Break::EventRevoked { events, note } => {
            format!(
                "withdrawn: its recorder revoked the event's credential ({note}) — {}",
                events.join(", ")
            )
        }
        Break::TemperatureExcursion {
            events,
            gtin,
            min,
            max,
            values,
        } => format!(
            "temperature excursion: GTIN {gtin} must stay within {min}..{max} °C, read {} ({})",
            values
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            events.join(", ")
        ),
        Break::CertificateProblem {
            events,
            certificate: named,
            reason,
            detail,
        }
        | Break::DocumentProblem {
            events,
            document: named,
            reason,
            detail,
        } => {
            let detail = detail
                .as_ref()
                .map_or_else(String::new, |d| format!(": {d}"));
            format!(
                "certificate or document {named}: {reason}{detail} ({})",
                events.join(", ")
            )
        }
        Break::RecalledUpstream { events, recalled } => {
            format!("recalled: {recalled} ({})", events.join(", "))
        }
    }
}
