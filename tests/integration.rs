//! End-to-end tests: the `ceu` binary run on files written to a temporary
//! folder, on the committed LibreOffice workbooks, and on `samples/`.

mod integration {
    pub mod case;
    mod cli;
    mod formats;
    mod hostile;
    mod prior;
    mod properties;
    mod samples;
    mod template;
    mod workbooks;
}
