//! Zyra's invoices (org admins only): list, get, and the PDF, a small but valid PDF 1.4 document
//! written here (one page, Helvetica, correct cross-reference offsets) that states the invoice's
//! number, status, period and amount as text.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use serde::Serialize;

use super::{not_found, ok, page, Caller, Ids, Read, Reply, Store};
use crate::body::Params;
use crate::clock::rfc3339;
use crate::{lock, ApiError, Shared};

/// An invoice; the period's days are both included.
#[derive(Clone, Debug, Serialize)]
pub(super) struct Invoice {
    id: String,
    number: String,
    status: &'static str,
    amount_cents: u64,
    currency: &'static str,
    period_start: String,
    period_end: String,
    issued_at: String,
}

/// The invoices of October and November 2025 (paid) and December 2025 (open).
pub(super) fn seeded(ids: &mut Ids) -> Vec<Invoice> {
    [
        ("ZY-2025-0010", "paid", 129_900, "2025-10-01", "2025-10-31", 1_761_955_200),
        ("ZY-2025-0011", "paid", 134_250, "2025-11-01", "2025-11-30", 1_764_547_200),
        ("ZY-2025-0012", "open", 98_700, "2025-12-01", "2025-12-31", 1_767_225_600),
    ]
    .into_iter()
    .map(|(number, status, amount_cents, start, end, issued)| Invoice {
        id: ids.next("inv_"),
        number: number.to_owned(),
        status,
        amount_cents,
        currency: "USD",
        period_start: start.to_owned(),
        period_end: end.to_owned(),
        issued_at: rfc3339(std::time::UNIX_EPOCH + std::time::Duration::from_secs(issued)),
    })
    .collect()
}

impl Store {
    fn invoice(&self, id: &str) -> Result<&Invoice, ApiError> {
        self.invoices.iter().find(|invoice| invoice.id == id).ok_or_else(|| not_found("invoice"))
    }
}

/// `GET /invoices`.
pub(super) async fn list(State(shared): State<Arc<Shared>>, caller: Caller<Read>, params: Params) -> Reply {
    caller.require_admin()?;
    page(&params, lock(&shared.zyra).invoices.iter())
}

/// `GET /invoices/{id}`.
pub(super) async fn get(State(shared): State<Arc<Shared>>, caller: Caller<Read>, Path(id): Path<String>) -> Reply {
    caller.require_admin()?;
    ok(lock(&shared.zyra).invoice(&id)?)
}

/// `GET /invoices/{id}/pdf`: the invoice as `application/pdf` bytes, outside the envelope.
pub(super) async fn pdf(
    State(shared): State<Arc<Shared>>,
    caller: Caller<Read>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let store = lock(&shared.zyra);
    let invoice = store.invoice(&id)?;
    let disposition = format!("attachment; filename=\"{}.pdf\"", invoice.number);
    let bytes = invoice_pdf(invoice, store.organization.name());
    Ok(([(CONTENT_TYPE, "application/pdf".to_owned()), (CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

/// `cents` as `1299.00 USD`.
fn amount(cents: u64, currency: &str) -> String {
    format!("{}.{:02} {currency}", cents / 100, cents % 100)
}

/// The lines printed on an invoice.
fn lines(invoice: &Invoice, organization: &str) -> Vec<String> {
    vec![
        format!("{organization} - Invoice {}", invoice.number),
        format!("Amount: {}", amount(invoice.amount_cents, invoice.currency)),
        format!("Status: {}", invoice.status),
        format!("Period: {} to {}", invoice.period_start, invoice.period_end),
        format!("Issued: {}", invoice.issued_at),
    ]
}

/// `text` as a PDF literal string: backslashes and parentheses escaped, anything but printable
/// ASCII replaced by `?` (the standard font's encoding is not UTF-8).
fn pdf_string(text: &str) -> String {
    let mut out = String::from("(");
    for c in text.chars() {
        match c {
            '\\' | '(' | ')' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => out.push('?'),
        }
    }
    out.push(')');
    out
}

/// A one-page PDF 1.4 document showing `lines`, the first larger.
fn pdf_document(lines: &[String]) -> Vec<u8> {
    let content: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let (size, y) = if i == 0 { (18, 720) } else { (12, 690 - 20 * (i - 1)) };
            format!("BT /F1 {size} Tf 72 {y} Td {} Tj ET", pdf_string(line))
        })
        .collect();
    let content = content.join("\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
            .to_owned(),
        // The end of line before `endstream` is not part of the stream's length.
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out += &format!("{} 0 obj\n{object}\nendobj\n", i + 1);
    }
    let xref = out.len();
    // Every cross-reference entry is exactly 20 bytes: ten digits, five, a keyword, space, newline.
    out += &format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        out += &format!("{offset:010} 00000 n \n");
    }
    out += &format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF", objects.len() + 1);
    out.into_bytes()
}

/// The PDF of `invoice`.
fn invoice_pdf(invoice: &Invoice, organization: &str) -> Vec<u8> {
    pdf_document(&lines(invoice, organization))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pdf_is_well_formed() {
        let invoices = seeded(&mut Ids::default());
        let pdf = String::from_utf8(invoice_pdf(&invoices[0], "Sandbox (Labs)")).unwrap();
        assert!(pdf.starts_with("%PDF-1.4\n") && pdf.ends_with("%%EOF"), "{pdf}");
        assert!(pdf.contains("(Sandbox \\(Labs\\) - Invoice ZY-2025-0010) Tj"), "{pdf}");
        assert!(pdf.contains("(Amount: 1299.00 USD) Tj"), "{pdf}");
        // startxref points at the xref table, and each entry at its object.
        let startxref: usize =
            pdf.rsplit("startxref\n").next().unwrap().trim_end_matches("%%EOF").trim().parse().unwrap();
        assert!(pdf[startxref..].starts_with("xref\n0 6\n"));
        let table = &pdf[startxref + "xref\n0 6\n".len()..];
        for n in 1..=5 {
            let entry = &table[n * 20..n * 20 + 20];
            assert!(entry.ends_with(" 00000 n \n"), "{entry:?}");
            let offset: usize = entry[..10].parse().unwrap();
            assert!(pdf[offset..].starts_with(&format!("{n} 0 obj\n")), "object {n}");
        }
        // The stream's length is that of its bytes.
        let start = pdf.find(">>\nstream\n").unwrap() + ">>\nstream\n".len();
        let stream = &pdf[start..pdf.find("\nendstream").unwrap()];
        assert!(pdf.contains(&format!("/Length {} >>", stream.len())));
        assert_eq!(pdf_string("é\\"), "(?\\\\)");
    }
}
