//! Core Business Vocabulary values as their bare words: systems write `shipping`,
//! `https://ref.gs1.org/cbv/BizStep-shipping` or EPCIS 1.x's `urn:epcglobal:cbv:bizstep:shipping`
//! for the same step.

/// A CBV vocabulary whose values events may write in any of their three forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vocabulary {
    BizStep,
    Disposition,
    SourceDestType,
    BizTransactionType,
}

impl Vocabulary {
    /// The full URI of a value is this followed by its word.
    pub fn uri_prefix(self) -> &'static str {
        match self {
            Vocabulary::BizStep => "https://ref.gs1.org/cbv/BizStep-",
            Vocabulary::Disposition => "https://ref.gs1.org/cbv/Disp-",
            Vocabulary::SourceDestType => "https://ref.gs1.org/cbv/SDT-",
            Vocabulary::BizTransactionType => "https://ref.gs1.org/cbv/BTT-",
        }
    }

    fn compact_prefix(self) -> &'static str {
        match self {
            Vocabulary::BizStep => "cbv:BizStep-",
            Vocabulary::Disposition => "cbv:Disp-",
            Vocabulary::SourceDestType => "cbv:SDT-",
            Vocabulary::BizTransactionType => "cbv:BTT-",
        }
    }

    fn urn_prefix(self) -> &'static str {
        match self {
            Vocabulary::BizStep => "urn:epcglobal:cbv:bizstep:",
            Vocabulary::Disposition => "urn:epcglobal:cbv:disp:",
            Vocabulary::SourceDestType => "urn:epcglobal:cbv:sdt:",
            Vocabulary::BizTransactionType => "urn:epcglobal:cbv:btt:",
        }
    }

    /// The bare word of `value` in this vocabulary; a value of another vocabulary (a
    /// company's own URI) is kept as written.
    ///
    /// ```
    /// use corridor_epcis::Vocabulary;
    /// assert_eq!(Vocabulary::BizStep.word("https://ref.gs1.org/cbv/BizStep-receiving"), "receiving");
    /// assert_eq!(Vocabulary::Disposition.word("urn:epcglobal:cbv:disp:in_transit"), "in_transit");
    /// assert_eq!(Vocabulary::BizStep.word("https://example.com/steps/grading"), "https://example.com/steps/grading");
    /// ```
    pub fn word(self, value: &str) -> &str {
        [self.uri_prefix(), self.compact_prefix(), self.urn_prefix()]
            .iter()
            .find_map(|prefix| value.strip_prefix(prefix))
            .filter(|word| !word.is_empty())
            .unwrap_or(value)
    }
}

/// The GS1 Web Vocabulary term of a sensor report's `type` (`gs1:Temperature`,
/// `https://gs1.org/voc/Temperature` or the bare term, which the EPCIS context maps there).
pub fn gs1_term(value: &str) -> &str {
    ["gs1:", "https://gs1.org/voc/", "http://gs1.org/voc/"]
        .iter()
        .find_map(|prefix| value.strip_prefix(prefix))
        .unwrap_or(value)
}
