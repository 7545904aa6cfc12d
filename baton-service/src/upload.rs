//! Chunked c1z upload.
