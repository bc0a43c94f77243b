//! rehearse: AI mock-interview chat backend.
//!
//! The crate is organised so that pure logic (question bank, rubrics, text matching, the
//! built-in evaluator) never touches the network or the database; the store holds all SQL.

#![forbid(unsafe_code)]

pub mod assets;
pub mod bank;
pub mod cli;
pub mod client;
pub mod clock;
pub mod commands;
pub mod config;
pub mod content;
pub mod error_code;
pub mod evaluate;
pub mod http;
pub mod interview;
pub mod lint;
pub mod llm;
pub mod logging;
pub mod practice;
pub mod profiles;
pub mod prompts;
pub mod replicas;
pub mod rich_text;
pub mod rubric;
pub mod runner;
pub mod staff;
pub mod startup;
pub mod store;
pub mod supervise;
pub mod telemetry;
pub mod text;
pub mod tokens;
pub mod whole;
pub mod ws;
