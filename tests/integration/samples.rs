//! The shipped sample batch gives exactly the outputs checked in beside it.
