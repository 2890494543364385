//! The 2020 BBS+ suite that TradeTrust's published credentials carry: `BbsBlsSignature2020`
//! proofs and `BbsBlsSignatureProof2020` proofs of their redacted copies, verified as
//! `@mattrglobal/jsonld-signatures-bbs` 1.2 verifies them. Verify only.
//!
//! What is signed is one message per canonical statement: the proof's statements (the proof
//! without its value and nonce), then the credential's, each canonicalized on its own by
//! URDNA2015 as `rdf-canonize` 2 writes it. A redacted copy carries its blank nodes as
//! `urn:bnid:_:c14nN` IRIs, which become the blank nodes `_:c14nN` they stand for again.

use corridor_bbsplus::{BbsPlusError, PublicKey};
use corridor_jsonld::Processor;
use corridor_rdfc::canonicalize_urdna2015;
use serde_json::{Map, Value};

use crate::DiError;

const SECURITY: &str = "https://w3id.org/security#";

/// Which of the suite's two proofs a credential carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyProof {
    /// `BbsBlsSignature2020`: the issuer's signature over every statement.
    Signature,
    /// `BbsBlsSignatureProof2020`: a proof of knowledge of that signature, revealing some.
    Proof,
}

impl LegacyProof {
    /// The suite's proof a proof object's `type` names, if any.
    pub fn of(proof: &Map<String, Value>) -> Option<LegacyProof> {
        match proof.get("type").and_then(Value::as_str)? {
            "BbsBlsSignature2020" => Some(LegacyProof::Signature),
            "BbsBlsSignatureProof2020" => Some(LegacyProof::Proof),
            _ => None,
        }
    }
}

/// The key of a `Bls12381G2Key2020` verification method: its `publicKeyJwk` when it has one
/// (an `EC` or `OKP` key on `Bls12381G2`), else its `publicKeyBase58`.
pub fn bls12381_g2_key_2020(method: &Map<String, Value>) -> Result<PublicKey, DiError> {
    let bytes = match method.get("publicKeyJwk") {
        Some(jwk) => jwk_bytes(jwk)?,
        None => {
            let base58 = method
                .get("publicKeyBase58")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    // TrustVC's words for the crash its key class meets here.
                    DiError::Key(
                        "Verification method could not be found: it has neither publicKeyBase58 nor publicKeyJwk"
                            .into(),
                    )
                })?;
            if !matches!(base58.len(), 131 | 132) {
                return Err(DiError::Key(format!(
                    "The size of the public key is incorrect. Expected 131 or 132 chars got: {}",
                    base58.len()
                )));
            }
            bs58::decode(base58)
                .into_vec()
                .map_err(|e| DiError::Key(format!("publicKeyBase58 is not base58: {e}")))?
        }
    };
    PublicKey::from_bytes(&bytes).map_err(|e| DiError::Key(e.to_string()))
}

fn jwk_bytes(jwk: &Value) -> Result<Vec<u8>, DiError> {
    let field = |name: &str| jwk.get(name).and_then(Value::as_str);
    let usable = matches!(field("kty"), Some("EC" | "OKP"))
        && matches!(field("crv"), Some("Bls12381G2" | "BLS12381_G2"))
        && jwk.get("d").is_none()
        && field("x").is_some_and(|x| x.len() == 128);
    if !usable {
        return Err(DiError::Key("The JWK provided is not a valid".into()));
    }
    Ok(corridor_js::buffer_from_base64(
        field("x").unwrap_or_default(),
    ))
}

/// What a credential's 2020 BBS+ proof covers: its proof value and nonce, and the messages
/// (the proof's canonical statements, then the credential's), ready to check against a key.
#[derive(Debug, Clone)]
pub struct Statements {
    kind: LegacyProof,
    value: Vec<u8>,
    nonce: Vec<u8>,
    messages: Vec<String>,
}

impl Statements {
    /// The statements of a credential whose `proof` is an object of this suite. An error when
    /// the credential cannot be read as the suite reads it: its JSON-LD, its proof.
    pub fn of(processor: &Processor, credential: &Value) -> Result<Statements, DiError> {
        let proof = credential
            .get("proof")
            .and_then(Value::as_object)
            .ok_or_else(|| DiError::Mismatch("the credential has no proof object".into()))?;
        let kind = LegacyProof::of(proof).ok_or_else(|| {
            DiError::Mismatch("the proof is neither BbsBlsSignature2020 nor its proof".into())
        })?;
        let (mut messages, document_lines) = statements(processor, credential, kind)?;
        messages.extend(document_lines);
        Ok(Statements {
            kind,
            value: proof_bytes(proof, "proofValue")?,
            nonce: match kind {
                LegacyProof::Signature => Vec::new(),
                LegacyProof::Proof => proof_bytes(proof, "nonce")?,
            },
            messages,
        })
    }

    /// Which of the suite's proofs it is.
    pub fn kind(&self) -> LegacyProof {
        self.kind
    }

