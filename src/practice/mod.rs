//! A candidate's practice across interviews: what they have been asked and how it went
//! ([`history`]), when each question is due for review ([`schedule`], Leitner boxes), how the
//! next interview prefers questions ([`preference`]), and the progress they see ([`progress`]).
//! Pure logic: the store supplies the records, the handlers the clock.

pub mod history;
pub mod preference;
pub mod progress;
pub mod schedule;

pub use history::{Attempt, History};
pub use preference::{Mode, Preference};
pub use progress::{Progress, progress};
pub use schedule::{Card, Schedule};
