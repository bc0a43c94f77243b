//! `rehearse chat`.

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::cli::ChatArgs;
use crate::client::{self, AnswerSource, ChatOptions};

pub async fn run(args: ChatArgs) -> anyhow::Result<ExitCode> {
    let interactive = std::io::stdin().is_terminal();
    let input = AnswerSource::new(tokio::io::BufReader::new(tokio::io::stdin()), interactive);
    let opts = ChatOptions {
        url: args.url,
        topics: args.topics,
        level: args.level,
        count: args.count,
        name: args.name,
    };
    client::run(opts, input, &mut std::io::stdout()).await?;
    Ok(ExitCode::SUCCESS)
}
