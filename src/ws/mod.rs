//! The interview WebSocket: protocol messages and the connection loop.

mod connection;
mod frame_guard;
pub mod limiter;
pub mod protocol;

pub use connection::route;