    /// Whether the proof verifies with `key`: `Ok(false)` when the signature or proof of
    /// knowledge does not; an error when its value cannot be read, or it covers a different
    /// number of statements than it says.
    pub fn verify(&self, key: &PublicKey) -> Result<bool, DiError> {
        let messages: Vec<&[u8]> = self.messages.iter().map(String::as_bytes).collect();
        let outcome = match self.kind {
            LegacyProof::Signature => {
                corridor_bbsplus::verify_signature(key, &self.value, &messages)
            }
            LegacyProof::Proof => {
                corridor_bbsplus::verify_proof(key, &self.value, &messages, &self.nonce)
            }
        };
        match outcome {
            Ok(()) => Ok(true),
            // mattr's blsVerify answers "not verified" for a signature it cannot read.
            Err(BbsPlusError::Invalid | BbsPlusError::SignatureEncoding) => Ok(false),
            Err(e @ BbsPlusError::ProofEncoding) => Err(DiError::ProofValue(e.to_string())),
            Err(e) => Err(DiError::Mismatch(e.to_string())),
        }
    }
}

/// A proof member read as Node's `Buffer.from(text, "base64")` reads it.
fn proof_bytes(proof: &Map<String, Value>, name: &str) -> Result<Vec<u8>, DiError> {
    proof
        .get(name)
        .and_then(Value::as_str)
        .map(corridor_js::buffer_from_base64)
        .ok_or_else(|| DiError::ProofValue(format!("the proof has no \"{name}\" text")))
}

/// The canonical statements of the proof and of the credential, each without its newline.
fn statements(
    processor: &Processor,
    credential: &Value,
    kind: LegacyProof,
) -> Result<(Vec<String>, Vec<String>), DiError> {
    let mut expanded = processor.expand(credential)?;
    let mut proofs = Vec::new();
    for node in expanded.iter_mut().filter_map(Value::as_object_mut) {
        if let Some(proof) = node.remove(&format!("{SECURITY}proof")) {
            proofs.extend(proof_nodes(proof));
        }
        // The proof suite reads a redacted credential as it reads a proof: without a value
        // or nonce of its own.
        if kind == LegacyProof::Proof {
            node.remove(&format!("{SECURITY}proofValue"));
            node.remove(&format!("{SECURITY}nonce"));
        }
    }
    let [mut proof] = <[Value; 1]>::try_from(proofs)
        .map_err(|_| DiError::Mismatch("the credential must carry exactly one proof".into()))?;
    if let Value::Object(node) = &mut proof {
        // The proof options are what was signed: never the value, nor a proof's nonce. A
        // redacted copy's proof stands for the signature it was made from.
        node.remove(&format!("{SECURITY}proofValue"));
        node.remove(&format!("{SECURITY}nonce"));
        if kind == LegacyProof::Proof {
            node.insert(
                "@type".into(),
                Value::Array(vec![Value::String(format!(
                    "{SECURITY}BbsBlsSignature2020"
                ))]),
            );
        }
    }
    let proof_lines = canonical_lines(processor, &[proof])?;
    let mut document_lines = canonical_lines(processor, &expanded)?;
    if kind == LegacyProof::Proof {
        for line in &mut document_lines {
            *line = blank_nodes_again(line);
        }
    }
    Ok((proof_lines, document_lines))
}

/// The nodes of a proof value: the nodes of its graph (a `@graph` container), or itself.
fn proof_nodes(proof: Value) -> Vec<Value> {
    let items = match proof {
        Value::Array(items) => items,
        one => vec![one],
    };
    items
        .into_iter()
        .flat_map(|item| match item {
            Value::Object(mut o) if o.contains_key("@graph") => match o.remove("@graph") {
                Some(Value::Array(nodes)) => nodes,
                Some(one) => vec![one],
                None => Vec::new(),
            },
            other => vec![other],
        })
        .collect()
}

/// The canonical N-Quads of expanded JSON-LD, one line per statement, newlines dropped.
fn canonical_lines(processor: &Processor, expanded: &[Value]) -> Result<Vec<String>, DiError> {
    let quads = processor.expanded_to_rdf(expanded)?;
    let canonical = canonicalize_urdna2015(&quads)?;
    Ok(canonical
        .nquads
        .into_iter()
        .map(|mut line| {
            line.truncate(line.trim_end_matches('\n').len());
            line
        })
        .collect())
}

/// The line with each `<urn:bnid:_:c14nN>` written `_:c14nN` again, wherever it stands (the
/// reference rewrites the text, literals included).
fn blank_nodes_again(line: &str) -> String {
    const OPEN: &str = "<urn:bnid:_:c14n";
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let after = &rest[at + OPEN.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && after[digits..].starts_with('>') {
            out.push_str("_:c14n");
            out.push_str(&after[..digits]);
            rest = &after[digits + 1..];
        } else {
            out.push_str(OPEN);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_blank_nodes_are_blank_again() {
        assert_eq!(
            blank_nodes_again("<urn:bnid:_:c14n3> <p> <urn:bnid:_:c14n12> ."),
            "_:c14n3 <p> _:c14n12 ."
        );
        // Not a blank node's IRI: left as it is.
        assert_eq!(
            blank_nodes_again("<urn:bnid:_:c14nx> <p> \"<urn:bnid:_:c14n\" ."),
            "<urn:bnid:_:c14nx> <p> \"<urn:bnid:_:c14n\" ."
        );
    }
}
