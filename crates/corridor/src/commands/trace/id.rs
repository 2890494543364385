//! `corridor trace id`: GS1 Digital Link URIs and EPC URNs read, and said back in both forms,
//! or refused with the reason.

use std::io::Write;

use anyhow::Result;
use corridor_gs1::Identifier;
use serde_json::json;

use crate::exit::Exit;

#[derive(clap::Args)]
pub struct IdArgs {
    /// Digital Link URIs or EPC URNs.
    #[arg(required = true, value_name = "IDENTIFIER")]
    identifiers: Vec<String>,
    /// The digits of the company prefix (6 to 12), to write a Digital Link as an EPC URN:
    /// a Digital Link does not say where the prefix ends. An EPC URN says it itself.
    #[arg(long, value_name = "DIGITS", value_parser = clap::value_parser!(u8).range(6..=12))]
    gcp_length: Option<u8>,
    /// One JSON object a line: {"input", "valid", "kind", "digitalLink", "urn"} or
    /// {"input", "valid": false, "reason"}.
    #[arg(long)]
    json: bool,
}

pub fn run(args: &IdArgs) -> Result<Exit> {
    let IdArgs {
        identifiers,
        gcp_length,
        json,
    } = args;
    let mut out = std::io::stdout().lock();
    let mut refused = 0;
    for input in identifiers {
        let read = if input.starts_with("urn:") {
            Identifier::parse_urn(input).map(|(id, prefix)| (id, Some(prefix)))
        } else {
            Identifier::parse(input).map(|id| (id, gcp_length.map(usize::from)))
        };
        match read {
            Ok((identifier, prefix)) => {
                let urn = prefix.and_then(|p| identifier.epc_urn(p).ok());
                if *json {
                    let answer = json!({"input": input, "valid": true, "kind": identifier.kind(),
                        "digitalLink": identifier.digital_link(), "urn": urn});
                    writeln!(out, "{answer}")?;
                } else {
                    writeln!(out, "{input}\n  {}", identifier.kind())?;
                    writeln!(out, "  digital link  {}", identifier.digital_link())?;
                    match urn {
                        Some(urn) => writeln!(out, "  EPC URN       {urn}")?,
                        None => writeln!(
                            out,
                            "  EPC URN       (give --gcp-length: where its company prefix ends)"
                        )?,
                    }
                }
            }
            Err(problem) => {
                refused += 1;
                if *json {
                    let answer =
                        json!({"input": input, "valid": false, "reason": problem.to_string()});
                    writeln!(out, "{answer}")?;
                } else {
                    writeln!(out, "{input}\n  not a GS1 identifier: {problem}")?;
                }
            }
        }
    }
    Ok(if refused > 0 {
        Exit::Negative
    } else {
        Exit::Success
    })
}
