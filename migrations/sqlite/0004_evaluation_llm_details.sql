-- How an LLM judgement was asked for and what its reply needed (JSON: json_mode, prompt_profile,
-- prompt_tokens_estimate, repairs, truncated_retry); NULL for built-in and human evaluations.

ALTER TABLE evaluations ADD COLUMN llm_details TEXT;
