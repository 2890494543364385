//! Wrapped v3 credentials: making them, reading them back, hiding fields and signing.

use std::collections::HashSet;

use rand::Rng;
use serde_json::{Map, Value, json};

use super::digest::{digest_leaves, hidden_leaf_hash};
use super::path::{count_leaves, leaves};
use super::schema::{check_w3c, validate_credential};
use super::{
    OA_V3_CONTEXT, PROOF_TYPE, SCHEMA_V3, Salt, VC_V1_CONTEXT, decode_salts, encode_salts,
};
use crate::did::DidSigner;
use crate::document::{check_merkle, write_hex_list};
use crate::js::kind_of;
use crate::merkle::NodeMemo;
use crate::{
    FieldPath, FormatError, Hash32, Integrity, MerkleSignature, MerkleTree, SchemaMode, Tampering,
};

/// A raw credential made ready for its batch: `version` and the contexts in place, salted,
/// digested; what waits for the batch's merkle tree.
#[derive(Debug, Clone)]
pub struct SaltedCredential {
    /// The credential as it will be wrapped, without its proof.
    pub document: Map<String, Value>,
    /// A salt per leaf, in the order the reference lists them.
    pub salts: Vec<Salt>,
    /// The digest of the salted leaves: the credential's leaf in the batch.
    pub target_hash: Hash32,
}

impl SaltedCredential {
    /// The credential's `proof` at `place` in its batch.
    pub fn proof(&self, place: &MerkleSignature) -> Value {
        let mut out = Vec::with_capacity(512 + 48 * self.salts.len());
        write_proof(place, &encode_salts(&self.salts), &mut out);
        serde_json::from_slice(&out).expect("a proof is written as JSON")
    }

    /// The credential wrapped alone, as the reference checks it before it joins a batch.
    pub fn wrapped_alone(&self) -> Value {
        let alone = MerkleSignature {
            target_hash: self.target_hash,
            proof: Vec::new(),
            merkle_root: self.target_hash,
        };
        let mut document = self.document.clone();
        document.insert("proof".into(), self.proof(&alone));
        Value::Object(document)
    }
}

/// Appends a wrapped v3 credential's `proof` as JSON, in the reference's key order: its place
/// in the batch, and its salts as `proof.salts` holds them ([`encode_salts`]).
pub fn write_proof(place: &MerkleSignature, salts: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"type\":\"");
    out.extend_from_slice(PROOF_TYPE.as_bytes());
    out.extend_from_slice(b"\",\"proofPurpose\":\"assertionMethod\",\"targetHash\":\"");
    place.target_hash.write_hex(out);
    out.extend_from_slice(b"\",\"proofs\":");
    write_hex_list(&place.proof, out);
    out.extend_from_slice(b",\"merkleRoot\":\"");
    place.merkle_root.write_hex(out);
    out.extend_from_slice(b"\",\"salts\":");
    crate::js::write_string(out, salts);
    out.extend_from_slice(b",\"privacy\":{\"obfuscated\":[]}}");
}

/// Wraps `raws` as one batch, as the reference's v3 `wrapDocuments`: each gets `version`
/// first, the 2018 credentials context when it has none, OpenAttestation's v3 context when
/// its list lacks it, a salt per leaf, and a proof with its place in the batch's merkle tree.
///
/// Each must pass the 3.0 schema (strictly) and the W3C checks the reference makes; the
/// reference then also expands it as JSON-LD to refuse properties no context defines, which
/// needs contexts from outside and so is the caller's to do.
pub fn wrap_credentials(raws: &[Value], rng: &mut impl Rng) -> Result<Vec<Value>, FormatError> {
    let salted = raws
        .iter()
        .map(|raw| salt_credential(raw, rng))
        .collect::<Result<Vec<_>, _>>()?;
    let Some(tree) = MerkleTree::new(salted.iter().map(|s| s.target_hash).collect()) else {
        return Ok(Vec::new());
    };
    Ok(salted
        .into_iter()
        .map(|credential| {
            let place = MerkleSignature {
                target_hash: credential.target_hash,
                proof: tree.proof_of(&credential.target_hash).unwrap_or_default(),
                merkle_root: tree.root(),
            };
            let proof = credential.proof(&place);
            let mut document = credential.document;
            document.insert("proof".into(), proof);
            Value::Object(document)
        })
        .collect())
}

