//! How titles read in JSON, as TradeTrust and block explorers write them: addresses with their
//! EIP-55 checksum (as the text view shows them), and remarks as text.

/// An address as EIP-55 mixed-case hex; read in any case.
pub mod checksummed {
    use alloy_primitives::Address;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(address: &Address, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&address.to_checksum(None))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Address, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A remark as its UTF-8 text; as `0x` and hex when it is not text, or when the text itself
/// begins with `0x` (so that every remark reads back as the bytes it was).
pub mod remark {
    use alloy_primitives::Bytes;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(remark: &Bytes, s: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(remark) {
            Ok(text) if !text.starts_with("0x") => s.serialize_str(text),
            _ => s.serialize_str(&remark.to_string()),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
        let text = String::deserialize(d)?;
        match text.strip_prefix("0x") {
            Some(hex) => alloy_primitives::hex::decode(hex)
                .map(Bytes::from)
                .map_err(serde::de::Error::custom),
            None => Ok(Bytes::from(text.into_bytes())),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Custody, Title};
    use alloy_primitives::{Address, Bytes};

    #[test]
    fn titles_read_as_tradetrust_writes_them_and_back() {
        let party: Address = "0x5050a4f4b3f9338c3472dcc01a87c76a144b3c9c"
            .parse()
            .unwrap();
        for remark in [&b"shipped on board"[..], b"0x12", &[0xff, 0x00], b""] {
            let title = Title {
                beneficiary: party,
                holder: party,
                prev_beneficiary: Address::ZERO,
                prev_holder: party,
                nominee: Address::ZERO,
                active: true,
                custody: Custody::Escrow,
                remark: Bytes::copy_from_slice(remark),
            };
            let json = serde_json::to_value(&title).unwrap();
            assert_eq!(json["prevHolder"], party.to_checksum(None));
            assert_eq!(
                json["beneficiary"],
                "0x5050A4F4b3f9338C3472dcC01A87C76A144b3c9c"
            );
            assert_eq!(
                serde_json::from_value::<Title>(json.clone()).unwrap(),
                title
            );
            if remark == b"shipped on board" {
                assert_eq!(json["remark"], "shipped on board");
            }
            if remark == b"0x12" {
                assert_eq!(json["remark"], "0x30783132");
            }
        }
    }
}
