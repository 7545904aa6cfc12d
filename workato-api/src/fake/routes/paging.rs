//! Workato's two pagination styles (docs/workato-api.md#pagination).
//!
//! - Style B: `page` (1-based, default 1), `per_page` (default 100) → bare JSON array.
//! - Style C: `page[number]`, `page[size]` (default 100) →
//!   `{"data":[…],"total":<whole set>,"page":{"number":n,"size":s}}`.
//!
//! Sizes above 100 are clamped to 100 and a size of 0 means the default; page 0 is treated
//! as page 1 (the real API may alias them, which is why clients must never send it).
//! A value that is not a number answers 400.

use serde_json::{json, Value};

use super::Reply;

/// Largest page Workato serves.
pub(crate) const MAX_PAGE_SIZE: usize = 100;

/// A requested page, already normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page {
    pub number: usize,
    pub size: usize,
}

impl Page {
    /// The items of this page out of the whole `items` set.
    pub(crate) fn slice<'a, T>(&self, items: &'a [T]) -> &'a [T] {
        let start = (self.number - 1).saturating_mul(self.size).min(items.len());
        let end = start.saturating_add(self.size).min(items.len());
        items.get(start..end).unwrap_or_default()
    }
}

fn parse(query: &[(String, String)], number_key: &str, size_key: &str) -> Result<Page, Reply> {
    let get = |key: &str| -> Result<Option<usize>, Reply> {
        match query.iter().find(|(k, _)| k == key) {
            None => Ok(None),
            Some((_, v)) => v
                .trim()
                .parse::<usize>()
                .map(Some)
                .map_err(|_| Reply::error(400, &format!("Invalid value for {key}"))),
        }
    };
    let number = get(number_key)?.unwrap_or(1).max(1);
    let size = match get(size_key)? {
        None | Some(0) => MAX_PAGE_SIZE,
        Some(n) => n.min(MAX_PAGE_SIZE),
    };
    Ok(Page { number, size })
}

/// Style B parameters (`page`, `per_page`).
pub(crate) fn style_b(query: &[(String, String)]) -> Result<Page, Reply> {
    parse(query, "page", "per_page")
}

/// Style C parameters (`page[number]`, `page[size]`).
pub(crate) fn style_c(query: &[(String, String)]) -> Result<Page, Reply> {
    parse(query, "page[number]", "page[size]")
}

/// Style C envelope around one page of already-rendered items.
pub(crate) fn style_c_body(data: Vec<Value>, total: usize, page: Page) -> Value {
    json!({
        "data": data,
        "total": total,
        "page": { "number": page.number, "size": page.size },
    })
}

/// Render one style-C page of `items`.
pub(crate) fn render_c<T>(
    items: &[T],
    query: &[(String, String)],
    render: impl Fn(&T) -> Value,
) -> Result<Reply, Reply> {
    let page = style_c(query)?;
    let data = page.slice(items).iter().map(render).collect();
    Ok(Reply::ok(style_c_body(data, items.len(), page)))
}

/// Render one style-B page of `items`.
pub(crate) fn render_b<T>(
    items: &[T],
    query: &[(String, String)],
    render: impl Fn(&T) -> Value,
) -> Result<Reply, Reply> {
    let page = style_b(query)?;
    Ok(Reply::ok(Value::Array(
        page.slice(items).iter().map(render).collect(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_clamps_and_page_zero() {
        assert_eq!(
            style_b(&[]).ok(),
            Some(Page {
                number: 1,
                size: 100
            })
        );
        assert_eq!(
            style_b(&q(&[("page", "0"), ("per_page", "500")])).ok(),
            Some(Page {
                number: 1,
                size: 100
            })
        );
        assert_eq!(
            style_c(&q(&[("page[number]", "3"), ("page[size]", "7")])).ok(),
            Some(Page { number: 3, size: 7 })
        );
        assert_eq!(
            style_b(&q(&[("page", "x")])).err().map(|r| r.status),
            Some(400)
        );
    }

    #[test]
    fn slices_past_the_end_are_empty() {
        let items: Vec<u32> = (0..250).collect();
        let p = |number| Page { number, size: 100 };
        assert_eq!(p(1).slice(&items).len(), 100);
        assert_eq!(p(3).slice(&items), &items[200..]);
        assert!(p(4).slice(&items).is_empty());
        assert!(p(usize::MAX).slice(&items).is_empty());
    }
}
