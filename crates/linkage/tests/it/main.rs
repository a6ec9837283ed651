//! Integration tests of firmlink-linkage (one test binary).

mod blocking;
mod em;
mod febrl;
mod levels;
mod linker;
mod util;
