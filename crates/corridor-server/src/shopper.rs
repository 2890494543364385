//! The page a shopper's phone opens from the QR code on a pack: the product, where it came
//! from, its journey as a timeline of places and parties, the checks in plain words, and
//! "fine to buy" or exactly why not. Rendered on the server, a few kilobytes, no script: it
//! loads at once on a slow mobile link.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use corridor_trace::{Check, Decision};
use serde_json::Value;

/// Text made safe inside HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A CBV business step as a shopper would say it.
fn step_words(step: Option<&str>) -> &str {
    match step {
        Some("commissioning") => "Harvested or made",
        Some("shipping") => "Shipped",
        Some("receiving") => "Received",
        Some("storing") => "Kept in cold storage",
        Some("packing") => "Packed",
        Some("unpacking") => "Unpacked",
        Some("sensor_reporting") => "Temperature logged in transit",
        Some("stocking") => "Put on the shelf",
        Some("retail_selling") => "Sold",
        Some("holding") => "Held",
        Some(other) => other,
        None => "Recorded",
    }
}

const STYLE: &str = "body{font:16px/1.45 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1c2430}\
main{max-width:40rem;margin:0 auto;padding:1rem;overflow-wrap:anywhere}ul{padding-left:1.2rem}h1{font-size:1.3rem;margin:.2rem 0 .8rem;overflow-wrap:anywhere}\
.verdict{border-radius:.6rem;padding:.9rem 1rem;margin:0 0 1rem;font-weight:600}\
.sell{background:#dff3e4;color:#0d5020;border:2px solid #2f8a47}.stop{background:#fde2e1;color:#7a1410;border:2px solid #c0392b}\
.unknown{background:#eceff3;color:#333;border:2px dashed #8a94a3}.verdict p{margin:.3rem 0 0;font-weight:400}\
ul.reasons{margin:.4rem 0 0;padding-left:1.2rem;font-weight:400}section{background:#fff;border-radius:.6rem;padding:.8rem 1rem;margin:0 0 1rem}\
h2{font-size:1rem;margin:0 0 .5rem}ol{list-style:none;margin:0;padding:0}ol li{border-left:3px solid #8a94a3;padding:0 0 .7rem .8rem;margin-left:.3rem}\
.when{color:#5b6573;font-size:.85rem}.id{font-size:.8rem;color:#5b6573;overflow-wrap:anywhere}";

/// The page for `id`.
pub(crate) fn page(id: &str, product: Option<&str>, check: &Check, journey: &[Value]) -> Response {
    let title = product.unwrap_or("This product");
    let known = check.provenance.is_some();
    let (class, headline) = match (check.decision, known) {
        (Decision::Sell, _) => (
            "sell",
            "Fine to buy: every step of its journey is vouched for.",
        ),
        (Decision::DoNotSell, false) => ("unknown", "Not known: there is no record of this code."),
        (Decision::DoNotSell, true) => ("stop", "Do not buy."),
    };
    let mut html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{} — Corridor</title><style>{STYLE}</style></head><body><main><h1>{}</h1><div class=\"verdict {class}\" id=\"verdict\">{headline}",
        escape(title),
        escape(title)
    );
    if !check.reasons.is_empty() && known {
        html.push_str("<ul class=\"reasons\">");
        for reason in &check.reasons {
            html.push_str(&format!(
                "<li data-code=\"{}\">{}</li>",
                reason.code,
                escape(&reason.message)
            ));
        }
        html.push_str("</ul>");
    }
    html.push_str("</div>");
    if let Some(provenance) = &check.provenance {
        html.push_str("<section><h2>Where it came from</h2><ul>");
        for origin in &provenance.origins {
            let place = origin
                .site
                .as_deref()
                .map_or("origin not recorded".to_owned(), |s| format!("site {s}"));
            html.push_str(&format!(
                "<li>{} — {}</li>",
                escape(&origin.id),
                escape(&place)
            ));
        }
        html.push_str("</ul></section>");
        html.push_str("<section><h2>Its journey</h2><ol>");
        for step in journey {
            let words = step_words(step["step"].as_str());
            let place = step["siteName"]
                .as_str()
                .or(step["site"].as_str())
                .unwrap_or("in transit");
            let party = step["party"]
                .as_str()
                .map(|p| format!(" · {}", escape(p)))
                .unwrap_or_default();
            let when = step["time"].as_str().unwrap_or("").replace('T', " ");
            let when = when.get(..16).unwrap_or(&when);
            html.push_str(&format!(
                "<li><div>{words}</div><div>{}{party}</div><div class=\"when\">{} UTC</div></li>",
                escape(place),
                escape(when)
            ));
        }
        html.push_str("</ol></section>");
        if let Some(date) = &check.best_before {
            html.push_str(&format!(
                "<section><h2>Best before</h2>{}</section>",
                escape(date)
            ));
        }
    }
    html.push_str(&format!(
        "<p class=\"id\">{}</p></main></body></html>",
        escape(id)
    ));
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}