/// Everything of wrapping one raw credential that does not need the rest of its batch:
/// `version` first, the contexts completed, the 3.0 schema (strictly) and the W3C checks, a
/// salt per leaf and the target hash. See [`wrap_credentials`].
pub fn salt_credential(raw: &Value, rng: &mut impl Rng) -> Result<SaltedCredential, FormatError> {
    let Value::Object(raw) = raw else {
        return Err(shape(
            "credential",
            format!("must be a JSON object, found {}", kind_of(raw)),
        ));
    };
    if raw.contains_key("proof") {
        return Err(shape(
            "proof",
            "is already there: the credential is wrapped or signed".into(),
        ));
    }
    match raw.get("version") {
        None => {}
        Some(Value::String(v)) if v == SCHEMA_V3 => {}
        Some(other) => {
            return Err(shape(
                "version",
                format!("must be {SCHEMA_V3:?} or absent, found {other}"),
            ));
        }
    }
    let mut document = Map::with_capacity(raw.len() + 2);
    document.insert("version".into(), SCHEMA_V3.into());
    for (key, value) in raw {
        document.insert(key.clone(), value.clone());
    }
    match document.get_mut("@context") {
        None => {
            document.insert("@context".into(), json!([VC_V1_CONTEXT]));
        }
        Some(Value::Array(contexts)) if !contexts.iter().any(|c| c == OA_V3_CONTEXT) => {
            contexts.push(OA_V3_CONTEXT.into());
        }
        Some(_) => {}
    }
    let found = leaves(&document)?;
    let salts: Vec<Salt> = found
        .iter()
        .map(|(path, _)| Salt::fresh(path.clone(), rng))
        .collect();
    let target_hash = digest_leaves(&document, &found, &salts);
    drop(found);
    let as_value = Value::Object(document);
    validate_credential(&as_value, SchemaMode::Strict).map_err(FormatError::Credential)?;
    let Value::Object(document) = as_value else {
        unreachable!("made as an object above")
    };
    check_w3c(&document).map_err(|v| FormatError::Credential(vec![v]))?;
    Ok(SaltedCredential {
        document,
        salts,
        target_hash,
    })
}

/// A wrapped v3 document as read from a file, checked for the shape the reference requires of
/// one (its `isWrappedV3Document`: the 3.0 schema loosely, `version`, the proof's fields) but
/// not yet for integrity.
#[derive(Debug, Clone)]
pub struct WrappedCredential {
    /// The credential without its proof.
    document: Map<String, Value>,
    /// `proof.targetHash` as written.
    pub target_hash: String,
    /// `proof.merkleRoot` as written.
    pub merkle_root: String,
    /// `proof.proofs` as written.
    pub proofs: Vec<String>,
    /// `proof.salts` as written.
    salts: String,
    /// `proof.privacy.obfuscated` as written.
    pub obfuscated: Vec<String>,
    /// `proof.key` and `proof.signature`, when the document is signed.
    pub signature: Option<KeySignature>,
}

/// A signed v3 document's `proof.key` (the signer's DID URL) and `proof.signature`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySignature {
    /// `proof.key`, as `did:ethr:0x…#controller`.
    pub key: String,
    /// `proof.signature`: `0x` and 65 bytes of hex.
    pub signature: String,
}

impl WrappedCredential {
    /// Reads the wrapped-v3 shape from a parsed JSON value; fails with the field at fault when
    /// the value is not a wrapped v3 document.
    pub fn from_value(value: Value) -> Result<Self, FormatError> {
        Self::read(value).map_err(|refused| refused.0)
    }

