//! The interview WebSocket: protocol messages and the connection loop.

mod connection;
pub mod limiter;
pub mod protocol;

pub use connection::route;
