//! RDF quads, read from and written as N-Quads the way `rdf-canonize` 5 reads and writes them.

use std::fmt::Write;

const RDF_LANGSTRING: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";
const XSD_STRING: &str = "http://www.w3.org/2001/XMLSchema#string";

/// A quad's subject.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    Iri(String),
    /// A blank node, by its label (without `_:`).
    Blank(String),
}

/// A quad's object.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Term {
    Iri(String),
    Blank(String),
    Literal(Literal),
}

/// A literal: its lexical form, datatype IRI and, for `rdf:langString`, its language.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Literal {
    pub value: String,
    pub datatype: String,
    pub language: Option<String>,
}

impl Literal {
    /// A plain string (`xsd:string`).
    pub fn string(value: impl Into<String>) -> Literal {
        Literal {
            value: value.into(),
            datatype: XSD_STRING.into(),
            language: None,
        }
    }
}

/// The graph a quad is in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GraphName {
    Default,
    Iri(String),
    Blank(String),
}

/// One statement of a dataset.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Quad {
    pub subject: Subject,
    /// An IRI.
    pub predicate: String,
    pub object: Term,
    pub graph: GraphName,
}

impl Quad {
    /// The blank node labels the quad holds, as subject, object and graph.
    pub(crate) fn blank_nodes(&self) -> [Option<&str>; 3] {
        [
            match &self.subject {
                Subject::Blank(label) => Some(label.as_str()),
                Subject::Iri(_) => None,
            },
            match &self.object {
                Term::Blank(label) => Some(label.as_str()),
                _ => None,
            },
            match &self.graph {
                GraphName::Blank(label) => Some(label.as_str()),
                _ => None,
            },
        ]
    }

    /// The quad as an N-Quads line, its newline included, escaped as rdf-canonize escapes.
    pub fn to_nquad(&self) -> String {
        self.line(Escaping::Rdfc10, |label| label)
    }

    /// The quad as an N-Quads line (its newline included), each blank node written with the
    /// label `relabel` gives it.
    pub(crate) fn line<'a>(
        &'a self,
        escaping: Escaping,
        relabel: impl Fn(&'a str) -> &'a str,
    ) -> String {
        let mut out = String::with_capacity(128);
        let iri = |out: &mut String, iri: &str| write_iri(out, iri, escaping);
        match &self.subject {
            Subject::Iri(i) => iri(&mut out, i),
            Subject::Blank(label) => write_blank(&mut out, relabel(label)),
        }
        out.push(' ');
        iri(&mut out, &self.predicate);
        out.push(' ');
        match &self.object {
            Term::Iri(i) => iri(&mut out, i),
            Term::Blank(label) => write_blank(&mut out, relabel(label)),
            Term::Literal(literal) => write_literal(&mut out, literal, escaping),
        }
        match &self.graph {
            GraphName::Default => {}
            GraphName::Iri(i) => {
                out.push(' ');
                iri(&mut out, i);
            }
            GraphName::Blank(label) => {
                out.push(' ');
                write_blank(&mut out, relabel(label));
            }
        }
        out.push_str(" .\n");
        out
    }
}

/// How a quad's IRIs and literals are escaped when written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escaping {
    /// RDFC-1.0 as rdf-canonize 5 writes it: control characters and the characters N-Quads
    /// forbids in IRIs escaped.
    Rdfc10,
    /// URDNA2015 as rdf-canonize 2 wrote it, which the 2020 BBS+ credentials are signed
    /// over: only `"`, `\\`, newline and carriage return escaped in literals, IRIs verbatim.
    Urdna2015,
}

fn write_blank(out: &mut String, label: &str) {
    out.push_str("_:");
    out.push_str(label);
}

fn write_iri(out: &mut String, iri: &str, escaping: Escaping) {
    out.push('<');
    if escaping == Escaping::Urdna2015 {
        out.push_str(iri);
        out.push('>');
        return;
    }
    for c in iri.chars() {
        if c <= ' ' || "<>\"{}|^`\\".contains(c) {
            write_uchar(out, c);
        } else {
            out.push(c);
        }
    }
    out.push('>');
}