    /// [`WrappedCredential::from_value`], giving the value back with the error when it is not
    /// a wrapped v3 document, for whoever reads it as something else then.
    pub fn read(value: Value) -> Result<Self, Box<(FormatError, Value)>> {
        if let Err(e) = validate_credential(&value, SchemaMode::Loose) {
            return Err(Box::new((FormatError::Credential(e), value)));
        }
        let Value::Object(mut document) = value else {
            unreachable!("the schema takes only an object")
        };
        match Self::parts(&document) {
            Ok(read) => {
                document.shift_remove("proof");
                Ok(WrappedCredential { document, ..read })
            }
            Err(e) => Err(Box::new((e, Value::Object(document)))),
        }
    }

    /// Everything but the document: `version` and the proof checked and read.
    fn parts(document: &Map<String, Value>) -> Result<Self, FormatError> {
        match document.get("version") {
            Some(Value::String(v)) if v == SCHEMA_V3 => {}
            other => {
                return Err(shape(
                    "version",
                    format!("must be {SCHEMA_V3:?}, found {}", show(other)),
                ));
            }
        }
        let proof = match document.get("proof") {
            Some(Value::Object(proof)) => proof,
            other => {
                return Err(shape(
                    "proof",
                    format!("must be an object, found {}", show(other)),
                ));
            }
        };
        let text = |key: &str| match proof.get(key) {
            Some(Value::String(s)) => Ok(s.clone()),
            other => Err(shape(
                &format!("proof.{key}"),
                format!("must be a string, found {}", show(other)),
            )),
        };
        let literal = |key: &str, expected: &str| match proof.get(key) {
            Some(Value::String(s)) if s == expected => Ok(()),
            other => Err(shape(
                &format!("proof.{key}"),
                format!("must be {expected:?}, found {}", show(other)),
            )),
        };
        literal("type", PROOF_TYPE)?;
        literal("proofPurpose", "assertionMethod")?;
        let target_hash = text("targetHash")?;
        let merkle_root = text("merkleRoot")?;
        let salts = text("salts")?;
        let proofs = strings(proof.get("proofs"), "proof.proofs")?;
        let obfuscated = match proof.get("privacy") {
            Some(Value::Object(privacy)) => {
                strings(privacy.get("obfuscated"), "proof.privacy.obfuscated")?
            }
            other => {
                return Err(shape(
                    "proof.privacy",
                    format!("must be an object, found {}", show(other)),
                ));
            }
        };
        if let Some((i, bad)) = obfuscated.iter().enumerate().find(|(_, h)| !is_hex32(h)) {
            return Err(shape(
                &format!("proof.privacy.obfuscated[{i}]"),
                format!("must be 64 hex digits, found {bad:?}"),
            ));
        }
        let signature = match (proof.get("key"), proof.get("signature")) {
            (Some(Value::String(key)), Some(Value::String(signature))) => Some(KeySignature {
                key: key.clone(),
                signature: signature.clone(),
            }),
            _ => None,
        };
        Ok(WrappedCredential {
            document: Map::new(),
            target_hash,
            merkle_root,
            proofs,
            salts,
            obfuscated,
            signature,
        })
    }

    /// The credential without its proof.
    pub fn document(&self) -> &Map<String, Value> {
        &self.document
    }

    /// `openAttestationMetadata`, which says how the document was issued and by whom.
    pub fn metadata(&self) -> &Map<String, Value> {
        // The schema requires it to be an object.
        static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
        match self.document.get("openAttestationMetadata") {
            Some(Value::Object(m)) => m,
            _ => &EMPTY,
        }
    }

    /// A text field of `openAttestationMetadata.<section>`, as `proof.value`.
    pub fn metadata_text(&self, section: &str, key: &str) -> Option<&str> {
        self.metadata().get(section)?.get(key)?.as_str()
    }

