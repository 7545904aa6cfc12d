//! Integration tests of the service runtime against the fake C1.