fn write_literal(out: &mut String, literal: &Literal, escaping: Escaping) {
    out.push('"');
    for c in literal.value.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if escaping == Escaping::Urdna2015 => out.push(c),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\u{c}' => out.push_str("\\f"),
            '\0'..='\u{1f}' | '\u{7f}' => write_uchar(out, c),
            c => out.push(c),
        }
    }
    out.push('"');
    if literal.datatype == RDF_LANGSTRING {
        if let Some(language) = literal.language.as_deref().filter(|l| !l.is_empty()) {
            out.push('@');
            out.push_str(language);
        }
    } else if literal.datatype != XSD_STRING {
        out.push_str("^^");
        write_iri(out, &literal.datatype, escaping);
    }
}

fn write_uchar(out: &mut String, c: char) {
    write!(out, "\\u{:04X}", u32::from(c)).expect("writing to a String");
}

/// Why N-Quads could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("N-Quads parse error on line {line}: {problem}")]
    Line { line: usize, problem: &'static str },
}

/// Reads N-Quads: one statement a line, blank lines skipped; a statement repeated in the same
/// graph is kept once.
///
/// ```
/// use corridor_rdfc::{parse_nquads, Subject};
/// let quads = parse_nquads("_:b0 <http://schema.org/name> \"Ann\"@en .\n").unwrap();
/// assert_eq!(quads[0].subject, Subject::Blank("b0".into()));
/// assert!(parse_nquads("<a> <b> .\n").is_err());
/// ```
pub fn parse_nquads(text: &str) -> Result<Vec<Quad>, ParseError> {
    let mut quads: Vec<Quad> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, line) in split_lines(text).enumerate() {
        if line.chars().all(|c| c == ' ' || c == '\t') {
            continue;
        }
        let quad = Reader { rest: line }
            .quad()
            .map_err(|problem| ParseError::Line {
                line: i + 1,
                problem,
            })?;
        if seen.insert(quad.clone()) {
            quads.push(quad);
        }
    }
    Ok(quads)
}

/// Lines ended by `\r\n`, `\n` or `\r`.
fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let text = rest?;
        match text.find(['\n', '\r']) {
            None => {
                rest = None;
                Some(text)
            }
            Some(end) => {
                let skip = if text[end..].starts_with("\r\n") {
                    2
                } else {
                    1
                };
                rest = Some(&text[end + skip..]);
                Some(&text[..end])
            }
        }
    })
}

/// One line being read.
struct Reader<'a> {
    rest: &'a str,
}

type Read<T> = Result<T, &'static str>;

