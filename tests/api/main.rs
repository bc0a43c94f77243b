//! Integration tests, compiled as one binary.

mod admin_api;
mod app;
mod bank_lint;
mod cli;
mod evaluator;
mod feedback_loop;
mod grading_quality;
mod hardening;
mod helpers;
mod interview;
mod judge_dialects;
mod llm;
mod mock_llm;
mod pipeline;
mod practice;
mod process;
mod recruiter;
mod replicas;
mod rubric_admin;
mod rubric_lint;
mod staff_pages;
mod store;
mod ws;
