//! Capturing: all or nothing, or every good event; a party's events only; events recorded
//! before left as they were.

use corridor_capture::{CaptureError, OnError, Recorder};
use corridor_format::did::DidSigner;
use serde_json::{Value, json};

fn event(serial: &str, recorder: Option<&str>) -> Value {
    let mut event = json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                     {"corridor": "https://ns.corridor.example/trace/"}],
        "type": "ObjectEvent", "eventTime": "2025-03-02T22:21:40+08:00", "eventTimeZoneOffset": "+08:00",
        "epcList": [format!("urn:epc:id:sgtin:6918790.000001.{serial}")], "action": "OBSERVE",
        "bizStep": "receiving"
    });
    if let Some(recorder) = recorder {
        event["corridor:recordedBy"] = json!(recorder);
    }
    event
}

fn signer() -> DidSigner {
    DidSigner::new(k256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap())
}

/// The issuer block of a packer signing with `signer`.
fn packer(signer: &DidSigner) -> Value {
    json!({"id": signer.did(), "name": "Packer",
           "revocation": {"type": "OCSP_RESPONDER", "location": "https://corridor.example/ocsp/packer"},
           "identityProof": {"type": "DNS-DID", "location": "packer.example", "key": format!("{}#controller", signer.did())}})
}

/// A packer's recorder for no party in particular, signing four events a batch.
fn in_small_batches(signer: &DidSigner) -> Recorder<'_> {
    Recorder::new(
        signer,
        "packer".into(),
        packer(signer),
        None,
        std::time::SystemTime::now(),
    )
    .in_batches_of(std::num::NonZeroUsize::new(4).unwrap())
}

fn capture(
    store: &mut corridor_ledger::Store,
    recorder: &Recorder,
    on_error: OnError,
    events: &[Value],
) -> Result<corridor_capture::Recorded, CaptureError> {
    recorder.record(store, on_error, |record| {
        for (i, event) in events.iter().enumerate() {
            record(format!("input {i}"), serde_json::to_vec(event).unwrap())?;
        }
        Ok(())
    })
}

#[test]
fn a_refused_event_keeps_nothing_unless_told_to_proceed() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = corridor_ledger::Store::open(dir.path().join("s.sqlite")).unwrap();
    let signer = signer();
    let party = "6918790000008".parse().unwrap();
    let recorder = Recorder::new(
        &signer,
        "packer".into(),
        packer(&signer),
        Some(party),
        std::time::SystemTime::now(),
    );
    let other = "urn:epc:id:pgln:6918790.00001";
    let mut tampered = event("C", None);
    tampered["eventID"] = json!(
        "ni:///sha-256;00000000000000000000000000000000000000000000000000000000000000?ver=CBV2.0"
    );
    let events = [event("A", None), event("B", Some(other)), tampered];

    let Err(CaptureError::Refused(refused)) =
        capture(&mut store, &recorder, OnError::Rollback, &events)
    else {
        panic!("refused events must roll the capture back");
    };
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(
        refused[0].input == "input 1" && refused[0].problem.contains("records for 6918790000008")
    );
    assert!(
        refused[1]
            .problem
            .contains("naming 6918790000008 would change"),
        "{}",
        refused[1]
    );
    assert!(
        store.events_after(0).unwrap().is_empty(),
        "nothing is kept on a rollback"
    );

    let done = capture(&mut store, &recorder, OnError::Proceed, &events).unwrap();
    assert_eq!(
        (done.recorded, done.refused_count, done.refused.len()),
        (1, 2, 2)
    );
    let recorded = store.events_after(0).unwrap();
    let kept: Vec<Value> = recorded
        .iter()
        .map(|e| serde_json::from_str(&e.event).unwrap())
        .collect();
    // The signer its credential names.
    assert_eq!(recorded[0].signer.as_deref(), Some(signer.did().as_str()));
    assert_eq!(kept.len(), 1);
    // The event that named no recorder was given the key's party, and its ID made after.
    assert_eq!(
        kept[0]["corridor:recordedBy"],
        "https://id.gs1.org/417/6918790000008"
    );
    let mut unnamed = kept[0].clone();
    unnamed.as_object_mut().unwrap().remove("eventID");
    assert_eq!(
        kept[0]["eventID"],
        json!(corridor_epcis::event_hash_id(&unnamed, None).unwrap())
    );

    let again = capture(&mut store, &recorder, OnError::Rollback, &[kept[0].clone()]).unwrap();
    assert_eq!((again.recorded, again.before), (0, 1));
}