    /// Recomputes the target hash and the merkle root, as the reference's v3 `verify`: the
    /// salts are read, there must be as many as the credential has leaves, the leaves (and the
    /// obfuscated hashes) must digest to the target hash, and the proof lead to the root.
    /// An error is where the reference throws: salts that cannot be read, a key with `.`.
    pub fn check_integrity(&self) -> Result<Integrity, FormatError> {
        self.check_integrity_with(&mut NodeMemo::default())
    }

    /// [`WrappedCredential::check_integrity`] with the parent nodes of a batch remembered.
    pub fn check_integrity_with(&self, memo: &mut NodeMemo) -> Result<Integrity, FormatError> {
        let salts = decode_salts(&self.salts)?;
        let visible = count_leaves(&self.document)?;
        if visible != salts.len() {
            return Ok(Integrity::Tampered(Tampering::SaltCount {
                salts: salts.len(),
                leaves: visible,
            }));
        }
        let computed = super::digest_credential(&self.document, &salts, &self.obfuscated);
        if !computed.is_written_as(&self.target_hash) {
            return Ok(Integrity::Tampered(Tampering::TargetHash {
                computed,
                claimed: self.target_hash.clone(),
            }));
        }
        Ok(check_merkle(
            computed,
            &self.proofs,
            &self.merkle_root,
            memo,
        ))
    }
}

/// Hides `fields` of a wrapped v3 document, as the reference's `obfuscateDocument`: each leaf
/// under them is hashed into `proof.privacy.obfuscated`, its salt dropped from `proof.salts`,
/// and the fields removed. The document still verifies, and can be obfuscated again.
///
/// Refused, with the document unchanged, where the reference would break the document or
/// hide nothing: a field that is not there; the proof or `version`; an array element (it would
/// leave a hole that reads back as `null`); a leaf that is `false`, `0`, `""` or `null` (the
/// wrap left it out of the digest, so hiding it would add a hash that was never there); and a
/// removal after which the document no longer passes the 3.0 schema.
pub fn obfuscate_credential(document: &mut Value, fields: &[FieldPath]) -> Result<(), FormatError> {
    let read = WrappedCredential::from_value(document.clone())?;
    let mut salts = decode_salts(&read.salts)?;
    let all_paths: Vec<String> = leaves(&read.document)?
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    if all_paths.iter().collect::<HashSet<_>>().len() != all_paths.len() {
        return Err(refused(
            "this document",
            "names two fields alike (an empty key), so one cannot be hidden alone",
        ));
    }
    let mut hidden_paths: Vec<String> = Vec::new();
    let mut hidden_hashes: Vec<String> = Vec::new();
    for field in picked_order(fields) {
        let parts = field.parts();
        if matches!(parts.first().map(String::as_str), Some("proof" | "version")) {
            return Err(refused(
                field,
                "is part of what makes the document verifiable",
            ));
        }
        let (value, path) = locate(&read.document, parts)
            .ok_or_else(|| refused(field, "is not in the document"))?;
        if parts.len() > 1 && parent_is_array(&read.document, parts) {
            return Err(refused(
                field,
                "is an array element: removing it leaves a hole that reads back as null",
            ));
        }
        let under = subtree_leaves(value, &path);
        for (leaf_path, leaf) in under {
            if hidden_paths.contains(&leaf_path) {
                continue;
            }
            if !crate::js::truthy(leaf) {
                return Err(refused(
                    &leaf_path,
                    "is false, 0, empty or null: the wrap left it out of the digest, so hiding it would break the document",
                ));
            }
            let salt = salts
                .iter()
                .find(|s| s.path == leaf_path)
                .ok_or_else(|| refused(&leaf_path, "has no salt"))?;
            hidden_hashes.push(hidden_leaf_hash(salt, leaf).to_hex());
            hidden_paths.push(leaf_path);
        }
    }
    let mut changed = read.document.clone();
    for field in fields {
        remove(&mut changed, field.parts());
    }
    validate_credential(&Value::Object(changed.clone()), SchemaMode::Loose).map_err(|v| {
        let why = format!(
            "would leave a document that breaks the 3.0 schema: {}",
            crate::join_credential(&v)
        );
        refused(join_fields(fields), &why)
    })?;
    salts.retain(|s| !hidden_paths.contains(&s.path));
    let Value::Object(root) = document else {
        unreachable!("read as a wrapped credential above")
    };
    let proof = root.shift_remove("proof");
    *root = changed;
    let mut proof = match proof {
        Some(Value::Object(p)) => p,
        _ => unreachable!("read as a wrapped credential above"),
    };
    proof.insert("salts".into(), encode_salts(&salts).into());
    if let Some(Value::Object(privacy)) = proof.get_mut("privacy") {
        if let Some(Value::Array(obfuscated)) = privacy.get_mut("obfuscated") {
            obfuscated.extend(hidden_hashes.into_iter().map(Value::String));
        }
    }
    root.insert("proof".into(), Value::Object(proof));
    Ok(())
}

