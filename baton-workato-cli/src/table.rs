//! Aligned text columns for `inspect`: a header row, then one row per object.

use std::io::{self, Write};

/// A table printed with columns padded to their widest cell, two spaces apart.
#[derive(Debug, Default)]
pub(crate) struct Table {
    header: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column titles.
    pub(crate) fn new(header: &[&'static str]) -> Self {
        Self {
            header: header.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Appends a row (missing cells print empty, extra cells are ignored).
    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Whether the table has no rows.
    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Writes the header and rows. The last column is not padded, so lines carry no trailing
    /// blanks.
    pub(crate) fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let n = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().take(n).enumerate() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let line = |cells: Vec<&str>| -> String {
            let mut s = String::new();
            for (i, cell) in cells.iter().enumerate() {
                if i + 1 == n {
                    s.push_str(cell);
                } else {
                    s.push_str(cell);
                    let pad = widths[i] - cell.chars().count() + 2;
                    s.extend(std::iter::repeat_n(' ', pad));
                }
            }
            s.truncate(s.trim_end().len());
            s.push('\n');
            s
        };
        out.write_all(line(self.header.clone()).as_bytes())?;
        for row in &self.rows {
            let cells: Vec<&str> = (0..n)
                .map(|i| row.get(i).map(String::as_str).unwrap_or(""))
                .collect();
            out.write_all(line(cells).as_bytes())?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_aligned_without_trailing_blanks() {
        let mut t = Table::new(&["ID", "NAME", "NOTE"]);
        t.row(vec!["1".into(), "Alice Example".into(), String::new()]);
        t.row(vec!["1000".into(), "Bo".into(), "x".into()]);
        let mut out = Vec::new();
        t.write(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "ID    NAME           NOTE\n1     Alice Example\n1000  Bo             x\n"
        );
    }
}
