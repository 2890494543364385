//! `corridor trace recall`: a recall recorded as a signed event, and traced forward to every
//! lot, logistic unit and item made from or shipped with what it names, with the unsold stock
//! to pull by where it is now.

use std::io::Write;

use anyhow::{Result, anyhow};
use corridor_epcis::{Epc, Event, Prefixes};
use corridor_gs1::Identifier;
use serde_json::{Value, json};

use super::record::{Recorder, RecorderArgs};
use crate::exit::{Exit, Refused};
use crate::home::Home;

#[derive(clap::Args)]
pub struct RecallArgs {
    #[command(flatten)]
    recorder: RecorderArgs,
    /// What is recalled: a lot, item or logistic unit (Digital Link or EPC URN), a certificate
    /// (its URI as events cite it: everything the events citing it name), or an event (its
    /// ID: everything it names or made).
    #[arg(value_name = "LOT|CERTIFICATE|EVENT")]
    what: String,
    /// The forward trace as one JSON object, in the shape of a recall of the traceability
    /// corpus's expected.json: {event, recorder, recalled, affected {lots, logisticUnits,
    /// items, itemsSold}, notSoldByLastSite [{site, items}]}.
    #[arg(long)]
    json: bool,
}

pub fn run(home: &Home, args: &RecallArgs) -> Result<Exit> {
    let mut store = home.store()?;
    let recorder = Recorder::new(home, &store, &args.recorder)?;
    let party = recorder.party.ok_or_else(|| {
        anyhow!("--party: the party recording the recall (it is recorded at its site)")
    })?;
    let registry = super::reference::registry(&store)?;
    let site = registry
        .party(&party)
        .and_then(|p| p.locations.first())
        .map(|location| location.gln.clone())
        .ok_or_else(|| Refused(format!("party {party} has no location in the store's reference data: import its parties first")))?;
    let trace = super::provenance::load(&store)?;
    let recalled = recalled(&trace, &args.what)?;
    let (mut instances, mut classes) = (Vec::new(), Vec::new());
    for object in &recalled {
        match object.gs1() {
            Some(Identifier::Lgtin { .. } | Identifier::Gtin(_)) => {
                classes.push(json!({"epcClass": object.to_string()}))
            }
            _ => instances.push(json!(object.to_string())),
        }
    }
    let mut event = json!({
        "@context": [corridor_epcis::EPCIS_CONTEXT_URL, {"corridor": "https://ns.corridor.example/trace/"}],
        "type": "ObjectEvent",
        "eventTime": humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
        "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE",
        "bizStep": "holding",
        "disposition": "recalled",
        "readPoint": {"id": format!("https://id.gs1.org/414/{site}")},
        "corridor:recordedBy": format!("https://id.gs1.org/417/{party}"),
    });
    if !instances.is_empty() {
        event["epcList"] = Value::Array(instances);
    }
    if !classes.is_empty() {
        event["quantityList"] = Value::Array(classes);
    }
    corridor_epcis::validate(&event)
        .map_err(|problems| anyhow!("the recall event: {problems:?}"))?;
    recorder.record(&mut store, |record| {
        record("the recall".into(), serde_json::to_vec(&event)?)
    })?;
    let id = corridor_epcis::event_hash_id(&event, None)?;
    event["eventID"] = json!(id);
    let recall = Event::read(&event, &Prefixes::default())?;
    let trace = super::provenance::load(&store)?;
    let forward = trace.recall_trace(&recall);
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string(&forward)?)?;
    } else {
        writeln!(out, "recall {id}")?;
        writeln!(
            out,
            "  recorded by {party} at {site}, signed as {}",
            recorder.named()
        )?;
        for object in &forward.recalled {
            writeln!(out, "  recalled {object}")?;
        }
        let affected = &forward.affected;
        writeln!(
            out,
            "  reaches {} lot(s), {} logistic unit(s), {} item(s), {} of them sold",
            affected.lots.len(),
            affected.logistic_units.len(),
            affected.items,
            affected.items_sold
        )?;
        for stock in &forward.not_sold_by_last_site {
            let site = stock.site.as_deref().unwrap_or("no known site");
            writeln!(out, "  pull {} item(s) at {site}:", stock.items.len())?;
            for item in &stock.items {
                writeln!(out, "    {item}")?;
            }
        }
    }
    Ok(Exit::Success)
}

/// The objects a recall of `what` names.
fn recalled(trace: &corridor_trace::Trace, what: &str) -> Result<Vec<Epc>> {
    if let Ok(object) = Epc::read(what)
        && trace.knows(&object)
    {
        return Ok(vec![object]);
    }
    let named = |event: &Event| -> Vec<Epc> {
        event.listed().chain(event.all_outputs()).cloned().collect()
    };
    let mut objects: Vec<Epc> = Vec::new();
    for event in trace.events() {
        if event.id.as_deref() == Some(what) || event.certifications.iter().any(|c| c == what) {
            for object in named(event) {
                if !objects.contains(&object) {
                    objects.push(object);
                }
            }
        }
    }
    if objects.is_empty() {
        return Err(Refused(format!("{what} names no lot, item, logistic unit, certificate or event the recorded events know")).into());
    }
    Ok(objects)
}