/// Signs a wrapped v3 document's merkle root, as the reference's `signDocument` with an ethers
/// wallet: `proof.key` the signer's `did:ethr:…#controller`, `proof.signature` its EIP-191
/// signature of the root's 32 bytes.
pub fn sign_credential(document: &mut Value, signer: &DidSigner) -> Result<(), FormatError> {
    let read = WrappedCredential::from_value(document.clone())?;
    if read.signature.is_some() {
        return Err(shape("proof", "is signed already".into()));
    }
    let root: Hash32 = read
        .merkle_root
        .parse()
        .map_err(|e| shape("proof.merkleRoot", format!("cannot be signed: {e}")))?;
    let Some(Value::Object(proof)) = document.get_mut("proof") else {
        unreachable!("read as a wrapped credential above")
    };
    proof.insert("key".into(), signer.verification_method().into());
    proof.insert("signature".into(), signer.sign_merkle_root(&root).into());
    Ok(())
}

/// The value at `parts` and its path as the reference flattens it (`a.b[0]`).
fn locate<'a>(document: &'a Map<String, Value>, parts: &[String]) -> Option<(&'a Value, String)> {
    let (first, rest) = parts.split_first()?;
    let mut value = document.get(first)?;
    let mut path = first.clone();
    for part in rest {
        value = match value {
            Value::Object(map) => {
                path.push('.');
                path.push_str(part);
                map.get(part)?
            }
            Value::Array(items) => {
                let index: usize = crate::js::is_array_index(part)
                    .then(|| part.parse().ok())
                    .flatten()?;
                path.push_str(&format!("[{index}]"));
                items.get(index)?
            }
            _ => return None,
        };
    }
    Some((value, path))
}

fn parent_is_array(document: &Map<String, Value>, parts: &[String]) -> bool {
    locate(document, &parts[..parts.len() - 1]).is_some_and(|(parent, _)| parent.is_array())
}