impl Reader<'_> {
    fn quad(&mut self) -> Read<Quad> {
        self.spaces();
        let subject = match self.peek() {
            Some('<') => Subject::Iri(self.iri()?),
            Some('_') => Subject::Blank(self.blank()?),
            _ => return Err("a subject is an IRI or a blank node"),
        };
        self.required_spaces()?;
        if self.peek() != Some('<') {
            return Err("a predicate is an IRI");
        }
        let predicate = self.iri()?;
        self.required_spaces()?;
        let object = match self.peek() {
            Some('<') => Term::Iri(self.iri()?),
            Some('_') => Term::Blank(self.blank()?),
            Some('"') => Term::Literal(self.literal()?),
            _ => return Err("an object is an IRI, a blank node or a literal"),
        };
        self.spaces();
        let graph = match self.peek() {
            Some('.') => GraphName::Default,
            Some('<') => GraphName::Iri(self.iri()?),
            Some('_') => GraphName::Blank(self.blank()?),
            _ => return Err("a statement ends with a graph name or '.'"),
        };
        self.spaces();
        if !self.eat('.') {
            return Err("a statement ends with '.'");
        }
        self.spaces();
        if !self.rest.is_empty() {
            return Err("nothing may follow a statement's '.'");
        }
        Ok(Quad {
            subject,
            predicate,
            object,
            graph,
        })
    }

    fn peek(&self) -> Option<char> {
        self.rest.chars().next()
    }

    fn eat(&mut self, c: char) -> bool {
        match self.rest.strip_prefix(c) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn spaces(&mut self) {
        self.rest = self.rest.trim_start_matches([' ', '\t']);
    }

    fn required_spaces(&mut self) -> Read<()> {
        let before = self.rest.len();
        self.spaces();
        if self.rest.len() == before {
            return Err("terms are separated by white space");
        }
        Ok(())
    }

    fn iri(&mut self) -> Read<String> {
        self.eat('<');
        let mut iri = String::new();
        let mut chars = self.rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '>' => {
                    self.rest = &self.rest[i + 1..];
                    return Ok(iri);
                }
                '\\' => {
                    let digits = match chars.next() {
                        Some((_, 'u')) => 4,
                        Some((_, 'U')) => 8,
                        _ => return Err("an IRI escapes only as \\u or \\U"),
                    };
                    iri.push(hex_char(&mut chars, digits)?);
                }
                c if c <= ' ' || "<\"{}|^`".contains(c) => {
                    return Err("an IRI holds a character it may not");
                }
                c => iri.push(c),
            }
        }
        Err("an IRI is not closed with '>'")
    }

    fn blank(&mut self) -> Read<String> {
        let label = self
            .rest
            .strip_prefix("_:")
            .ok_or("a blank node starts with '_:'")?;
        let mut chars = label.char_indices();
        match chars.next() {
            Some((_, c)) if is_pn_chars_u(c) || c.is_ascii_digit() => {}
            _ => return Err("a blank node label starts with a letter, digit or '_'"),
        }
        let taken = chars
            .find(|(_, c)| !(is_pn_chars(*c) || *c == '.'))
            .map_or(label.len(), |(i, _)| i);
        // A label never ends with '.': the statement's own '.' follows it.
        let label = label[..taken].trim_end_matches('.');
        self.rest = &self.rest[2 + label.len()..];
        Ok(label.to_string())
    }

    fn literal(&mut self) -> Read<Literal> {
        self.eat('"');
        let mut value = String::new();
        let mut chars = self.rest.char_indices();
        let end = loop {
            match chars.next() {
                None => return Err("a literal is not closed with '\"'"),
                Some((i, '"')) => break i,
                Some((_, '\\')) => match chars.next() {
                    None => return Err("a literal is not closed with '\"'"),
                    Some((_, c)) => match c {
                        'b' => value.push('\u{8}'),
                        't' => value.push('\t'),
                        'n' => value.push('\n'),
                        'f' => value.push('\u{c}'),
                        'r' => value.push('\r'),
                        '"' | '\'' | '\\' => value.push(c),
                        'u' | 'U' => {
                            let digits = if c == 'u' { 4 } else { 8 };
                            let mut ahead = chars.clone();
                            match hex_char(&mut ahead, digits) {
                                Ok(decoded) => {
                                    value.push(decoded);
                                    chars = ahead;
                                }
                                // Not an escape rdf-canonize reads: kept as written.
                                Err(_) => {
                                    value.push('\\');
                                    value.push(c);
                                }
                            }
                        }
                        // Any other escaped character is kept as written.
                        other => {
                            value.push('\\');
                            value.push(other);
                        }
                    },
                },
                Some((_, c)) => value.push(c),
            }
        };
        self.rest = &self.rest[end + 1..];
        let mut literal = Literal::string(value);
        if let Some(rest) = self.rest.strip_prefix("^^") {
            self.rest = rest;
            if self.peek() != Some('<') {
                return Err("a datatype is an IRI");
            }
            literal.datatype = self.iri()?;
        } else if let Some(rest) = self.rest.strip_prefix('@') {
            let tag_end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .unwrap_or(rest.len());
            let tag = &rest[..tag_end];
            let mut parts = tag.split('-');
            let first_ok = parts
                .next()
                .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphabetic()));
            if !first_ok || parts.any(|p| p.is_empty()) {
                return Err("a language tag is letters, then '-' and letters or digits");
            }
            literal.datatype = RDF_LANGSTRING.into();
            literal.language = Some(tag.to_string());
            self.rest = &rest[tag_end..];
        }
        Ok(literal)
    }
}