#[test]
fn many_batches_are_signed_and_written_in_turn_and_the_store_stays_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = corridor_ledger::Store::open(dir.path().join("s.sqlite")).unwrap();
    let signer = signer();
    let recorder = in_small_batches(&signer);
    let events: Vec<Value> = (0..30).map(|i| event(&format!("S{i}"), None)).collect();
    let done = capture(&mut store, &recorder, OnError::Rollback, &events).unwrap();
    assert_eq!((done.recorded, done.batches), (30, 8));
    let recorded = store.events_after(0).unwrap();
    assert_eq!(recorded.len(), 30);
    let ids: std::collections::BTreeSet<&str> = recorded.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), 30);
    assert!(matches!(
        store.audit().unwrap(),
        corridor_ledger::Audit::Intact { .. }
    ));
    // Again, with some recorded before among new ones, across batches.
    let more: Vec<Value> = (20..45).map(|i| event(&format!("S{i}"), None)).collect();
    let done = capture(&mut store, &recorder, OnError::Proceed, &more).unwrap();
    assert_eq!((done.recorded, done.before), (15, 10));
    assert_eq!(store.events_after(0).unwrap().len(), 45);
    assert!(matches!(
        store.audit().unwrap(),
        corridor_ledger::Audit::Intact { .. }
    ));
}

#[test]
fn each_credential_is_made_again_as_signed_and_an_edited_event_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let mut store = corridor_ledger::Store::open(&path).unwrap();
    let signer = signer();
    let recorder = in_small_batches(&signer);
    let events: Vec<Value> = (0..6).map(|i| event(&format!("S{i}"), None)).collect();
    capture(&mut store, &recorder, OnError::Rollback, &events).unwrap();
    let mut roots = std::collections::BTreeSet::new();
    for recorded in store.events_after(0).unwrap() {
        let stored = store.event(&recorded.id).unwrap().unwrap();
        let text = corridor_capture::credential_text(&store, &stored).unwrap();
        // The same text each time: the salts come from the seed kept for it.
        assert_eq!(
            corridor_capture::credential_text(&store, &stored).unwrap(),
            text
        );
        let document = corridor_format::read_wrapped(text.as_bytes()).unwrap();
        assert_eq!(
            document.check_integrity().unwrap(),
            corridor_format::Integrity::Intact
        );
        assert_eq!(document.merkle_root, stored.root.to_string());
        roots.insert(document.merkle_root.clone());
        let credential: Value = serde_json::from_str(&text).unwrap();
        let data = corridor_format::unsalt_data(&credential["data"]).unwrap();
        let event: Value = serde_json::from_str(&stored.event).unwrap();
        assert_eq!(data["epcisEvent"], event);
        assert_eq!(data["issuers"][0], packer(&signer));
        assert_eq!(
            credential["proof"][0]["verificationMethod"],
            format!("{}#controller", signer.did())
        );
    }
    assert_eq!(roots.len(), 2, "six events, four a batch");

    // An event changed in the store no longer makes the credential that was signed.
    let id = store.events_after(0).unwrap()[0].id.clone();
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE trace_events SET event = replace(event, 'receiving', 'shipping') WHERE id = ?1",
            [&id],
        )
        .unwrap();
    let stored = store.event(&id).unwrap().unwrap();
    let refused = corridor_capture::credential_text(&store, &stored).unwrap_err();
    assert!(
        refused.to_string().contains("was changed in the store"),
        "{refused}"
    );
}

#[test]
fn a_capture_that_stops_stops_its_feed_and_a_feed_that_fails_keeps_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = corridor_ledger::Store::open(dir.path().join("s.sqlite")).unwrap();
    let signer = signer();
    let recorder = in_small_batches(&signer);

    // A refusal among the first events: the feed is told to stop, long before its end.
    let fed = std::sync::atomic::AtomicUsize::new(0);
    let refused = recorder.record(&mut store, OnError::Rollback, |record| {
        record("bad".into(), b"{\"type\": \"ObjectEvent\"}".to_vec())?;
        for i in 0..1_000_000 {
            fed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            record(
                format!("input {i}"),
                serde_json::to_vec(&event(&format!("S{i}"), None)).unwrap(),
            )?;
        }
        Ok(())
    });
    assert!(
        matches!(&refused, Err(CaptureError::Refused(r)) if r[0].input == "bad"),
        "{refused:?}"
    );
    assert!(
        fed.into_inner() < 1_000,
        "the feed went on after the capture stopped"
    );
    assert!(store.events_after(0).unwrap().is_empty());

    // A feed that fails after whole batches were signed and written: none of them is kept.
    let failed = recorder.record(&mut store, OnError::Proceed, |record| {
        for i in 0..20 {
            record(
                format!("input {i}"),
                serde_json::to_vec(&event(&format!("S{i}"), None)).unwrap(),
            )?;
        }
        Err(CaptureError::Issue("the input ended early".into()))
    });
    assert!(
        matches!(&failed, Err(CaptureError::Issue(why)) if why == "the input ended early"),
        "{failed:?}"
    );
    assert!(store.events_after(0).unwrap().is_empty());
    assert!(matches!(
        store.audit().unwrap(),
        corridor_ledger::Audit::Intact { .. }
    ));
}

