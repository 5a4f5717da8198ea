//! newsbot's evaluation, beside the tools that use it (`newsbot eval`, the tuning examples):
//! scoring the engine on question files ([`eval`]) and the plain-BM25 reference every figure
//! is shown beside ([`baseline`]).

pub mod baseline;
pub mod eval;