/// The leaves under `value`, whose own path is `path`.
fn subtree_leaves<'a>(value: &'a Value, path: &str) -> Vec<(String, &'a Value)> {
    match value {
        Value::Object(map) => {
            let mut found = leaves(map).unwrap_or_default();
            for (p, _) in &mut found {
                *p = format!("{path}.{p}");
            }
            found
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .flat_map(|(i, item)| subtree_leaves(item, &format!("{path}[{i}]")))
            .collect(),
        leaf => vec![(path.to_owned(), leaf)],
    }
}

fn remove(document: &mut Map<String, Value>, parts: &[String]) {
    let Some((last, parents)) = parts.split_last() else {
        return;
    };
    let Some((first, rest)) = parents.split_first() else {
        document.shift_remove(last);
        return;
    };
    let mut value = document.get_mut(first);
    for part in rest {
        value = match value {
            Some(Value::Object(map)) => map.get_mut(part),
            Some(Value::Array(items)) => part.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
            _ => None,
        };
    }
    if let Some(Value::Object(map)) = value {
        map.shift_remove(last);
    }
}

/// `fields` in the order the reference hides their leaves: it gathers them with lodash's
/// `pick` into one object, fields sharing a parent side by side and JavaScript's
/// integer-like keys first, then walks that object. A field under another is the other's.
fn picked_order(fields: &[FieldPath]) -> Vec<&FieldPath> {
    #[derive(Default)]
    struct Node<'a> {
        field: Option<&'a FieldPath>,
        children: Vec<(&'a str, Node<'a>)>,
    }
    let mut root = Node::default();
    for field in fields {
        let mut node = &mut root;
        for part in field.parts() {
            let at = match node.children.iter().position(|(k, _)| *k == part.as_str()) {
                Some(at) => at,
                None => {
                    node.children.push((part.as_str(), Node::default()));
                    node.children.len() - 1
                }
            };
            node = &mut node.children[at].1;
        }
        node.field.get_or_insert(field);
    }
    fn walk<'a>(node: &Node<'a>, out: &mut Vec<&'a FieldPath>) {
        if let Some(field) = node.field {
            out.push(field);
            return;
        }
        let mut children: Vec<&(&str, Node<'a>)> = node.children.iter().collect();
        children.sort_by_key(|(k, _)| match crate::js::is_array_index(k) {
            true => (0, k.parse::<u32>().unwrap_or_default()),
            false => (1, 0),
        });
        for (_, child) in children {
            walk(child, out);
        }
    }
    let mut out = Vec::with_capacity(fields.len());
    walk(&root, &mut out);
    out
}

fn is_hex32(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

fn strings(v: Option<&Value>, field: &str) -> Result<Vec<String>, FormatError> {
    let Some(Value::Array(items)) = v else {
        return Err(shape(field, format!("must be an array, found {}", show(v))));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(s) => Ok(s.clone()),
            other => Err(shape(
                &format!("{field}[{i}]"),
                format!("must be a string, found {}", kind_of(other)),
            )),
        })
        .collect()
}

fn join_fields(fields: &[FieldPath]) -> String {
    fields
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn show(v: Option<&Value>) -> &'static str {
    v.map_or("nothing", kind_of)
}

fn shape(field: &str, problem: String) -> FormatError {
    FormatError::Shape {
        field: field.to_owned(),
        problem,
    }
}

