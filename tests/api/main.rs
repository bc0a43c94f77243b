//! Integration tests, compiled as one binary.

mod bank_lint;
mod cli;
mod evaluator;
mod helpers;
mod rubric_lint;
mod store;
