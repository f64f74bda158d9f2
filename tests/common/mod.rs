//! Shared test support: reading the golden scenario files and the intake's items as its schema
//! lists them (the `carelevel` command's tests are in `cli/tests/`). The strategy for valid
//! intakes is the library's own, `carelevel::strategies::intake` (the `proptest` feature), and
//! "worsen one answer" lives with the property that uses it (`tests/properties.rs`).

#![allow(dead_code)]

pub mod items;
pub mod scenarios;