/// The character `digits` hexadecimal digits from `chars` name; a high surrogate `\\u`
/// escape followed by a low one names the character the pair does, as in JavaScript.
fn hex_char(chars: &mut std::str::CharIndices<'_>, digits: usize) -> Read<char> {
    let code = hex(chars, digits)?;
    if (0xD800..0xDC00).contains(&code) && digits == 4 {
        let mut ahead = chars.clone();
        if let (Some((_, '\\')), Some((_, 'u'))) = (ahead.next(), ahead.next()) {
            if let Ok(low @ 0xDC00..0xE000) = hex(&mut ahead, 4) {
                *chars = ahead;
                let pair = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                return char::from_u32(pair).ok_or("an escape names no character");
            }
        }
    }
    char::from_u32(code).ok_or("an escape names a lone surrogate or no character at all")
}

fn hex(chars: &mut std::str::CharIndices<'_>, digits: usize) -> Read<u32> {
    let mut code = 0u32;
    for _ in 0..digits {
        let digit = chars
            .next()
            .and_then(|(_, c)| c.to_digit(16))
            .ok_or("an escape has too few hexadecimal digits")?;
        code = code * 16 + digit;
    }
    Ok(code)
}

/// N-Quads' PN_CHARS_BASE.
fn is_pn_chars_base(c: char) -> bool {
    matches!(c,
        'A'..='Z' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}')
}

fn is_pn_chars_u(c: char) -> bool {
    is_pn_chars_base(c) || c == '_'
}

fn is_pn_chars(c: char) -> bool {
    is_pn_chars_u(c)
        || c.is_ascii_digit()
        || matches!(c, '-' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_written_as_rdf_canonize_writes_them() {
        let quad = Quad {
            subject: Subject::Iri("http://a.example/ s".into()),
            predicate: "http://schema.org/name".into(),
            object: Term::Literal(Literal::string("tab\there \"q\" \\ \u{1}\u{7f}é")),
            graph: GraphName::Blank("g".into()),
        };
        assert_eq!(
            quad.line(Escaping::Rdfc10, |l| l),
            "<http://a.example/\\u0020s> <http://schema.org/name> \"tab\\there \\\"q\\\" \\\\ \\u0001\\u007Fé\" _:g .\n"
        );
        // rdf-canonize 2 (URDNA2015) left IRIs and all but four characters as they were.
        assert_eq!(
            quad.line(Escaping::Urdna2015, |l| l),
            "<http://a.example/ s> <http://schema.org/name> \"tab\there \\\"q\\\" \\\\ \u{1}\u{7f}é\" _:g .\n"
        );
        let typed = Literal {
            value: "1".into(),
            datatype: "http://www.w3.org/2001/XMLSchema#integer".into(),
            language: None,
        };
        let quad = Quad {
            object: Term::Literal(typed),
            graph: GraphName::Default,
            ..quad
        };
        assert!(
            quad.line(Escaping::Rdfc10, |l| l)
                .ends_with("\"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n")
        );
    }

    #[test]
    fn what_is_written_reads_back() {
        let text = "_:b0 <http://p.example/x> \"a\\u00E9\\n\"@en-GB _:g1 .\r\n\
                    <http://s.example/> <http://p.example/y> _:b1.\n\n\
                    <http://s.example/> <http://p.example/y> _:b1 .\n";
        let quads = parse_nquads(text).unwrap();
        assert_eq!(quads.len(), 2, "the repeated statement is kept once");
        assert_eq!(quads[1].object, Term::Blank("b1".into()));
        let Term::Literal(literal) = &quads[0].object else {
            panic!()
        };
        assert_eq!(literal.value, "aé\n");
        assert_eq!(literal.language.as_deref(), Some("en-GB"));
        let again: String = quads
            .iter()
            .map(|q| q.line(Escaping::Rdfc10, |l| l))
            .collect();
        assert_eq!(parse_nquads(&again).unwrap(), quads);
    }

    #[test]
    fn broken_lines_are_refused_with_their_number() {
        for bad in [
            "<a> <b>\n",
            "<a> <b> <c>\n",
            "<a><b> <c> .\n",
            "\"x\" <b> <c> .\n",
            "<a> <b> \"open .\n",
            "<a b> <c> <d> .\n",
            "<a> <b> <c> . extra\n",
            "<a> <b> \"x\"@ .\n",
        ] {
            let error = parse_nquads(&format!("<s> <p> <o> .\n{bad}")).unwrap_err();
            assert!(
                matches!(error, ParseError::Line { line: 2, .. }),
                "{bad:?}: {error}"
            );
        }
    }
}