fn refused(field: impl ToString, problem: &str) -> FormatError {
    FormatError::Obfuscation {
        field: field.to_string(),
        problem: problem.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> Value {
        json!({
            "@context": ["https://www.w3.org/2018/credentials/v1"],
            "type": ["VerifiableCredential", "OpenAttestationCredential"],
            "issuanceDate": "2026-01-01T00:00:00Z",
            "issuer": {"id": "https://example.com", "name": "Chamber"},
            "credentialSubject": {"lot": "L1", "count": 0, "items": [{"sku": "A"}, {"sku": "B"}], "note": "n"},
            "openAttestationMetadata": {
                "proof": {"type": "OpenAttestationProofMethod", "method": "DOCUMENT_STORE",
                          "value": "0x0000000000000000000000000000000000000001"},
                "identityProof": {"type": "DNS-TXT", "identifier": "example.com"}
            }
        })
    }

    fn intact(doc: &Value) -> Integrity {
        WrappedCredential::from_value(doc.clone())
            .unwrap()
            .check_integrity()
            .unwrap()
    }

    #[test]
    fn wraps_a_batch_that_verifies() {
        let docs = wrap_credentials(&[raw(), raw(), raw()], &mut rand::rng()).unwrap();
        let roots: HashSet<&str> = docs
            .iter()
            .map(|d| d["proof"]["merkleRoot"].as_str().unwrap())
            .collect();
        assert_eq!(roots.len(), 1);
        for doc in &docs {
            assert_eq!(intact(doc), Integrity::Intact);
            assert_eq!(doc["version"], SCHEMA_V3);
            assert_eq!(doc["@context"][1], OA_V3_CONTEXT);
            assert!(!doc["proof"]["proofs"].as_array().unwrap().is_empty());
        }
    }

    #[test]
    fn changes_are_caught_except_between_false_values() {
        let doc = wrap_credentials(&[raw()], &mut rand::rng())
            .unwrap()
            .remove(0);
        let mut changed = doc.clone();
        changed["credentialSubject"]["lot"] = "L2".into();
        assert!(matches!(
            intact(&changed),
            Integrity::Tampered(Tampering::TargetHash { .. })
        ));
        let mut added = doc.clone();
        added["credentialSubject"]["extra"] = "x".into();
        assert!(matches!(
            intact(&added),
            Integrity::Tampered(Tampering::SaltCount { .. })
        ));
        // The reference's quirk: 0 and false are not hashed, so one may stand for the other.
        let mut falsy = doc;
        falsy["credentialSubject"]["count"] = false.into();
        assert_eq!(intact(&falsy), Integrity::Intact);
    }

    #[test]
    fn obfuscation_keeps_the_document_valid() {
        let mut doc = wrap_credentials(&[raw()], &mut rand::rng())
            .unwrap()
            .remove(0);
        let fields: Vec<FieldPath> = ["credentialSubject.note", "credentialSubject.items[1]"]
            .iter()
            .map(|f| f.parse().unwrap())
            .collect();
        let before = doc.clone();
        let error = obfuscate_credential(&mut doc, &fields).unwrap_err();
        assert!(error.to_string().contains("array element"), "{error}");
        assert_eq!(doc, before, "a refusal changes nothing");
        let fields: Vec<FieldPath> = ["credentialSubject.note", "credentialSubject.items[1].sku"]
            .iter()
            .map(|f| f.parse().unwrap())
            .collect();
        obfuscate_credential(&mut doc, &fields).unwrap();
        assert_eq!(
            doc["proof"]["privacy"]["obfuscated"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert!(doc["credentialSubject"].get("note").is_none());
        assert_eq!(intact(&doc), Integrity::Intact);
        let zero: Vec<FieldPath> = vec!["credentialSubject.count".parse().unwrap()];
        assert!(
            obfuscate_credential(&mut doc, &zero)
                .unwrap_err()
                .to_string()
                .contains("digest")
        );
        let issuer: Vec<FieldPath> = vec!["issuer.name".parse().unwrap()];
        assert!(
            obfuscate_credential(&mut doc, &issuer).is_err(),
            "the schema needs the issuer's name"
        );
    }

    #[test]
    fn signs_once() {
        let mut doc = wrap_credentials(&[raw()], &mut rand::rng())
            .unwrap()
            .remove(0);
        let key = k256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let signer = DidSigner::new(key);
        sign_credential(&mut doc, &signer).unwrap();
        let read = WrappedCredential::from_value(doc.clone()).unwrap();
        let signed = read.signature.unwrap();
        assert_eq!(signed.key, signer.verification_method());
        let recovered = crate::did::recover_signer(&read.merkle_root, &signed.signature).unwrap();
        assert_eq!(recovered, signer.address());
        assert!(sign_credential(&mut doc, &signer).is_err());
    }

    #[test]
    fn refuses_what_the_reference_refuses() {
        let mut no_vc = raw();
        no_vc["@context"] = json!(["https://example.com/other"]);
        let e = wrap_credentials(&[no_vc], &mut rand::rng()).unwrap_err();
        assert!(e.to_string().contains("@context"), "{e}");
        let mut dotted = raw();
        dotted["credentialSubject"]["a.b"] = 1.into();
        assert!(wrap_credentials(&[dotted], &mut rand::rng()).is_err());
        let mut date = raw();
        date["issuanceDate"] = "2026-13-01T00:00:00Z".into();
        assert!(wrap_credentials(&[date], &mut rand::rng()).is_err());
    }
}
