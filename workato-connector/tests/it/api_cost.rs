//! API cost grows with pages and folders, not members.
