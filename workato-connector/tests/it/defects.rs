//! One test per upstream defect of connector-model.md §10 that sync can show.
