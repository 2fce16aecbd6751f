//! Exit statuses (SPEC.md section 5).

/// How a run ended, as the shell sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitCode {
    /// The run completed; rejections are normal results.
    Success = 0,
    /// The run could not start or finish: bad arguments, no inputs, an unusable file it needs.
    CannotRun = 1,
    /// `ceu check`: some row would be rejected.
    WouldReject = 2,
    /// The run completed but some input could not be read (`FILE_ERROR` rows).
    InputUnreadable = 3,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_spec_numbers() {
        assert_eq!(ExitCode::Success as i32, 0);
        assert_eq!(ExitCode::CannotRun as i32, 1);
        assert_eq!(ExitCode::WouldReject as i32, 2);
        assert_eq!(ExitCode::InputUnreadable as i32, 3);
    }
}