#[test]
fn w3c_events_are_signed_alone_with_a_status_entry_each_and_disclose_selectively() {
    use corridor_capture::{DIGITAL_TRACEABILITY_EVENT, W3cIssuer};
    use corridor_di::{Cryptosuite, IssuerKey, IssuerSigningKey};

    let processor = corridor_jsonld::Processor::new(corridor_jsonld::BundledContexts);
    for suite in [Cryptosuite::EcdsaSd2023, Cryptosuite::Bbs2023] {
        let dir = tempfile::tempdir().unwrap();
        let mut store = corridor_ledger::Store::open(dir.path().join("s.sqlite")).unwrap();
        let list = "https://farm.example/status/1";
        store
            .create_status_list(
                list,
                "farm",
                corridor_ledger::StatusPurpose::Revocation,
                64,
                "{}",
            )
            .unwrap();
        let key = IssuerSigningKey::generate(suite, &mut rand::rng());
        let public = IssuerKey::from_multibase(&key.public_key_multibase()).unwrap();
        let recorder = Recorder::w3c(
            W3cIssuer {
                processor: &processor,
                key: &key,
                method: "did:web:farm.example#keys-1".into(),
                status_list: list.into(),
                status_purpose: "revocation".into(),
                status_list_2021: false,
                mandatory: vec!["/credentialSubject/bizStep".into()],
            },
            "farm".into(),
            None,
            std::time::SystemTime::now(),
        )
        .in_batches_of(std::num::NonZeroUsize::new(2).unwrap());
        let events: Vec<Value> = (0..3).map(|i| event(&format!("W{i}"), None)).collect();
        let counts = capture(&mut store, &recorder, OnError::Rollback, &events).unwrap();
        assert_eq!(
            (counts.recorded, counts.batches),
            (3, 2),
            "{}",
            suite.name()
        );
        assert_eq!(store.status_list(list).unwrap().unwrap().next, 3);

        let mut indexes = std::collections::BTreeSet::new();
        for recorded in store.events_after(0).unwrap() {
            assert_eq!(recorded.signer.as_deref(), Some("did:web:farm.example"));
            let stored = store.event(&recorded.id).unwrap().unwrap();
            let text = corridor_capture::credential_text(&store, &stored).unwrap();
            let credential: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(
                credential["type"],
                json!(["VerifiableCredential", DIGITAL_TRACEABILITY_EVENT])
            );
            assert_eq!(credential["issuer"], "did:web:farm.example");
            assert_eq!(
                credential["@context"][1],
                "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
            );
            // The event is the subject, its context the credential's.
            let mut event: Value = serde_json::from_str(&stored.event).unwrap();
            let fields = event.as_object_mut().unwrap();
            fields.remove("@context");
            let id = fields.remove("eventID").unwrap();
            fields.insert("id".into(), id);
            assert_eq!(credential["credentialSubject"], event);
            assert_eq!(credential["proof"]["cryptosuite"], suite.name());
            indexes.insert(
                credential["credentialStatus"]["statusListIndex"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
            assert!(corridor_di::verify(&processor, &credential, &public).unwrap());

            // A copy that discloses the step and not the items still verifies.
            let derived = corridor_di::derive(
                &processor,
                &credential,
                &["/credentialSubject/action".into()],
            )
            .unwrap();
            let subject = &derived["credentialSubject"];
            assert_eq!(subject["bizStep"], "receiving");
            assert_eq!(subject["action"], "OBSERVE");
            assert_eq!(subject["id"], recorded.id.as_str());
            assert!(subject.get("epcList").is_none(), "{derived}");
            assert!(corridor_di::verify(&processor, &derived, &public).unwrap());

            // An event changed after signing does not.
            let mut forged = credential.clone();
            forged["credentialSubject"]["bizStep"] = json!("shipping");
            assert!(!corridor_di::verify(&processor, &forged, &public).unwrap_or(false));
        }
        assert_eq!(indexes, ["0", "1", "2"].map(String::from).into());
        assert!(matches!(
            store.audit().unwrap(),
            corridor_ledger::Audit::Intact { .. }
        ));
    }
}
